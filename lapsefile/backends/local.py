"""The ``local`` backend: every output is rendered on this machine by ffmpeg.

Steps are all ``render`` steps, one per output. Outputs that share photos, timing and look are
rendered by one ffmpeg process (see :mod:`lapsefile.engine.render`), so a batch of steps
finishes together; each step's record names its file, its hash, the ffmpeg version and the
arguments used (with no absolute paths: the lock is committed).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from ..engine.ffmpeg import Ffmpeg, find_ffmpeg
from ..engine.job import Canvas, RenderJob
from ..engine.overlays import job_fields
from ..engine.render import RenderResult, batch_jobs, render, required_features
from ..errors import RenderError
from ..events import Event
from ..overlays import shown_overlays
from ..plan.model import Step
from ..project.model import Project
from ..spec.formats import container_of, poster_path
from ..spec.model import Output
from .base import BackendRecord, RunContext
from .local_chunks import Executors, chunks_of, render_cut

DECODING = "decoding photos"  # the progress label of the photos decoded before a render


def job_for_output(project: Project, output: Output) -> RenderJob:
    """What the engine renders for ``output`` of ``project``."""
    spec, timing = project.spec, project.timing_for(output.name)
    return RenderJob(
        root=spec.root,
        frames=tuple(f.path for f in project.frames),
        fps=timing.fps,
        duration=timing.duration,
        hold=timing.hold,
        hold_start=timing.hold_start,
        canvas=Canvas(output.width, output.height, output.fit),
        output=spec.root / output.path,
        look=spec.look,
        capture_times=tuple(f.captured_at for f in project.frames),
        # titles, timestamp, logo: the overlays this output shows
        **job_fields(shown_overlays(spec, output.name)),
        # a silent format (.gif) leaves the music out, so nothing decodes it
        music=spec.music if container_of(output.path).audio else None,
        motion=spec.motion,  # relative to the canvas: the same move in every output
        quality=output.quality,
        codec=output.codec,
        poster=output.poster,
    )


class LocalBackend:
    name: ClassVar[str] = "local"

    def check(self, ctx: RunContext, steps: Sequence[Step]) -> None:
        ffmpeg = self._ffmpeg(ctx)
        needed: set[str] = set()
        for step in steps:
            needed |= required_features(self._job(ctx, step))
        ffmpeg.require(needed)

    def report(self, ctx: RunContext) -> dict[str, Any]:
        return {}  # the outputs' records say everything a local render did

    def execute(self, ctx: RunContext,
                steps: Sequence[Step]) -> Iterator[tuple[Step, BackendRecord]]:
        ffmpeg = self._ffmpeg(ctx)
        jobs = [self._job(ctx, step) for step in steps]
        warned: set[str] = set()  # batches share the music: say each warning once
        executors = Executors(ctx)  # for outputs cut in chunks (local_chunks.py)
        try:
            for batch in batch_jobs(jobs):
                for part in _by_chunks(batch, steps):
                    part_steps = [steps[i] for i in part]
                    part_jobs = [jobs[i] for i in part]
                    warn = _warner(ctx, part_steps[0], warned)
                    if chunks_of(part_steps[0]) > 1:
                        done = render_cut(ctx, part_steps, part_jobs, ffmpeg, executors, warn)
                    else:
                        done = zip(part_steps, render(part_jobs, ffmpeg,
                                                      _reporter(ctx, part_steps), warn,
                                                      _decoding_reporter(ctx, part_steps)))
                    for step, result in done:
                        yield step, _record(ctx, step, result, ffmpeg)
        finally:
            executors.close()

    @staticmethod
    def _ffmpeg(ctx: RunContext) -> Ffmpeg:
        explicit: Any = ctx.options.get("ffmpeg")
        return find_ffmpeg(str(explicit) if explicit else None)

    @staticmethod
    def _job(ctx: RunContext, step: Step) -> RenderJob:
        if step.action != "render":
            raise RenderError(f"the local backend renders outputs; it cannot run the "
                              f"{step.action!r} step {step.id}")
        try:
            output = ctx.project.spec.output(step.output)
        except KeyError:
            raise RenderError(f"step {step.id} names an output {step.output!r} that the "
                              f"spec does not have") from None
        return job_for_output(ctx.project, output)


def _by_chunks(batch: Sequence[int], steps: Sequence[Step]) -> list[list[int]]:
    """A batch's jobs by how many chunks their outputs are cut into: those rendered whole stay
    one ffmpeg process, as before; each cut is rendered chunk by chunk."""
    parts: dict[int, list[int]] = {}
    for index in batch:
        parts.setdefault(chunks_of(steps[index]), []).append(index)
    return list(parts.values())


def _record(ctx: RunContext, step: Step, result: RenderResult,
            ffmpeg: Ffmpeg) -> BackendRecord:
    """The finished step's record: the file, its hash, the ffmpeg and arguments that made it."""
    output = ctx.project.spec.output(step.output)
    record: BackendRecord = {
        "artifact": {"path": output.path, "size": result.size, "sha256": result.sha256},
        "ffmpeg_version": ffmpeg.version,
        "args": result.args,
    }
    if chunks_of(step) > 1:
        record["chunks"] = chunks_of(step)  # joined from this many (the args: the join's)
    if result.poster is not None:  # made by the same render, beside the video
        record["poster"] = {"path": poster_path(output.path), "size": result.poster.size,
                            "sha256": result.poster.sha256}
    return record


def _warner(ctx: RunContext, step: Step, warned: set[str]):
    def warn(text: str) -> None:
        if text not in warned:
            warned.add(text)
            ctx.emit(Event("warning", step.id, {"text": text}))
    return warn


def _decoding_reporter(ctx: RunContext, steps: Sequence[Step]):
    """Photos lapsefile decodes before a render (RAW, HEIC, TIFF: minutes for thousands),
    shown as each step's progress before its render's."""
    def report(done: int, total: int) -> None:
        for step in steps:
            ctx.emit(Event("progress", step.id, {"done": done, "total": total,
                                                 "unit": "files", "label": DECODING}))
    return report


def _reporter(ctx: RunContext, steps: Sequence[Step]):
    def report(done: float, total: float) -> None:
        for step in steps:
            ctx.emit(Event("progress", step.id, {"done": round(done, 3), "total": round(total, 3),
                                                 "unit": "s", "label": f"render {step.output}"}))
    return report
