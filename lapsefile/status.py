"""The library behind ``lapsefile status``: compare a spec with its lock, as data.

    report = status("lapse.yaml")                         # reads only
    report = status("lapse.yaml", backend="nemo", remote=True, options={"api_url": url})
    for row in report.outputs: print(row.output, row.state)
    json.dumps(report.to_dict())                          # what `status --json` prints

With ``remote=True`` every output also gets its cloud instructions' verdicts (from the lock)
and its session's timeline as the service shows it now. A lost session or an unreachable
service does not fail the call: that output's ``timeline`` says why it is unavailable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import Diagnostic, LapsefileError
from .lock.records import OutputRecord
from .plan.step_ids import SESSION, step_id
from .runner import Prepared, prepare


@dataclass(frozen=True)
class InstructionVerdict:
    """One cloud instruction as the lock records it: confirmed, unverifiable or missing."""

    key: str
    mode: str  # add, edit, remove
    verdict: str
    unverified: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "mode": self.mode, "verdict": self.verdict,
                "unverified": self.unverified}


@dataclass(frozen=True)
class RemoteStatus:
    """What ``remote=True`` adds to an output: verdicts from the lock, the live timeline."""

    instructions: list[InstructionVerdict]
    timeline: str | None  # None without a session; "timeline unavailable: ..." on failure


@dataclass(frozen=True)
class FailedStatus:
    """The last attempt to make an output, which failed; the file on disk (if any) is still
    the one the lock's settings made."""

    step: str
    error: str
    at: str
    current: bool  # it aimed at the spec as it is now (False: at settings since changed)

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "error": self.error, "at": self.at,
                "current_settings": self.current}


@dataclass(frozen=True)
class OutputStatus:
    output: str
    path: str
    backend: str
    state: str  # "up to date", "out of date", "not made yet"
    details: list[str]  # "<step id>: <reason>" for every step a run would take
    artifact: dict[str, Any] | None  # the recorded file: path, size, sha256
    session_id: str | None
    remote: RemoteStatus | None = None
    failed: FailedStatus | None = None  # the last attempt, when it failed

    def to_dict(self) -> dict[str, Any]:
        row: dict[str, Any] = {
            "output": self.output, "path": self.path, "backend": self.backend,
            "state": self.state, "details": self.details, "artifact": self.artifact,
            "session_id": self.session_id}
        if self.failed is not None:  # only then, as the remote keys
            row["failed"] = self.failed.to_dict()
        if self.remote is not None:
            row["instructions"] = [i.to_dict() for i in self.remote.instructions]
            row["timeline"] = self.remote.timeline
        return row


@dataclass(frozen=True)
class StatusReport:
    outputs: list[OutputStatus]
    orphans: list[str]  # outputs in the lock but no longer in the spec (pruned at the next run)
    warnings: list[Diagnostic] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The ``status --json`` document: ``{"outputs": [...]}``."""
        return {"outputs": [o.to_dict() for o in self.outputs]}


def status(spec_path: str | os.PathLike[str], *, backend: str | None = None,
           remote: bool = False, options: Mapping[str, Any] | None = None,
           env: Mapping[str, str] | None = None) -> StatusReport:
    """Each output of the spec against its lock; ``remote`` also asks the cloud for timelines.

    ``options`` are backend options as ``run`` takes them (``api_url``, ...). Raises a
    LapsefileError when the spec or the lock cannot be read.
    """
    prepared = prepare(spec_path, backend=backend, env=env)
    rows = _rows(prepared)
    if remote:
        rows = _with_remote(prepared, rows, dict(options or {}))
    names = {row.output for row in rows}
    orphans = sorted(set(prepared.lock.outputs) - names)
    return StatusReport(rows, orphans, prepared.warnings)


def _rows(prepared: Prepared) -> list[OutputStatus]:
    rows = []
    for output in prepared.project.spec.outputs:
        steps = prepared.plan.for_output(output.name)
        needed = [s for s in steps if s.needed]
        recorded = prepared.lock.outputs.get(output.name) or OutputRecord()
        session = recorded.step(step_id(output.name, SESSION))
        artifact = next((r.artifact for r in recorded.steps.values() if r.artifact), None)
        # An entry without a basis or a file is only a failed or interrupted first attempt.
        made = recorded.fingerprint is not None or artifact is not None
        rows.append(OutputStatus(
            output=output.name, path=output.path, backend=prepared.plan.backend,
            state="up to date" if not needed else ("out of date" if made else "not made yet"),
            details=[f"{s.id}: {s.reason}" for s in needed],
            artifact=artifact,
            session_id=session.data.get("session_id") if session else None,
            failed=_failed(prepared, output.name, recorded)))
    return rows


def _failed(prepared: Prepared, name: str, recorded: OutputRecord) -> FailedStatus | None:
    attempt = recorded.failed
    if attempt is None:
        return None
    current = attempt.fingerprint == prepared.plan.bases[name].fingerprint
    return FailedStatus(attempt.step, attempt.error, attempt.at, current)


def _with_remote(prepared: Prepared, rows: list[OutputStatus],
                 options: Mapping[str, Any]) -> list[OutputStatus]:
    from .backends.nemo import timeline_summary  # the HTTP client only when asked for

    found = []
    for row in rows:
        instructions = verdicts(prepared.lock.outputs.get(row.output))
        try:
            timeline = timeline_summary(row.session_id, options) if row.session_id else None
        except LapsefileError as exc:
            # One lost session or an unreachable service must not hide the local status.
            first = (str(exc).splitlines() or [type(exc).__name__])[0]
            timeline = f"timeline unavailable: {first}"
        found.append(replace(row, remote=RemoteStatus(instructions, timeline)))
    return found


def verdicts(recorded: OutputRecord | None) -> list[InstructionVerdict]:
    """Each cloud instruction's verdict from an output's lock entry, removals left out."""
    found = []
    for step in (recorded.steps if recorded is not None else {}).values():
        record = step.data  # the instruction's journal
        removed = record.get("mode") == "remove" and record.get("instruction") == "confirmed"
        if record.get("key") and "instruction" in record and not removed:
            found.append(InstructionVerdict(
                key=record["key"], mode=record.get("mode", "add"),
                verdict=record.get("verdict") or (
                    "not checked yet" if record.get("instruction") != "confirmed"
                    else "confirmed"),
                unverified=record.get("unverified", [])))
    return found
