"""Planning: a pure function of (project, lock, observed outputs) to an ordered list of steps.

``plan``, ``run --dry-run`` and ``run`` all call :func:`make_plan`, so they agree by
construction. Nothing here touches the disk or the network: the caller gathers what planning
needs first (observed outputs; the instruction texts, rendered from templates, in
:class:`~lapsefile.plan.texts.PlanTexts`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from ..backends import registry
from ..lock.lockfile import Lock
from ..lock.records import OutputRecord, StepRecord
from ..project.model import Project
from ..spec.model import Output
from .fingerprint import (
    changed_fields,
    changed_files,
    digest,
    output_files,
    output_inputs_digest,
    output_settings,
)
from .model import Plan, Reason, Step
from .step_ids import RENDER, step_id
from .texts import PlanTexts

if TYPE_CHECKING:  # a plan that sends no words never imports the wording (texts.py)
    from .instructions import Instruction, Wording


class OutputBasis(NamedTuple):
    """What an output's steps derive from, and what the lock stores to explain changes."""

    settings: dict[str, Any]
    inputs_digest: str
    fingerprint: str
    engine_revision: int  # the backend's, from the registry; part of ``fingerprint``
    # What step builders of instructed backends read (not stored): the output's instructions,
    # rendered before planning, and the renderer of edit sentences.
    instructions: tuple[Instruction, ...] = ()
    wording: Wording | None = None


def output_basis(project: Project, output: Output, backend: str,
                 texts: PlanTexts) -> OutputBasis:
    instructions = tuple(texts.instructions.get(output.name, ()))
    settings = output_settings(project, output, backend, instructions)
    files_digest = output_inputs_digest(project, output)
    revision = registry.get(backend).engine_revision
    return OutputBasis(settings, files_digest, digest([revision, settings, files_digest]),
                       revision, instructions, texts.wording)


# The built-in step builders; the registry (backends/registry.py) says which backend uses which.
def local_steps(project: Project, output: Output, basis: OutputBasis,
                previous: OutputRecord | None) -> list[dict[str, Any]]:
    # Outputs sharing photos, timing and look decode once: the engine renders them together.
    shared = basis.settings
    decode_key = digest([shared["frames"], shared["timing"], shared["look"],
                         project.frames.sha256s()])
    render = step_id(output.name, RENDER)
    # A cut output (``render.chunks``) has its chunk count in the params, as fingerprinted.
    chunks = shared.get("render", {}).get("chunks", 1)
    return [dict(id=render, action=RENDER, resource=output.path,
                 batch=f"decode:{decode_key[:16]}", after=[],
                 fingerprint=digest([basis.fingerprint, render, None, {}]),
                 params={"chunks": chunks} if chunks > 1 else {})]


def nemo_steps(project: Project, output: Output, basis: OutputBasis,
               previous: OutputRecord | None) -> list[dict[str, Any]]:
    """The cloud backend's steps (``cloud_steps.py``, imported by the plans that have them:
    a local plan, and so ``validate`` of it, never does)."""
    from .cloud_steps import cloud_steps

    return cloud_steps(project, output, basis, previous)


def _change_reason(previous: OutputRecord | None, basis: OutputBasis, project: Project,
                   output: Output, lock: Lock) -> Reason | None:
    """Why an output's recorded state no longer fits, or None if it still does."""
    if previous is None or previous.settings is None:
        return None
    old_backend = previous.backend
    if old_backend and old_backend != basis.settings["backend"]:
        return Reason("spec_changed", (f"backend {old_backend} -> {basis.settings['backend']}",))
    # The instruction texts are derived from the other settings: name them only when nothing
    # else changed (a template edit).
    fields = changed_fields(previous.settings, basis.settings)
    fields = [f for f in fields if not f.startswith("instructions")] or fields
    if fields:
        return Reason("spec_changed", tuple(fields))
    if previous.inputs_digest != basis.inputs_digest:
        files = changed_files(lock.inputs, output_files(project, output))
        return Reason("input_changed", tuple(files) or ("the photos differ from last time",))
    return None


def _narrowed(reason: Reason, concerns: tuple[str, ...]) -> Reason:
    """A spec change named by the keys this step is about (``overlays.titles[0]`` for the
    first title's instruction), when any of them changed."""
    if reason.kind != "spec_changed" or not concerns:
        return reason
    mine = tuple(d for d in reason.details if d.startswith(concerns))
    return Reason(reason.kind, mine) if mine else reason


def _step_reason(fingerprint: str, record: StepRecord | None, change: Reason | None,
                 artifacts: Mapping[str, str | None]) -> Reason:
    if record is None:
        return change or Reason("new")
    if record.fingerprint != fingerprint:
        return change or Reason("spec_changed", ("lapsefile engine settings",))
    if record.status == "failed":
        return Reason("failed", ((record.error[:200],) if record.error else ())
                      + _chunks_done(record))
    if record.status != "done":
        return Reason("incomplete", _chunks_done(record))
    for artifact in record.files:
        actual = artifacts.get(artifact["path"])
        if actual is None:
            return Reason("output_missing", (artifact["path"],))
        if actual != artifact.get("sha256"):
            return Reason("output_missing", (f"{artifact['path']} was modified",))
    return Reason("up_to_date")


def _chunks_done(record: StepRecord) -> tuple[str, ...]:
    """How far a chunked render got, as its record says (``backends/local_chunks.py``): the
    next run encodes only the rest."""
    chunks = record.data.get("chunks")
    if not isinstance(chunks, dict) or not isinstance(chunks.get("of"), int):
        return ()
    done = chunks.get("done")
    return (f"{len(done) if isinstance(done, dict) else 0} of {chunks['of']} chunks done",)


def _still_made(previous: OutputRecord | None, basis: OutputBasis,
                raws: list[dict[str, Any]], artifacts: Mapping[str, str | None]) -> bool:
    """The file on disk is what this basis makes, whatever earlier steps' records say.

    After a run failed part-way (a cloud session edited, then its export refused), the lock
    keeps the output's good record; a spec put back to it needs no work, though the session's
    records now describe the failed attempt. Proof: the output was recorded as made from this
    basis, and every step that wrote a file did so for the fingerprint planned now (which,
    chained, covers every step before it), the file unchanged since.
    """
    if previous is None or previous.fingerprint != basis.fingerprint:
        return False
    makers = [(raw["fingerprint"], previous.step(raw["id"])) for raw in raws]
    files = [(fingerprint, r) for fingerprint, r in makers if r is not None and r.files]
    return bool(files) and all(
        r.status == "done" and r.fingerprint == fingerprint
        and all(artifacts.get(f["path"]) == f.get("sha256") for f in r.files)
        for fingerprint, r in files)


def _forced(output: str, force: bool | Iterable[str]) -> bool:
    return force is True or (not isinstance(force, bool) and output in set(force))


def make_plan(project: Project, lock: Lock, artifacts: Mapping[str, str | None],
              texts: PlanTexts, *, backend: str | None = None,
              force: bool | Iterable[str] = False, only: Iterable[str] | None = None) -> Plan:
    """Steps for every output (or those in ``only``), each with its reason, and each planned
    output's basis (``Plan.bases``, which the runner records as is).

    ``artifacts`` maps each recorded output path to the sha256 of the file now on disk (None
    when missing) and ``texts`` holds the rendered instructions (``PlanTexts.load``); gathering
    them is the caller's I/O, keeping this function pure.
    """
    backend = backend or project.spec.backend
    wanted = set(only) if only is not None else None
    builder = registry.get(backend).step_builder()
    steps: list[Step] = []
    bases: dict[str, OutputBasis] = {}
    for output in project.spec.outputs:
        if wanted is not None and output.name not in wanted:
            continue
        basis = bases[output.name] = output_basis(project, output, backend, texts)
        previous = lock.outputs.get(output.name)
        change = _change_reason(previous, basis, project, output, lock)
        needed: dict[str, str] = {}  # step id -> the step that makes it run (itself or earlier)
        raws = builder(project, output, basis, previous)
        made = _still_made(previous, basis, raws, artifacts)
        for raw in raws:
            after, concerns = raw.pop("after"), raw.pop("concerns", ())
            record = previous.step(raw["id"]) if previous is not None else None
            if _forced(output.name, force):
                reason = Reason("forced")
            elif made:
                reason = Reason("up_to_date")
            else:
                reason = _narrowed(_step_reason(raw["fingerprint"], record, change, artifacts),
                                   concerns)
                cause = next((needed[a] for a in after if a in needed), None)
                if reason.kind == "up_to_date" and cause:
                    reason = Reason("upstream", (cause,))
            if reason.kind != "up_to_date":
                needed[raw["id"]] = reason.details[0] if reason.kind == "upstream" \
                    else raw["id"]
            steps.append(Step(reason=reason, output=output.name, **raw))
    return Plan(backend, tuple(steps), bases)
