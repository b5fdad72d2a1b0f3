"""The ``nemo`` backend's steps for one output, planned so a change costs only what it changes.

A session keeps its timeline, so each step's fingerprint covers only what that step depends on:

    session, upload   the *timeline basis*: photos, timing, size and fit, cloud settings and
                      the timeline instruction (and, for upload, the logo and music files)
    instruction k     the timeline basis and instruction k's own numbers
    export            every instruction's fingerprint and the upload
    download          the export

A changed timeline basis means a new session where every instruction is sent as written. Any
other change keeps the session: an instruction whose numbers changed is sent as an *edit* of what
the last run applied ("Change the title text from "A" to "B"."), one that disappeared from the
spec as a *removal*, a new one as usual, and the export runs again.

What the session shows is read from the lock: each instruction's record keeps ``session_id``,
``applied`` (the numbers the session shows, None once removed), and, while in flight, ``mode``
and ``from``, so a resumed run regenerates the very same sentence and reconciles it instead of
sending another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import overlays
from ..lock.records import OutputRecord, StepRecord
from ..project.model import Project
from ..spec.model import Output
from .fingerprint import digest, output_files
from .instructions import Instruction, Wording
from .step_ids import DOWNLOAD, EXPORT, SESSION, UPLOAD, instruct_id, step_id

if TYPE_CHECKING:
    from .planner import OutputBasis

@dataclass(frozen=True)
class LastRun:
    """What the lock says the output's session shows."""

    records: Mapping[str, StepRecord]  # step id -> record (any fingerprint)
    session_id: str | None  # None when the session must be (re)made

    def record(self, step: str) -> StepRecord | None:
        return self.records.get(step)

    def base(self, step: str, fingerprint: str) -> tuple[str, Any]:
        """(mode, the numbers to edit from) for an instruction aimed at ``fingerprint``."""
        record = self.record(step)
        if record is None or self.session_id is None or \
                record.data.get("session_id") != self.session_id:
            return "add", None
        journal = record.data
        if record.fingerprint == fingerprint and journal.get("mode"):
            # Same target as the record: the same sentence, so a resumed run reconciles it.
            return str(journal["mode"]), journal.get("from")
        if journal.get("instruction") == "confirmed":
            applied = journal.get("applied")
        else:  # stopped before it was confirmed: what it started from is what we know
            applied = journal.get("from") if journal.get("mode") == "edit" else \
                journal.get("applied")
        return ("edit", applied) if applied is not None else ("add", None)


def last_run(previous: OutputRecord | None, output: str,
             timeline_fingerprint: str) -> LastRun:
    records = previous.steps if previous is not None else {}
    session = records.get(step_id(output, SESSION)) or StepRecord()
    alive = session.status == "done" and \
        session.fingerprint == session_fingerprint(timeline_fingerprint)
    session_id = session.data.get("session_id")
    return LastRun(records, str(session_id) if alive and session_id else None)


def session_fingerprint(timeline_fingerprint: str) -> str:
    return digest([timeline_fingerprint, SESSION])


def timeline_basis(project: Project, settings: Mapping[str, Any], revision: int) -> str:
    """Everything that, changed, means a new session: the timeline itself."""
    frames = [f.sha256 for f in project.frames]
    timeline = settings["instructions"][0] if settings.get("instructions") else None
    return digest([revision, settings["frames"], settings["timing"], settings["output"],
                   settings["cloud"], settings["look"] if project.spec.cloud.upload == "clip"
                   else None, timeline, frames])


def cloud_steps(project: Project, output: Output, output_basis: OutputBasis,
                previous: OutputRecord | None) -> list[dict[str, Any]]:
    """Raw steps (id, action, resource, fingerprint, after, instruction, params), from the
    instructions and the edit renderer the basis carries (rendered before planning)."""
    name = output.name
    wording = output_basis.wording
    if wording is None:
        raise ValueError("cloud steps need the texts rendered first: PlanTexts.load(project, "
                         "backend)")
    basis = timeline_basis(project, output_basis.settings, output_basis.engine_revision)
    last = last_run(previous, name, basis)
    strategy = project.spec.cloud.upload
    files = output_files(project, output)
    assets = files[len(project.frames):]
    uploads = (f"{len(project.frames)} photos" if strategy == "frames" else "1 clip") + (
        f" + {len(assets)} asset(s)" if assets else "")
    session = step_id(name, SESSION)
    upload = step_id(name, UPLOAD)
    steps: list[dict[str, Any]] = [
        dict(id=session, action="session", resource="session",
             fingerprint=session_fingerprint(basis), after=[]),
        dict(id=upload, action="upload", resource=uploads, params={"strategy": strategy},
             fingerprint=digest([basis, UPLOAD, [(f.relpath, f.sha256) for f in assets]]),
             after=[session])]
    wanted = output_basis.instructions
    keys = {i.key for i in wanted}
    for instruction in wanted:
        steps.append(_instruct_step(project, output, wording, instruction, basis, last,
                                    [upload]))
    for sid, record in last.records.items():
        removed = _removal(project, output, wording, sid, record, keys, basis, last, [upload])
        if removed:
            steps.append(removed)
    instructs = [s for s in steps if s["action"] == "instruct"]
    export = step_id(name, EXPORT)
    steps.append(dict(id=export, action="export", resource="render",
                      fingerprint=digest([basis, EXPORT, steps[1]["fingerprint"],
                                          [s["fingerprint"] for s in instructs]]),
                      after=[upload, *(s["id"] for s in instructs)]))
    steps.append(dict(id=step_id(name, DOWNLOAD), action="download", resource=output.path,
                      fingerprint=digest([steps[-1]["fingerprint"], DOWNLOAD, output.path]),
                      after=[export]))
    return steps


def _instruct_step(project: Project, output: Output, wording: Wording, instruction: Instruction,
                   basis: str, last: LastRun, after: list[str]) -> dict[str, Any]:
    sid = instruct_id(output.name, instruction.key)
    fingerprint = digest([basis, instruction.key, instruction.kind, instruction.params])
    mode, base = last.base(sid, fingerprint)
    text: str | None = instruction.text
    if mode == "edit":
        text = wording.edit(instruction, base)
        if text is None:  # the session shows these numbers already: record, send nothing
            mode = "keep"
    return dict(id=sid, action="instruct", resource=f"{_verb(mode)} {instruction.key}",
                instruction=text, fingerprint=fingerprint, after=after,
                concerns=concerns(project, output, instruction.key, instruction.kind),
                params={"key": instruction.key, "kind": instruction.kind,
                        "params": instruction.params, "mode": mode, "from": base,
                        "text_as_written": instruction.text})


def _removal(project: Project, output: Output, wording: Wording, sid: str,
             record: StepRecord, keys: set[str], basis: str, last: LastRun,
             after: list[str]) -> dict[str, Any] | None:
    """The step that removes what an instruction the spec no longer has put on the timeline
    (None when the session does not show it)."""
    key, kind = record.data.get("key"), record.data.get("kind")
    if not sid.startswith(instruct_id(output.name, "")) or key in keys or not kind:
        return None
    # Aimed at removing what the session shows: its fingerprint is that of the numbers applied.
    mode, base = last.base(sid, _removal_fingerprint(basis, key, record.data.get("applied")))
    if mode == "remove":
        fingerprint = record.fingerprint
    elif mode == "edit":
        fingerprint = _removal_fingerprint(basis, key, base)
    else:
        return None  # not on this session's timeline: nothing to remove
    removal = Instruction(str(key), str(kind), "", dict(base or {}))
    return dict(id=sid, action="instruct", resource=f"remove {key}",
                instruction=wording.edit(removal, base, remove=True),
                fingerprint=fingerprint, after=after,
                concerns=concerns(project, output, str(key), str(kind)),
                params={"key": key, "kind": kind, "params": base, "mode": "remove",
                        "from": base, "text_as_written": None})


def _removal_fingerprint(basis: str, key: Any, applied: Any) -> str:
    return digest([basis, key, "remove", applied])


def concerns(project: Project, output: Output, key: str, kind: str) -> tuple[str, ...]:
    """The spec keys an instruction is about, to name them in its reason."""
    # "title-2": the output's second shown title, wherever it is in the spec
    overlay = overlays.concerns(project.spec, output.name, key, kind)
    if overlay is not None:
        return overlay
    return {"timeline": ("frames", "timing", "output", "cloud"), "look": ("look",),
            "music": ("music",)}.get(kind, ())


def _verb(mode: str) -> str:
    return {"add": "instruction", "edit": "edit", "remove": "remove",
            "keep": "already shown:"}.get(mode, mode)
