"""The engine's half of an overlay kind: its filter chain on one output's video."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..filters import Graph
from ..job import RenderJob
from ..workdir import Workdir

# (what, spec-relative path, input options) -> the ffmpeg input number of that file
OpenFile = Callable[[str, str, Sequence[str]], int]


@dataclass
class Stage:
    """One output's video on its way through the overlays.

    Kinds add filters drawn on the stream (:meth:`draw`) or composite another input over it
    (:meth:`composite`); consecutive drawn filters share one chain.
    """

    graph: Graph
    video: str  # label of the video so far
    job: RenderJob
    index: int  # the job's place in its batch: names its work files
    canvas: tuple[int, int]  # the encoded size
    duration: float  # of the encoded video, in seconds
    fps: float  # the exact output frame rate
    work: Workdir
    open_file: OpenFile
    _pending: list[str] = field(default_factory=list)

    def resolve(self, relpath: str) -> Path:
        return self.job.resolve(relpath)

    def draw(self, filters: Sequence[str]) -> None:
        self._pending.extend(filters)

    def composite(self, source: str, prep: Sequence[str], place: str) -> None:
        """``source`` through ``prep``, then placed over the video by the filter ``place``."""
        self._flush()
        layer = self.graph.chain(source, prep)
        self.video = self.graph.chain([self.video, layer], [place])

    def finish(self) -> str:
        self._flush()
        return self.video

    def _flush(self) -> None:
        if self._pending:
            self.video = self.graph.chain(self.video, self._pending)
            self._pending = []


@dataclass(frozen=True)
class EngineOverlay:
    name: str  # the kind's name in lapsefile.overlays.KINDS
    job_field: str  # the RenderJob field holding its items (a tuple, or one item or None)
    chain: Callable[[Any, int, Stage], None]  # (item, its number in the field, stage)
    features: Callable[[Any], set[str]]  # ffmpeg filters an item needs

    def items(self, job: RenderJob) -> list[Any]:
        value = getattr(job, self.job_field)
        if isinstance(value, tuple):
            return list(value)
        return [] if value is None else [value]
