"""Which NemoVideo session holds each output's timeline, and rebuilding it when one is lost.

The ``<output>/session`` step's record names the session. When the service forgets it (code
1002) a new session is created and the record is rewritten to name it (``replaced`` lists the
old ids), the output's uploads are re-attached by URL and the instructions already carried out
are replayed into it, each through its own journal inside the record, so a run stopped halfway
through a rebuild finishes it next time without sending anything twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...backends.base import RunContext
from ...errors import RemoteStateError
from ...events import Event
from ...lock.records import own_fields
from ...plan import step_ids
from ...plan.model import Step
from .client import NemoClient
from .instruct import Instructor, Intent


class Sessions:
    def __init__(self, client: NemoClient, instructor: Instructor,
                 attach: Callable[[str, str, RunContext], bool],
                 intent_of: Callable[..., Intent]):
        self._client, self._instructor = client, instructor
        self._attach, self._intent_of = attach, intent_of
        self._records: dict[str, dict[str, Any]] = {}  # output -> its session step record

    def create(self, ctx: RunContext, output: str) -> dict[str, Any]:
        info = self._client.create_session(ctx.project.spec.cloud.language)
        record = {"session_id": info["session_id"], "task_id": info["task_id"]}
        self._records[output] = record
        return record

    def current(self, ctx: RunContext, output: str) -> str:
        record = self._records.get(output)
        if record is None:
            record = own_fields(ctx.record(step_ids.step_id(output, step_ids.SESSION)))
            if not record.get("session_id"):
                raise RemoteStateError(
                    f"the lock names no NemoVideo session for {output}",
                    hint=f"run `lapsefile run --force --only {output}` to start it over")
            self._records[output] = record
            if record.get("rebuild", {}).get("state") not in (None, "done"):
                self._finish(ctx, output)
        return str(record["session_id"])

    def rebuild(self, ctx: RunContext, step: Step) -> str:
        """A new session for ``step.output`` with its uploads and earlier instructions."""
        output = step.output
        old = self.current(ctx, output)
        # A new session is empty: it gets every instruction as written, this step's and later
        # ones' too (they then find their replay done), since steps that are up to date in
        # the plan would otherwise never reach it.
        earlier = [s.id for s in ctx.plan.for_output(output)
                   if s.action == "instruct" and s.params.get("mode") != "remove"]
        info = self._client.create_session(ctx.project.spec.cloud.language)
        record = self._records[output]
        record.update(session_id=info["session_id"], task_id=info["task_id"],
                      replaced=[*record.get("replaced", []), old],
                      rebuild={"state": "attaching", "by": step.id, "replay": earlier,
                               "journals": {}})
        self._save(ctx, output)
        ctx.emit(Event("message", step.id, {"source": "lapsefile", "text": (
            f"the service lost session {old}; rebuilding {output}'s timeline in session "
            f"{info['session_id']} (re-attaching uploads, sending its {len(earlier)} "
            "instruction(s) again)")}))
        self._finish(ctx, output)
        return str(record["session_id"])

    def _finish(self, ctx: RunContext, output: str) -> None:
        record = self._records[output]
        rebuild = record["rebuild"]
        session_id = str(record["session_id"])
        if rebuild["state"] == "attaching_sent":
            # Stopped while attaching: the new session may hold some files twice. Start afresh.
            record["rebuild"] = {**rebuild, "state": "abandoned"}
            step = next(s for s in ctx.plan.for_output(output) if s.id == rebuild["by"])
            self.rebuild(ctx, step)
            return
        if rebuild["state"] == "attaching":
            rebuild["state"] = "attaching_sent"
            self._save(ctx, output)
            if not self._attach(output, session_id, ctx):
                rebuild["replay"] = []  # no files yet: the upload step and the rest follow
            rebuild["state"] = "replaying"
            self._save(ctx, output)
        steps = {s.id: s for s in ctx.plan.for_output(output)}
        for step_id in rebuild["replay"]:
            journal = rebuild["journals"].setdefault(step_id, {})
            # A new session is empty: each instruction as written, never an edit.
            want = self._intent_of(ctx, steps[step_id], as_written=True)
            self._instructor.apply(session_id, want, journal, lambda: self._save(ctx, output),
                                   rebuild["by"])
        rebuild["state"] = "done"
        self._save(ctx, output)
        self._point_records_at(ctx, session_id, rebuild)

    def replayed(self, ctx: RunContext, output: str, step_id: str) -> dict[str, Any] | None:
        """The journal of ``step_id`` if a finished rebuild of the current session carried it
        out (then the step itself has nothing left to send)."""
        self.current(ctx, output)
        rebuild = self._records[output].get("rebuild") or {}
        journal = rebuild.get("journals", {}).get(step_id)
        if rebuild.get("state") == "done" and isinstance(journal, dict) and \
                journal.get("instruction") == "confirmed" and \
                journal.get("session_id") == self._records[output]["session_id"]:
            return dict(journal)
        return None

    def _point_records_at(self, ctx: RunContext, session_id: str,
                          rebuild: dict[str, Any]) -> None:
        """Finished instruction records name the session that now shows them, so the next
        plan edits that session instead of adding everything again."""
        for step_id in rebuild["replay"]:
            record = ctx.last_record(step_id) or {}
            journal = rebuild["journals"].get(step_id, {})
            if record.get("status") == "done" and journal.get("instruction") == "confirmed":
                ctx.checkpoint(step_id, {**record, **journal, "session_id": session_id,
                                         "status": "done"})

    def _save(self, ctx: RunContext, output: str) -> None:
        ctx.checkpoint(step_ids.step_id(output, step_ids.SESSION),
                       {**self._records[output], "status": "done"})
