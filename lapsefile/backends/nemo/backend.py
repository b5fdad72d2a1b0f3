"""The ``nemo`` backend: executes an output's session, upload, instruct, export and download
steps through the NemoVideo agent API, one step per ``execute`` call, resumable at any point."""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from functools import partial
from typing import Any, ClassVar

import httpx

from ...backends.base import BackendRecord, RunContext
from ...errors import ApiError, OutOfCredits, RemoteStateError, SessionNotFound
from ...events import Emit, Event
from ...lock.records import own_fields
from ...plan.model import Step
from ...plan.step_ids import EXPORT, step_id
from . import draft as drafts
from . import intent
from .client import NemoClient
from .export import Exporter, fallback_download
from .instruct import Instructor, Intent
from .responses import credit_hint
from .sessions import Sessions
from .settings import NemoOptions
from .upload_step import UploadStep, asset_files
from .uploads import AssetRegistry, StagingSession, Uploader, check_uploadable, unsigned


class NemoBackend:
    name: ClassVar[str] = "nemo"

    def __init__(self, *, transport: httpx.BaseTransport | None = None,
                 env: Mapping[str, str] | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self._transport, self._env, self._sleep = transport, env, sleep
        self._client: NemoClient | None = None
        self._exports: dict[str, dict[str, Any]] = {}  # output -> export record (full URL)
        self._balance_before: float | None = None

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
            for file in asset_files(ctx, ctx.project.spec.output(output)):
                check_uploadable(file)
        if any(s.action == "instruct" for s in steps):
            self._balance_before = self._check_credits()

    def execute(self, ctx: RunContext, steps: Sequence[Step]
                ) -> Iterator[tuple[Step, BackendRecord]]:
        self._setup(ctx)
        for step in steps:
            yield step, self._execute_one(ctx, step)

    # -- steps -------------------------------------------------------------------------------

    def _execute_one(self, ctx: RunContext, step: Step) -> BackendRecord:
        handler: Callable[[RunContext, Step], BackendRecord] = getattr(self, f"_do_{step.action}")
        try:
            return handler(ctx, step)
        except SessionNotFound:
            if step.action in ("session", "download"):
                raise
            self._sessions.rebuild(ctx, step)
            return handler(ctx, step)

    def _do_session(self, ctx: RunContext, step: Step) -> BackendRecord:
        record = self._sessions.create(ctx, step.output)
        self._uploads.forget(step.output)
        self._exports.pop(step.output, None)
        ctx.say(f"session {record['session_id']} created for {step.output}", step.id)
        return dict(record)

    def _do_upload(self, ctx: RunContext, step: Step) -> BackendRecord:
        return self._uploads.run(ctx, step)

    def _do_instruct(self, ctx: RunContext, step: Step) -> BackendRecord:
        session_id = self._sessions.current(ctx, step.output)
        replayed = self._sessions.replayed(ctx, step.output, step.id)
        if replayed is not None or step.params.get("mode") == "remove" and \
                self._uploads.rebuilt(step.output) == session_id:
            # A rebuilt session already holds this instruction (a removal: holds nothing).
            return replayed or {"key": step.params.get("key"), "kind": step.params.get("kind"),
                                "mode": "remove", "session_id": session_id, "applied": None,
                                "instruction": "confirmed", "verdict": "confirmed"}
        mode = str(step.params.get("mode") or "add")
        if mode == "keep":  # the session shows it already (the lock says so): nothing to send
            last = own_fields(ctx.last_record(step.id))
            return {**last, "session_id": session_id, "mode": "keep", "instruction": "confirmed",
                    "applied": step.params.get("params"), "verdict": last.get("verdict")}
        journal = own_fields(ctx.record(step.id))
        journal["mode"] = mode
        if mode != "add":  # until confirmed, the session shows what the edit starts from
            journal["from"] = step.params.get("from")
            journal.setdefault("applied", step.params.get("from"))
        self._instructor.apply(session_id, self._intent(ctx, step), journal,
                               lambda: ctx.checkpoint(step.id, journal), step.id)
        return journal

    def _do_export(self, ctx: RunContext, step: Step) -> BackendRecord:
        session_id = self._sessions.current(ctx, step.output)
        record = own_fields(ctx.record(step.id))
        self._exporter.export(session_id, step.output, partial(self._verified_draft, ctx, step),
                              record, lambda: ctx.checkpoint(step.id, _public(record)), step.id)
        self._exports[step.output] = dict(record)
        return _public(record)

    def _do_download(self, ctx: RunContext, step: Step) -> BackendRecord:
        export = self._exports.get(step.output) or own_fields(
            ctx.record(step_id(step.output, EXPORT)))
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
        emit = _scrubbing(ctx.emit, client.credentials.scrub)
        ctx.emit = emit  # every line a user sees or a log keeps passes the scrubber
        client.notify = ctx.say
        self._instructor = Instructor(client, options, emit, self._sleep)
        self._exporter = Exporter(client, options, emit, self._sleep)
        staging = StagingSession(client, ctx.project.spec.cloud.language)
        assets = AssetRegistry(ctx.backend_state, options.api_url)
        uploader = Uploader(client, assets, staging, options.concurrency)
        self._sessions = Sessions(client, self._instructor,
                                  lambda *args: self._uploads.reattach(*args), self._intent)
        self._uploads = UploadStep(uploader, assets, self._sessions)

    def _check_credits(self) -> float | None:
        """The available balance (refusing to start with none, since edits cost credits)."""
        assert self._client is not None
        balance = self._client.credits()
        available = balance.get("available")
        if isinstance(available, (int, float)) and available <= 0:
            creds = self._client.credentials.current()
            raise OutOfCredits("no NemoVideo credits left, and instructions need them",
                               hint=credit_hint(creds.anonymous, creds.user_id))
        return float(available) if isinstance(available, (int, float)) else None

    def report(self, ctx: RunContext) -> dict[str, Any]:
        """Credits before and after the run's instructions, as the service counts them."""
        if self._client is None or self._balance_before is None:
            return {}
        try:
            after = self._client.credits().get("available")
        except ApiError:
            return {"credits_before": self._balance_before}
        if not isinstance(after, (int, float)):
            return {"credits_before": self._balance_before}
        return {"credits_before": self._balance_before, "credits_after": float(after),
                "credits_spent": round(self._balance_before - float(after), 3)}

    def _intent(self, ctx: RunContext, step: Step, *, as_written: bool = False) -> Intent:
        """What ``step`` asks for; ``as_written`` gives the full instruction for an empty
        session (a rebuild) instead of an edit of what the old session showed."""
        params = step.params
        mode = "add" if as_written else str(params.get("mode") or "add")
        text = str(params.get("text_as_written") or step.instruction or "") if as_written \
            else step.instruction or ""
        return Intent(key=str(params.get("key")), kind=str(params.get("kind")), text=text,
                      params=params.get("params") or {},
                      timeline=_timeline_params(ctx, step.output), mode=mode)

    def _verified_draft(self, ctx: RunContext, step: Step) -> Mapping[str, Any]:
        """The draft to export, after checking it against every instruction of the output.

        Only proof from documented facts stops the export; what cannot be verified was
        reported when its instruction was confirmed."""
        session_id = self._sessions.current(ctx, step.output)
        state = self._client.state(session_id) if self._client else {}
        draft = state.get("draft") or {}
        missing: list[str] = []
        for other in ctx.plan.for_output(step.output):
            if other.action == "instruct":
                want = self._intent(ctx, other)
                missing += intent.check(draft, want.kind, want.params, want.timeline, state,
                                        want.mode).missing
        if missing or not drafts.is_ready(draft):
            raise RemoteStateError(
                f"the timeline of {step.output} is not what the instructions asked for: "
                + ("; ".join(dict.fromkeys(missing)) or "it is empty")
                + f"\n{drafts.summary(draft)}",
                hint=f"run `lapsefile run --force --only {step.output}` to rebuild it in a "
                     "new session")
        return draft


def _scrubbing(emit: Emit, scrub: Callable[[str], str]) -> Emit:
    """``emit`` with every text in an event's data passed through ``scrub``."""
    def scrubbed(event: Event) -> None:
        data = {k: scrub(v) if isinstance(v, str) else v for k, v in event.data.items()}
        emit(Event(event.kind, event.step, data))
    return scrubbed


def _timeline_params(ctx: RunContext, output: str) -> Mapping[str, Any]:
    for step in ctx.plan.for_output(output):
        if step.action == "instruct" and step.params.get("key") == "timeline":
            return step.params.get("params") or {}
    return {}


def _public(record: MutableMapping[str, Any]) -> dict[str, Any]:
    """An export record fit for the lock: its output URL unsigned, like every URL kept there."""
    url = record.get("output_url")
    return {**record, "output_url": unsigned(url)} if isinstance(url, str) else dict(record)
