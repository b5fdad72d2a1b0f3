"""The ``nemo`` backend: executes an output's session, upload, instruct, export and download
steps through the NemoVideo agent API, one step per ``execute`` call, resumable at any point."""

from __future__ import annotations

import time
import weakref
from functools import partial
from pathlib import PurePosixPath
from typing import Any, Callable, ClassVar, Iterator, Mapping, MutableMapping, Sequence
from urllib.parse import urlsplit, urlunsplit

import httpx

from ...backends.base import RunContext, StepRecord
from ...errors import (ApiError, OutOfCredits, RateLimited, RemoteStateError, SessionNotFound,
                       TokenError, TransportError)
from ...events import Event
from ...plan.model import Step
from ...project.model import InputFile
from ...spec.model import Output, shows
from . import draft as drafts
from . import intent
from .client import NemoClient
from .clip import prepare_clip
from .export import Exporter, fallback_download
from .instruct import Instructor, Intent
from .proxies import UploadFile, prepare_frame
from .responses import credit_hint
from .sessions import Sessions, own_fields
from .settings import NemoOptions
from .uploads import (AssetRegistry, StagingSession, Throttle, Uploader, UploadStats,
                      check_uploadable)


class NemoBackend:
    name: ClassVar[str] = "nemo"

    def __init__(self, *, transport: httpx.BaseTransport | None = None,
                 env: Mapping[str, str] | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self._transport, self._env, self._sleep = transport, env, sleep
        self._client: NemoClient | None = None
        self._attached: dict[str, list[str]] = {}  # output -> sha256 of its files, in order
        self._exports: dict[str, dict[str, Any]] = {}  # output -> export record (full URL)

    def __repr__(self) -> str:
        return f"NemoBackend(client={self._client!r})"

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    # -- the Backend protocol ----------------------------------------------------------------

    def check(self, ctx: RunContext, steps: Sequence[Step]) -> None:
        if not steps:
            return
        self._setup(ctx)
        for output in {s.output for s in steps if s.action == "upload"}:
            for file in self._asset_files(ctx, ctx.project.spec.output(output)):
                check_uploadable(file)
        if any(s.action == "instruct" for s in steps):
            self._check_credits()

    def execute(self, ctx: RunContext, steps: Sequence[Step]
                ) -> Iterator[tuple[Step, StepRecord]]:
        self._setup(ctx)
        for step in steps:
            yield step, self._execute_one(ctx, step)

    # -- steps -------------------------------------------------------------------------------

    def _execute_one(self, ctx: RunContext, step: Step) -> StepRecord:
        handler: Callable[[RunContext, Step], StepRecord] = getattr(self, f"_do_{step.action}")
        try:
            return handler(ctx, step)
        except SessionNotFound:
            if step.action in ("session", "download"):
                raise
            self._sessions.rebuild(ctx, step)
            return handler(ctx, step)

    def _do_session(self, ctx: RunContext, step: Step) -> StepRecord:
        record = self._sessions.create(ctx, step.output)
        self._attached.pop(step.output, None)
        self._exports.pop(step.output, None)
        ctx.say(f"session {record['session_id']} created for {step.output}", step.id)
        return dict(record)

    def _do_upload(self, ctx: RunContext, step: Step) -> StepRecord:
        output = ctx.project.spec.output(step.output)
        session_id = self._sessions.current(ctx, step.output)
        previous = own_fields(ctx.record(step.id))
        if previous.get("attach") == "sending" and previous.get("session_id") == session_id:
            # The last run stopped while files went into this session: start a clean one.
            session_id = self._sessions.rebuild(ctx, step)
        record: dict[str, Any] = {"strategy": step.params.get("strategy",
                                                             ctx.project.spec.cloud.upload),
                                  "session_id": session_id}
        save = Throttle(1.0)
        label = "uploading"

        def progress(stats: UploadStats, total: int) -> None:
            ctx.emit(Event("progress", step.id, {"done": stats.bytes_sent, "total": total,
                                                 "unit": "B", "label": f"{label}: {stats.sent} "
                                                 "file(s) sent"}))
            if save():  # keeps the assets already paid for in bandwidth in the lock
                ctx.checkpoint(step.id, record)

        tasks = self._upload_tasks(ctx, output, step)
        try:
            files, stats = self._uploader.ensure_remote(tasks, progress)
        except BaseException:
            ctx.checkpoint(step.id, record)  # keep what was sent before the stop or failure
            raise
        shas = [f.sha256 for f in files]
        ctx.checkpoint(step.id, {**record, "attach": "sending"})
        try:
            self._uploader.attach(session_id, shas)
        except TransportError:
            session_id = self._sessions.rebuild(ctx, step)
            self._uploader.attach(session_id, shas)
        except (SessionNotFound, OutOfCredits, TokenError, RateLimited):
            raise
        except ApiError as exc:
            if not stats.reused:
                raise  # every URL is from this run: sending the bytes again would not help
            # Remembered URLs the service cannot fetch any more (expired links, another
            # service or a restarted one). The refused call attached nothing: send bytes.
            ctx.say(f"the service refused the remembered upload URLs ({_first_line(exc)}); "
                    "uploading those files again", step.id)
            self._uploader.forget(shas)
            label = "uploading again"
            files, again = self._uploader.ensure_remote(tasks, progress)
            stats = _merged(stats, again)
            shas = [f.sha256 for f in files]
            self._uploader.attach(session_id, shas)
        self._attached[step.output] = shas
        self._forget_unused_assets(ctx)
        ctx.say(f"{stats.files} file(s) in session {session_id}: {stats.sent} uploaded "
                f"({stats.bytes_sent} bytes), {stats.reused} already on the service", step.id)
        return {**record, "session_id": session_id, "attach": "done", "files": len(files),
                "sent": stats.sent, "reused": stats.reused, "bytes_sent": stats.bytes_sent,
                "attached": shas}

    def _do_instruct(self, ctx: RunContext, step: Step) -> StepRecord:
        session_id = self._sessions.current(ctx, step.output)
        journal = own_fields(ctx.record(step.id))
        self._instructor.apply(session_id, self._intent(ctx, step), journal,
                               lambda: ctx.checkpoint(step.id, journal), step.id)
        return journal

    def _do_export(self, ctx: RunContext, step: Step) -> StepRecord:
        session_id = self._sessions.current(ctx, step.output)
        record = own_fields(ctx.record(step.id))
        self._exporter.export(session_id, step.output, partial(self._verified_draft, ctx, step),
                              record, lambda: ctx.checkpoint(step.id, _public(record)), step.id)
        self._exports[step.output] = dict(record)
        return _public(record)

    def _do_download(self, ctx: RunContext, step: Step) -> StepRecord:
        export = self._exports.get(step.output) or own_fields(
            ctx.record(f"{step.output}/export"))
        render_id = export.get("render_id")
        if not render_id or export.get("render_status") != "completed":
            raise RemoteStateError(f"no finished export is recorded for {step.output}",
                                   hint="run again: the export step runs first")
        output = ctx.project.spec.output(step.output)
        url = export.get("output_url") or fallback_download(render_id)
        artifact = self._exporter.download(url, render_id, ctx.project.root / output.path,
                                           output.path, step.id)
        return {"render_id": render_id, "artifact": artifact}

    # -- helpers -----------------------------------------------------------------------------

    def _setup(self, ctx: RunContext) -> None:
        if self._client is not None:
            return
        options = NemoOptions.from_mapping(ctx.options, self._env)
        client = NemoClient(options, transport=self._transport, env=self._env,
                            sleep=self._sleep)
        weakref.finalize(self, client.close)
        self._client = client
        self._instructor = Instructor(client, options, ctx.emit, self._sleep)
        self._exporter = Exporter(client, options, ctx.emit, self._sleep)
        staging = StagingSession(client, ctx.project.spec.cloud.language)
        assets = AssetRegistry(ctx.backend_state, options.api_url)
        self._uploader = Uploader(client, assets, staging, options.concurrency)
        self._sessions = Sessions(client, self._instructor, self._reattach, self._intent)

    def _check_credits(self) -> None:
        assert self._client is not None
        balance = self._client.credits()
        available = balance.get("available")
        if isinstance(available, (int, float)) and available <= 0:
            creds = self._client.credentials.current()
            raise OutOfCredits("no NemoVideo credits left, and instructions need them",
                               hint=credit_hint(creds.anonymous, creds.user_id))

    def _upload_tasks(self, ctx: RunContext, output: Output,
                      step: Step) -> list[Callable[[], UploadFile]]:
        project = ctx.project
        if step.params.get("strategy", project.spec.cloud.upload) == "clip":
            # Rendered here, in the main thread, so its progress events come from it.
            clip = prepare_clip(project, output, ctx.emit, step.id, ctx.options)
            tasks = [partial(_given, clip)]
        else:
            edge = project.spec.cloud.proxy_max_edge
            tasks = [partial(prepare_frame, frame, output, edge, project.root)
                     for frame in project.frames]
        return tasks + [partial(_given, f) for f in self._asset_files(ctx, output)]

    def _asset_files(self, ctx: RunContext, output: Output) -> list[UploadFile]:
        """The logo (if this output shows it) and the music, under the names the
        instructions use; after the photos, so the photos keep their upload positions."""
        spec, assets = ctx.project.spec, ctx.project.assets
        wanted = []
        if spec.logo and shows(spec.logo.outputs, output.name):
            wanted.append(spec.logo.file)
        if spec.music:
            wanted.append(spec.music.file)
        return [_as_upload(assets[rel]) for rel in wanted if rel in assets]

    def _reattach(self, output: str, session_id: str, ctx: RunContext) -> None:
        """Put an output's uploads into a rebuilt session, by URL (nothing re-sent)."""
        shas = self._attached.get(output)
        if shas is None:
            upload = ctx.record(f"{output}/upload") or {}
            shas = upload.get("attached") if upload.get("status") == "done" else None
        if shas:  # else the upload step has not finished: it attaches the files itself
            self._uploader.attach(session_id, shas)

    def _forget_unused_assets(self, ctx: RunContext) -> None:
        """Keep the lock's asset list to what its outputs use (a plan covering them all)."""
        outputs = [o.name for o in ctx.project.spec.outputs]
        if {s.output for s in ctx.plan.steps} != set(outputs):
            return  # a partial run (--only) cannot tell what the other outputs use
        if any(s.action == "upload" and s.output not in self._attached for s in ctx.plan.steps):
            # An upload still to come may need assets no earlier output uses (proxies of
            # another size): its old record is not resumable, so only it knows. Decide last.
            return
        used: set[str] = set()
        for name in outputs:
            shas = self._attached.get(name)
            if shas is None:
                shas = (ctx.record(f"{name}/upload") or {}).get("attached") or []
            used.update(shas)
        AssetRegistry(ctx.backend_state).retain(used)

    def _intent(self, ctx: RunContext, step: Step) -> Intent:
        params = step.params
        return Intent(key=str(params.get("key")), kind=str(params.get("kind")),
                      text=step.instruction or "", params=params.get("params") or {},
                      timeline=_timeline_params(ctx, step.output))

    def _verified_draft(self, ctx: RunContext, step: Step) -> Mapping[str, Any]:
        """The draft to export, after checking it against every instruction of the output."""
        session_id = self._sessions.current(ctx, step.output)
        state = self._client.state(session_id) if self._client else {}
        draft = state.get("draft") or {}
        problems: list[str] = []
        for other in ctx.plan.for_output(step.output):
            if other.action == "instruct":
                want = self._intent(ctx, other)
                problems += intent.problems(draft, want.kind, want.params, want.timeline, state)
        if problems or not drafts.is_ready(draft):
            raise RemoteStateError(
                f"the timeline of {step.output} is not what the instructions asked for: "
                + ("; ".join(dict.fromkeys(problems)) or "it is empty")
                + f"\n{drafts.summary(draft)}",
                hint=f"run `lapsefile run --force --only {step.output}` to rebuild it in a "
                     "new session")
        return draft


def _timeline_params(ctx: RunContext, output: str) -> Mapping[str, Any]:
    for step in ctx.plan.for_output(output):
        if step.action == "instruct" and step.params.get("key") == "timeline":
            return step.params.get("params") or {}
    return {}


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _merged(first: UploadStats, second: UploadStats) -> UploadStats:
    """A resend's stats on top of the first pass: the resend saw every file again."""
    return UploadStats(files=second.files, sent=first.sent + second.sent, reused=second.reused,
                       bytes_sent=first.bytes_sent + second.bytes_sent)


def _given(file: UploadFile) -> UploadFile:
    return file


def _as_upload(file: InputFile) -> UploadFile:
    return UploadFile(file.path, file.sha256, file.size, PurePosixPath(file.relpath).name,
                      file.relpath)


def _public(record: MutableMapping[str, Any]) -> dict[str, Any]:
    """An export record fit for the lock: output URLs without query strings (signatures)."""
    url = record.get("output_url")
    if not isinstance(url, str) or not urlsplit(url).query:
        return dict(record)
    parts = urlsplit(url)
    return {**record, "output_url": urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))}
