"""The engine half of each look option (``lapsefile/looks/``): the filters it adds.

Each option ``<name>`` has a module here, ``<name>.py``, holding ``ENGINE``, an
:class:`EngineLook`; it is found by the option's name, so adding an option edits no list.
The filters of the options that are on run on the photo sequence (one frame per photo, before
the frame-rate conversion and the overlays), in the schema's order of ``look``'s keys
(``job.look`` iterates in it). Interpolation is the exception the pipeline knows by name: it
changes how the photo sequence becomes the output rate (``interpolate.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from ...named import load_named
from ..job import RenderJob


def analysis_file(option: str, chain: int) -> str:
    """The name, in the render's work folder, of a two-pass option's analysis of one photo
    sequence (``chain``: see ``pipeline.look_chains``)."""
    return f"{option}-{chain}.analysis"


def derived_file(option: str, chain: int) -> str:
    """The name, in the render's work folder, of what a two-pass option derives from its
    analysis of one photo sequence (``EngineLook.derive``)."""
    return f"{option}-{chain}.derived"


@dataclass(frozen=True)
class LookStage:
    """Where a look option's filters go: the job, which of the batch's photo sequences
    (``chain``), and in a first pass the option being analysed."""

    job: RenderJob
    chain: int = 0
    analysing: str | None = None

    @property
    def frames(self) -> int:
        """Frames of the stream the filters see: one per photo, and one more (the copy of the
        last photo that holds it to the end)."""
        return len(self.job.frames) + 1

    def file(self, option: str) -> str:
        """Where ``option``'s analysis of this sequence is (written by its first pass)."""
        return analysis_file(option, self.chain)

    def derived(self, option: str) -> str:
        """Where ``option``'s file derived from its analysis of this sequence is."""
        return derived_file(option, self.chain)


def _none(value: Any, job: RenderJob) -> set[str]:
    return set()


@dataclass(frozen=True)
class EngineLook:
    """``filters(value, stage)``: ffmpeg filters for the option's model value (empty when
    there is nothing to do, e.g. a window longer than the video); ``features(value, job)``:
    the filters and encoders of ffmpeg it needs (checked before rendering).

    A two-pass option also has ``analysis(value, stage)``: the filters of a first pass over
    the same frames, writing ``stage.file(name)``, which its ``filters`` then read. The
    first pass runs before the render (``engine/look_passes.py``) and its result is cached by
    what it saw, so only a change to the photos or to what comes before it redoes it.

    When ffmpeg cannot read the analysis as it is, ``derive(value, stage, analysis)`` turns
    it into the text of ``stage.derived(name)`` (e.g. a sendcmd script of per-photo
    settings), which ``filters`` reads instead; it runs before every render, cached or not.

    An option that changes brightness over time can say how, as ``brightness(value, levels)``:
    each photo's mean brightness (0-255) in, the same after the option out. It is a model of
    the filter, not the filter: ``lapsefile preview`` plots it before anything renders.
    """

    name: str
    filters: Callable[[Any, LookStage], list[str]]
    features: Callable[[Any, RenderJob], set[str]] = _none
    analysis: Callable[[Any, LookStage], list[str]] | None = None
    derive: Callable[[Any, LookStage, bytes], str] | None = None
    brightness: Callable[[Any, list[float]], list[float]] | None = None


@cache
def engine(name: str) -> EngineLook:
    """The engine half of look option ``name`` (``lapsefile.engine.looks.<name>``)."""
    return load_named(__name__, name, "ENGINE", EngineLook)


def filters(stage: LookStage) -> list[str]:
    """The filters of every option that is on, in order; in a first pass, those before the
    option analysed and then its analysis, which ends the chain."""
    steps: list[str] = []
    for name, value in stage.job.look.items():
        look = engine(name)
        if name == stage.analysing and look.analysis is not None:
            return steps + look.analysis(value, stage)
        steps += look.filters(value, stage)
    return steps


def two_pass(job: RenderJob) -> list[str]:
    """The options of the job's look that need a first pass, in order."""
    return [name for name in job.look if engine(name).analysis is not None]


def features(job: RenderJob) -> set[str]:
    """What ffmpeg needs for the job's look."""
    needed: set[str] = set()
    for name, value in job.look.items():
        needed |= engine(name).features(value, job)
    return needed
