"""The library behind ``plan``, ``status`` and ``run``: load, resolve, plan, execute, record.

The runner owns the lock: backends only execute steps and hand back records, and the runner
writes the lock atomically after every step (and at every checkpoint a backend asks for), so a
crash or Ctrl-C loses at most the step in flight.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .backends import get_backend, registry
from .errors import (
    Diagnostic,
    LapsefileError,
    LockOutdatedError,
    SpecError,
    is_storage_fault,
    storage_error,
)
from .events import Emit, Event, discard
from .lock.lockfile import Lock, load_lock, lock_path_for, remove_stale_temps
from .lock.records import FailedAttempt, OutputRecord, StepRecord
from .plan.fingerprint import output_assets, output_files
from .plan.model import Plan, Step
from .plan.planner import OutputBasis, make_plan
from .plan.texts import PlanTexts
from .project.model import Project
from .project.resolve import resolve_project
from .project.statcache import OUTPUTS_CACHE_NAME, StatCache
from .spec import load_spec_with_warnings

if TYPE_CHECKING:
    # What only running needs is imported by run_project: `validate`, which prepares
    # (plans) but never runs, imports neither the backends' contract nor the run lock.
    from .backends.base import BackendRecord, RunContext
    from .disk_looks import Looks
    from .made import OutputMade  # the summary's module is imported when there is one


@dataclass(repr=False, eq=False)  # never compared or printed (start-up)
class Prepared:
    """What ``prepare`` made: the project, the lock as read, the plan and the warnings."""

    project: Project
    lock: Lock
    plan: Plan
    warnings: list[Diagnostic]


@dataclass(repr=False, eq=False)  # never compared or printed (start-up)
class RunSummary:
    """What a run did: the plan, the steps executed, the outputs made, how long it took."""

    plan: Plan
    executed: list[str] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    dry_run: bool = False
    report: dict[str, Any] = field(default_factory=dict)  # the backend's: credits spent, ...
    outputs: list[OutputMade] = field(default_factory=list)  # those this run made
    elapsed: float = 0.0  # seconds, the whole run
    # output -> [when its first step started, when its last step finished] (monotonic)
    clock: dict[str, list[float]] = field(default_factory=dict, repr=False)

    @property
    def up_to_date(self) -> bool:
        return not self.plan.needed

    def to_dict(self) -> dict[str, Any]:
        return {"plan": self.plan.to_dict(), "executed": self.executed, "dry_run": self.dry_run,
                "up_to_date": self.up_to_date, "report": self.report,
                "outputs": [o.to_dict() for o in self.outputs],
                "elapsed": round(self.elapsed, 2),
                "warnings": [w.to_dict() for w in self.warnings]}

    def timed(self, step: Step, finished: bool) -> None:
        """Note when ``step`` of its output started or finished."""
        now = time.monotonic()
        times = self.clock.setdefault(step.output, [now, now])
        if finished:
            times[1] = now

    def seconds(self, output: str) -> float | None:
        times = self.clock.get(output)
        return times[1] - times[0] if times else None


def _observe_artifacts(lock: Lock, root: Path, cache: StatCache) -> dict[str, str | None]:
    """sha256 of every file the lock says was made, posters too (None when it is gone)."""
    found: dict[str, str | None] = {}
    made = [f["path"] for out in lock.outputs.values() for record in out.steps.values()
            for f in record.files]
    for path in dict.fromkeys(made):
        try:
            st = (root / path).stat()
        except OSError:
            found[path] = None
            continue
        found[path] = cache.hash_files([(path, st)])[path].sha256
    return found


def prepare(spec_path: str | os.PathLike[str], *, backend: str | None = None,
            force: bool | Iterable[str] = False, only: Iterable[str] | None = None,
            env: Mapping[str, str] | None = None, emit: Emit = discard,
            looks: Looks | None = None) -> Prepared:
    """Load the spec, resolve inputs, read the lock and plan. Reads only; writes caches.

    ``backend`` overrides the spec's: any name the registry knows (``backends/registry.py``).
    ``looks`` notes what loading the spec looked at (``disk_looks.py``, for ``validate``).
    """
    if backend:
        registry.get(backend)  # an unknown name fails before any work, listing the known ones
    spec, warnings = load_spec_with_warnings(spec_path, env, looks=looks)
    if backend and backend != spec.backend:
        # The spec's model spells the built-in names; a plug-in's name is carried as is.
        spec = replace(spec, backend=backend)  # type: ignore[arg-type]
    project, more = resolve_project(spec, emit=emit)
    from .engine import preflight  # fonts and music, before anything renders (ARCHITECTURE)
    project, more = preflight.check(project, more,
                                    fonts=not registry.get(spec.backend).own_fonts)
    lock = load_lock(lock_path_for(spec.path))
    only = list(only) if only is not None else None
    if only:
        unknown = [o for o in only if o not in {out.name for out in spec.outputs}]
        if unknown:
            names = ", ".join(o.name for o in spec.outputs)
            raise LapsefileError(f"no output named {', '.join(unknown)} (outputs: {names})")
    made = StatCache.load(spec.root, OUTPUTS_CACHE_NAME)  # not the photos' (statcache.py)
    artifacts = _observe_artifacts(lock, spec.root, made)
    made.save()
    # Templates are read and rendered here, once per instruction: planning reads no files.
    texts = PlanTexts.load(project, backend or spec.backend)
    plan = make_plan(project, lock, artifacts, texts, backend=backend, force=force, only=only)
    return Prepared(project, lock, plan, warnings + more)


class _Recorder:
    """Writes step records into the lock. An output's header (the basis its file was made
    from) changes only when every step of the new basis is done: a run that fails keeps the
    last good record, and says what failed beside it (``OutputRecord.failed``)."""

    def __init__(self, prepared: Prepared):
        self.project, self.lock, self.plan = prepared.project, prepared.lock, prepared.plan
        self.steps = {s.id: s for s in self.plan.steps}
        self.live = _recorded(prepared)  # every planned step's record, kept current

    def write(self, step_id: str, record: BackendRecord, status: str) -> None:
        self._put(step_id, record, status)
        self.lock.save()

    def _put(self, step_id: str, record: BackendRecord, status: str) -> None:
        step = self.steps[step_id]
        entry = self.lock.outputs.setdefault(step.output, OutputRecord())
        current = {s.id for s in self.plan.for_output(step.output)}
        # Records of steps the plan no longer has describe nothing real. Those of planned steps
        # stay, even when out of date: a cloud session's record says what its timeline shows,
        # which the next plan needs to edit it in place.
        kept = {k: v for k, v in entry.steps.items() if k in current}
        kept[step_id] = StepRecord.split({**record, "status": status,
                                          "fingerprint": step.fingerprint})
        self.live[step_id] = kept[step_id].to_dict()
        entry.steps = dict(sorted(kept.items()))
        if self._complete(step.output):
            self._made(entry, step.output)

    def _complete(self, output: str) -> bool:
        """Every step of the output's plan is done, for the fingerprint planned."""
        return all(self.live.get(s.id, {}).get("status") == "done"
                   and self.live[s.id].get("fingerprint") == s.fingerprint
                   for s in self.plan.for_output(output))

    def _made(self, entry: OutputRecord, name: str) -> None:
        """The output now is what its planned basis makes: record that basis as is."""
        basis: OutputBasis = self.plan.bases[name]
        entry.backend, entry.fingerprint = self.plan.backend, basis.fingerprint
        entry.settings, entry.inputs_digest = basis.settings, basis.inputs_digest
        entry.failed = None
        self.lock.inputs.update({f.relpath: f.sha256 for f in
                                 output_files(self.project, self.project.spec.output(name))})

    def fail(self, step_ids: Iterable[str], error: str) -> None:
        """Record that these steps failed, keeping every record of work that was done."""
        # The lock is committed: no absolute paths, even in a quoted error.
        error = error.replace(f"{self.project.spec.root}{os.sep}", "")[:300]
        for step_id in step_ids:
            step = self.steps[step_id]
            previous = self.lock.step(step.output, step_id)
            # This run's own record of the step (a checkpoint: a cloud instruction's journal)
            # becomes a failed one, resumed next time. A done record, or one aimed at other
            # settings, is the last good one (what the file or the session shows): kept.
            if previous is None or (previous.fingerprint == step.fingerprint
                                    and previous.status != "done"):
                self._put(step_id, {**(previous.to_dict() if previous else {}),
                                    "error": error}, "failed")
            entry = self.lock.outputs.setdefault(step.output, OutputRecord())
            entry.failed = FailedAttempt(
                self.plan.bases[step.output].fingerprint, step_id, error,
                time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        self.lock.save()

    def checkpoint(self, step_id: str, record: BackendRecord) -> None:
        self.write(step_id, record, record.get("status", "in_progress"))

    def prune(self) -> None:
        """After a full run: forget outputs and inputs the spec no longer has, and failed
        attempts (every output is up to date now, so they are history)."""
        names = {o.name for o in self.project.spec.outputs}
        outputs = {k: v for k, v in self.lock.outputs.items() if k in names}
        used = set(self.project.frames.relpaths()) | {  # the photos without an object each
            a.relpath for o in self.project.spec.outputs for a in output_assets(self.project, o)}
        inputs = {k: v for k, v in self.lock.inputs.items() if k in used}
        settled = [v for v in outputs.values() if v.failed is not None]
        if (outputs, inputs) != (self.lock.outputs, self.lock.inputs) or settled \
                or not self.lock.exists:
            for entry in settled:
                entry.failed = None
            self.lock.outputs, self.lock.inputs = outputs, inputs
            self.lock.save()


def _batches(steps: Sequence[Step]) -> Iterator[list[Step]]:
    """Consecutive steps sharing a batch key run together; all others one at a time."""
    for _batch, group in itertools.groupby(steps, key=lambda s: s.batch or id(s)):
        yield list(group)


def _execute(prepared: Prepared, ctx: RunContext, recorder: _Recorder, emit: Emit,
             summary: RunSummary) -> None:
    needed = prepared.plan.needed
    if not needed:
        return  # up to date: not even the backend's capability probe runs
    backend = get_backend(prepared.plan.backend)
    try:
        backend.check(ctx, needed)
        for batch in _batches(needed):
            _execute_batch(prepared, ctx, recorder, emit, backend, batch, summary)
    finally:
        summary.report = dict(backend.report(ctx))
        if summary.report:
            emit(Event("report", None, summary.report))


def _execute_batch(prepared: Prepared, ctx: RunContext, recorder: _Recorder, emit: Emit,
                   backend: Any, batch: list[Step], summary: RunSummary) -> None:
    for step in batch:
        summary.timed(step, finished=False)
        emit(Event("step_start", step.id, {"action": step.action, "reason": str(step.reason),
                                           "resource": step.resource}))
    pending = {s.id for s in batch}
    try:
        for step, record in backend.execute(ctx, batch):
            recorder.write(step.id, record, "done")
            pending.discard(step.id)
            summary.executed.append(step.id)
            summary.timed(step, finished=True)
            emit(Event("step_done", step.id, {"action": step.action}))
    except (LapsefileError, OSError) as exc:
        if not isinstance(exc, LapsefileError) and not is_storage_fault(exc):
            raise  # not a file the environment refused: a bug, for the boundary
        error = exc if isinstance(exc, LapsefileError) else storage_error(exc)
        first_line = (str(error).splitlines() or [type(error).__name__])[0]
        for step_id in sorted(pending):
            emit(Event("step_failed", step_id, {"error": first_line}))
        _record_failure(recorder, sorted(pending), first_line, emit)
        if error is exc:
            raise
        raise error from exc
    if pending:
        raise LapsefileError(f"the {prepared.plan.backend} backend did not finish "
                             f"{', '.join(sorted(pending))}")


def _record_failure(recorder: _Recorder, step_ids: list[str], error: str, emit: Emit) -> None:
    """Record the failure in the lock, if the lock can be written: when it cannot (the disk
    is full), the step's own error is the one to report, and the lock stays as it was."""
    try:
        recorder.fail(step_ids, error)
    except LapsefileError as lost:
        first = (str(lost).splitlines() or [type(lost).__name__])[0]
        emit(Event("warning", None, {"text": f"the failure could not be recorded: {first}"}))


def run_project(spec_path: str | os.PathLike[str], *, backend: str | None = None,
                force: bool | Iterable[str] = False, locked: bool = False,
                dry_run: bool = False, only: Iterable[str] | None = None,
                options: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None,
                emit: Emit = discard) -> RunSummary:
    """Bring the outputs up to date with the spec, recording every step in the lock."""
    from .backends.base import RunContext
    from .lock.runlock import run_lock

    spec_file, started = existing_spec_file(spec_path), time.monotonic()
    with run_lock(spec_file.resolve().parent):
        prepared = prepare(spec_file, backend=backend, force=force, only=only, env=env,
                           emit=emit)
        plan = prepared.plan
        summary = RunSummary(plan, warnings=prepared.warnings, dry_run=dry_run)
        emit(Event("plan", None, {"steps": len(plan.steps), "needed": len(plan.needed),
                                  "backend": plan.backend}))
        stale = _stale_for_locked(plan)
        if locked and stale:
            raise LockOutdatedError(
                "--locked: the lock does not match the spec; these steps would run: "
                + ", ".join(f"{s.id} ({s.reason})" for s in stale[:10]),
                str(prepared.lock.path), [s.id for s in stale])
        for step in plan.steps:
            if not step.needed:
                emit(Event("step_skip", step.id, {"reason": str(step.reason)}))
        if dry_run:
            return summary
        remove_stale_temps(prepared.lock.path.parent)
        if plan.needed:  # only before work that could meet them: a no-op stays light
            from .leftovers import remove_what_killed_runs_left

            remove_what_killed_runs_left(prepared)
        recorder = _Recorder(prepared)
        ctx = RunContext(project=prepared.project, plan=plan, options=dict(options or {}),
                         backend_state=prepared.lock.backends.setdefault(plan.backend, {}),
                         previous=_resumable(prepared), recorded=recorder.live,
                         emit=emit, force=bool(force),
                         _checkpoint=recorder.checkpoint)
        _execute(prepared, ctx, recorder, emit, summary)
        if only is None:
            recorder.prune()
        summary.outputs = _made(prepared.project, summary, ctx.options.get("ffmpeg"))
        summary.elapsed = time.monotonic() - started
        return summary


def existing_spec_file(spec_path: str | os.PathLike[str]) -> Path:
    """``spec_path``, which must be a file: a missing one is a spec error naming it."""
    spec_file = Path(spec_path)
    if not spec_file.is_file():
        raise SpecError([Diagnostic(f"{spec_file}: no such file",
                                    hint="pass the path of a lapse.yaml, or run `lapsefile init`")])
    return spec_file


def _made(project: Project, summary: RunSummary, ffmpeg: Any) -> list[OutputMade]:
    """The closing summary: every output whose steps all ran in this run, as made."""
    from .made import describe

    ran = set(summary.executed)
    root = project.spec.root
    return [describe(project, name, root / project.spec.output(name).path,
                     summary.seconds(name), str(ffmpeg) if ffmpeg else None)
            for name in dict.fromkeys(s.output for s in summary.plan.needed)
            if all(s.id in ran for s in summary.plan.for_output(name) if s.needed)]


def _stale_for_locked(plan: Plan) -> list[Step]:
    """Steps that mean the lock is out of date. Re-making an output that is merely missing
    (a fresh clone, an ignored out/ folder) is what --locked exists to allow, like installing
    from a lock."""
    stale, remaking = [], set()
    for step in plan.needed:
        if step.reason.kind == "output_missing" or (step.reason.kind == "upstream"
                                                    and step.output in remaking):
            remaking.add(step.output)
        else:
            stale.append(step)
    return stale


# Backends see records as dicts (RunContext.record, last_record): converted here, once.
def _recorded(prepared: Prepared) -> dict[str, BackendRecord]:
    """Every record the lock holds for the plan's steps, whatever settings made it."""
    found = {s.id: prepared.lock.step(s.output, s.id) for s in prepared.plan.steps}
    return {k: v.to_dict() for k, v in found.items() if v is not None}


def _resumable(prepared: Prepared) -> dict[str, BackendRecord]:
    """Records left by the last run that still belong to the current plan's steps."""
    out: dict[str, BackendRecord] = {}
    for step in prepared.plan.steps:
        record = prepared.lock.step(step.output, step.id)
        if record is not None and record.fingerprint == step.fingerprint:
            out[step.id] = record.to_dict()
    return out
