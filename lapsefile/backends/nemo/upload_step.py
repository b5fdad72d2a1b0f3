"""The ``<output>/upload`` step: an output's files into its session, in display order.

A new session gets every file in one attach call (photos first, then the logo and the music,
so the photos keep their upload positions). A session that already holds the photos gets only
what is new (a changed logo or music file). A rebuilt session gets them all again by URL, and
bytes only for files the service does not have.

The step's record: ``attached`` (the output's files in display order), ``assets`` (the logo and
music among them), ``in_session`` (everything ever sent to the session) and ``attach``
(``sending`` while the attach call is out, ``done`` after).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from pathlib import PurePosixPath
from typing import Any

from ...backends.base import BackendRecord, RunContext
from ...errors import (
    ApiError,
    OutOfCredits,
    RateLimited,
    SessionNotFound,
    TokenError,
    TransportError,
)
from ...events import Event
from ...lock.records import own_fields
from ...overlays import uploads
from ...plan.model import Step
from ...plan.step_ids import UPLOAD, step_id
from ...project.model import InputFile
from ...spec.model import Output
from .clip import prepare_clip
from .proxies import UploadFile, prepare_frame
from .sessions import Sessions
from .uploads import AssetRegistry, Throttle, Uploader, UploadStats

Task = Callable[[], UploadFile]


class UploadStep:
    def __init__(self, uploader: Uploader, assets: AssetRegistry, sessions: Sessions):
        self._uploader, self._assets, self._sessions = uploader, assets, sessions
        self.attached: dict[str, list[str]] = {}  # output -> sha256 of its files, in order
        self._rebuilt: dict[str, str] = {}  # output -> the session a rebuild filled this run

    def rebuilt(self, output: str) -> str | None:
        """The session a rebuild filled in this run, if any."""
        return self._rebuilt.get(output)

    def forget(self, output: str) -> None:
        """A new session for ``output``: nothing is attached to it yet."""
        self.attached.pop(output, None)

    def run(self, ctx: RunContext, step: Step) -> BackendRecord:
        output = ctx.project.spec.output(step.output)
        session_id = self._sessions.current(ctx, step.output)
        strategy = step.params.get("strategy", ctx.project.spec.cloud.upload)
        if self._rebuilt.get(step.output) == session_id:  # a rebuild attached the files
            shas = self.attached[step.output]
            return _record(ctx, output, session_id, strategy, shas, shas,
                           UploadStats(files=len(shas), reused=len(shas)))
        previous = own_fields(ctx.last_record(step.id))
        same = previous.get("session_id") == session_id
        if same and previous.get("attach") == "sending":
            # The last run stopped while files went into this session: start a clean one.
            session_id = self._sessions.rebuild(ctx, step)
        elif same and previous.get("attach") == "done":
            return self._add_assets(ctx, step, output, session_id, previous)
        return self._upload_all(ctx, step, output, session_id, strategy)

    def _upload_all(self, ctx: RunContext, step: Step, output: Output, session_id: str,
                    strategy: str) -> BackendRecord:
        record: dict[str, Any] = {"strategy": strategy, "session_id": session_id}
        save = Throttle(1.0)
        label = "uploading"

        def progress(stats: UploadStats, total: int) -> None:
            ctx.emit(Event("progress", step.id, {"done": stats.bytes_sent, "total": total,
                                                 "unit": "B", "label": f"{label}: {stats.sent} "
                                                 "file(s) sent"}))
            if save():  # keeps the assets already paid for in bandwidth in the lock
                ctx.checkpoint(step.id, record)

        tasks = self.tasks(ctx, output, strategy, step.id)
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
        self.attached[step.output] = shas
        self._forget_unused_assets(ctx)
        ctx.say(f"{stats.files} file(s) in session {session_id}: {stats.sent} uploaded "
                f"({stats.bytes_sent} bytes), {stats.reused} already on the service", step.id)
        return _record(ctx, output, session_id, strategy, shas, shas, stats)

    def _add_assets(self, ctx: RunContext, step: Step, output: Output, session_id: str,
                    previous: Mapping[str, Any]) -> BackendRecord:
        """The session already holds the photos: send it only the new logo or music."""
        files = asset_files(ctx, output)
        held = list(previous.get("in_session") or previous.get("attached") or [])
        stats = self._uploader.ensure_remote([partial(_given, f) for f in files],
                                             _no_progress)[1]
        new = [f.sha256 for f in files if f.sha256 not in held]
        if new:
            self._uploader.attach(session_id, new)
        shas = display_order(previous, [f.sha256 for f in files])
        self.attached[step.output] = shas
        ctx.say(f"{len(new)} new file(s) added to session {session_id} "
                f"({stats.sent} uploaded)", step.id)
        return _record(ctx, output, session_id, str(previous.get("strategy")), shas,
                       list(dict.fromkeys([*held, *new])), stats)

    def reattach(self, output: str, session_id: str, ctx: RunContext) -> bool:
        """Put an output's files into a rebuilt session, by URL (bytes only for files the
        service does not have); False when the upload step has not got that far yet."""
        shas = self.attached.get(output)
        upload = next(s for s in ctx.plan.for_output(output) if s.action == "upload")
        spec_output = ctx.project.spec.output(output)
        if shas is None:
            record = ctx.last_record(upload.id) or {}
            if record.get("attach") != "done":
                return False  # the upload step has not finished: it attaches them itself
            shas = display_order(record, [f.sha256 for f in asset_files(ctx, spec_output)])
        self._rebuilt[output] = session_id
        if any(self._assets.url(sha) is None for sha in shas):
            # Another service (or a restarted one) never had these files: send the bytes.
            strategy = upload.params.get("strategy", ctx.project.spec.cloud.upload)
            tasks = self.tasks(ctx, spec_output, strategy, upload.id)
            files, _stats = self._uploader.ensure_remote(tasks, _no_progress)
            shas = [f.sha256 for f in files]
        self.attached[output] = shas
        self._uploader.attach(session_id, shas)
        return True

    def tasks(self, ctx: RunContext, output: Output, strategy: str, step_id: str) -> list[Task]:
        project = ctx.project
        if strategy == "clip":
            # Rendered here, in the main thread, so its progress events come from it.
            clip = prepare_clip(project, output, ctx.emit, step_id, ctx.options)
            tasks: list[Task] = [partial(_given, clip)]
        else:
            edge = project.spec.cloud.proxy_max_edge
            tasks = [partial(prepare_frame, frame, output, edge, project.root)
                     for frame in project.frames]
        return tasks + [partial(_given, f) for f in asset_files(ctx, output)]

    def _forget_unused_assets(self, ctx: RunContext) -> None:
        """Keep the lock's asset list to what its outputs use (a plan covering them all)."""
        outputs = [o.name for o in ctx.project.spec.outputs]
        if {s.output for s in ctx.plan.steps} != set(outputs):
            return  # a partial run (--only) cannot tell what the other outputs use
        if any(s.action == "upload" and s.output not in self.attached for s in ctx.plan.steps):
            # An upload still to come may need assets no earlier output uses (proxies of
            # another size): its old record is not resumable, so only it knows. Decide last.
            return
        used: set[str] = set()
        for name in outputs:
            shas = self.attached.get(name)
            if shas is None:
                shas = (ctx.record(step_id(name, UPLOAD)) or {}).get("attached") or []
            used.update(shas)
        AssetRegistry(ctx.backend_state).retain(used)


def asset_files(ctx: RunContext, output: Output) -> list[UploadFile]:
    """The logo (if this output shows it) and the music, under the names the instructions
    use; after the photos, so the photos keep their upload positions."""
    assets = ctx.project.assets
    return [_as_upload(assets[rel]) for rel in uploads(ctx.project.spec, output.name)
            if rel in assets]


def display_order(record: Mapping[str, Any], assets: list[str]) -> list[str]:
    """The photos an upload record attached, then today's ``assets``."""
    attached, old_assets = list(record.get("attached") or []), record.get("assets") or []
    return [*attached[:len(attached) - len(old_assets)], *assets]


def _record(ctx: RunContext, output: Output, session_id: str, strategy: str,
            shas: list[str], in_session: list[str], stats: UploadStats) -> BackendRecord:
    return {"strategy": strategy, "session_id": session_id, "attach": "done",
            "files": len(shas), "sent": stats.sent, "reused": stats.reused,
            "bytes_sent": stats.bytes_sent, "attached": shas,
            "assets": [f.sha256 for f in asset_files(ctx, output)], "in_session": in_session}


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _merged(first: UploadStats, second: UploadStats) -> UploadStats:
    """A resend's stats on top of the first pass: the resend saw every file again."""
    return UploadStats(files=second.files, sent=first.sent + second.sent, reused=second.reused,
                       bytes_sent=first.bytes_sent + second.bytes_sent)


def _no_progress(stats: UploadStats, total: int) -> None:
    """Uploads too small to need a progress bar (a logo, or files the service already has)."""


def _given(file: UploadFile) -> UploadFile:
    return file


def _as_upload(file: InputFile) -> UploadFile:
    return UploadFile(file.path, file.sha256, file.size, PurePosixPath(file.relpath).name,
                      file.relpath)
