"""``run --draft``: every output rendered as a draft, to look at, without touching the real ones.

A draft is the output at ``quality: draft`` (its own size, decoded small, a fast preset: see
``engine/encode.py``) written to ``.lapsefile/preview/drafts/<name><ext>``. It is rendered by
the local engine whatever the spec's backend: a draft is for looking, so it should cost
nothing (a cloud draft would send paid instructions) and it must leave no trace in
``lapse.lock``, where a cloud session's records would have to go. Nothing is planned against
the lock and nothing is written to it: drafts are not outputs, so they are always rendered
anew, and the real outputs stay exactly as up to date as they were.

A draft run holds the project's run lock, like a run: it removes what a killed draft render
left in the drafts folder, which must never be the temp file of a live one.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .backends.local import job_for_output
from .errors import Diagnostic
from .events import Emit, Event, discard
from .lock.runlock import run_lock
from .made import OutputMade, describe
from .paths import ensure_state_dir, state_dir
from .project.model import Project
from .runner import existing_spec_file, prepare

DRAFTS = ("preview", "drafts")  # the folder, under the project's state folder


@dataclass
class DraftRun:
    """What ``run_drafts`` made: each draft as made, and how long it all took."""

    folder: Path
    outputs: list[OutputMade] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    elapsed: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"draft": True, "folder": str(self.folder),
                "outputs": [o.to_dict() for o in self.outputs],
                "elapsed": round(self.elapsed, 2),
                "warnings": [w.to_dict() for w in self.warnings]}


def draft_file(project: Project, name: str) -> Path:
    """Where the draft of output ``name`` goes: its name, its file's extension (a GIF's draft
    is a GIF), in the drafts folder. Output names are file-name safe (the schema says so)."""
    suffix = Path(project.spec.output(name).path).suffix
    return state_dir(project.spec.root).joinpath(*DRAFTS, f"{name}{suffix}")


def run_drafts(spec_path: str | os.PathLike[str], *, only: Iterable[str] | None = None,
               options: Mapping[str, Any] | None = None,
               env: Mapping[str, str] | None = None, emit: Emit = discard) -> DraftRun:
    """Render every (selected) output of the spec as a draft with the local engine; see the
    module's docstring. Events: ``step_start``/``step_done`` and ``progress`` under the step
    id ``<output>/draft``."""
    from .engine.ffmpeg import find_ffmpeg
    from .engine.render import batch_jobs, remove_stale_render_files, render

    spec_file, started = existing_spec_file(spec_path), time.monotonic()
    with run_lock(spec_file.resolve().parent, command="lapsefile run --draft"):
        prepared = prepare(spec_file, backend="local", only=only, env=env, emit=emit)
        project = prepared.project
        names = list(dict.fromkeys(only)) if only else [o.name for o in project.spec.outputs]
        folder = ensure_state_dir(project.spec.root, *DRAFTS)
        jobs = [replace(job_for_output(project, project.spec.output(name)),
                        output=draft_file(project, name), quality="draft", poster=None)
                for name in names]
        remove_stale_render_files(job.output for job in jobs)
        explicit = (options or {}).get("ffmpeg")
        ffmpeg = find_ffmpeg(str(explicit) if explicit else None)
        result = DraftRun(folder, warnings=list(prepared.warnings))
        for batch in batch_jobs(jobs):
            steps = [f"{names[i]}/draft" for i in batch]
            for i, step in zip(batch, steps):
                emit(Event("step_start", step, {"action": "draft", "reason": "draft",
                                                "resource": _shown(project, jobs[i].output)}))
            begun = time.monotonic()
            render([jobs[i] for i in batch], ffmpeg, _reporter(emit, steps, names, batch))
            seconds = time.monotonic() - begun
            for i, step in zip(batch, steps):
                emit(Event("step_done", step, {"action": "draft"}))
                result.outputs.append(describe(project, names[i], jobs[i].output, seconds,
                                               str(explicit) if explicit else None))
        result.elapsed = time.monotonic() - started
        return result


def _shown(project: Project, path: Path) -> str:
    return path.relative_to(project.spec.root).as_posix()


def _reporter(emit: Emit, steps: list[str], names: list[str], batch: list[int]):
    """The batch's progress, as each of its drafts' (one ffmpeg renders them together)."""
    def report(done: float, total: float) -> None:
        for step, i in zip(steps, batch):
            emit(Event("progress", step, {"done": round(done, 3), "total": round(total, 3),
                                          "unit": "s", "label": f"draft {names[i]}"}))
    return report
