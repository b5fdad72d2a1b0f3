"""The timing solver: any two of fps, duration, hold and speedup give the rest.

The quantities are tied by ``duration = photos × hold`` and ``speedup = interval / hold``
(interval = real time between two kept shots), while fps is free except that every photo must
last at least one video frame (``hold × fps >= 1``), or photos would silently vanish. So fps
plus one of the others determines everything; two of duration/hold/speedup fix the same degree
of freedom and must agree; fps alone means one frame per photo; fps defaults to 24.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import NamedTuple

from ..errors import Diagnostic, Location
from ..spec.model import Spec, TimingRequest
from .model import Timing

DEFAULT_FPS = 24.0
MAX_VIDEO_SECONDS = 24 * 3600.0  # beyond this a number is a typo, not a timelapse
_TOLERANCE = 0.01  # relative: redundant values may disagree by 1% (rounded human input)


class TimingProblem(Exception):
    def __init__(self, message: str, keys: tuple[str, ...], hint: str | None = None):
        self.message, self.keys, self.hint = message, keys, hint
        super().__init__(message)


class _Given(NamedTuple):
    """What the solver starts from: the timing as written, the photo count, the interval."""

    request: TimingRequest
    photos: int
    interval: float | None  # explicit, or measured from capture times

    def keys(self) -> tuple[str, ...]:
        r = self.request
        return tuple(k for k in ("fps", "duration", "hold", "speedup")
                     if getattr(r, k) is not None)


def _s(seconds: float) -> str:
    return f"{seconds:.3f}".rstrip("0").rstrip(".") + " s"


def _n(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= _TOLERANCE * max(abs(a), abs(b))


def _hold_from_speedup(g: _Given) -> float:
    speedup = g.request.speedup
    assert speedup is not None
    if g.interval is None:
        raise TimingProblem(
            f"speedup {_n(speedup)}x needs the real time between shots, and the photos' EXIF "
            "capture times do not give it (missing on some photos, or all equal)", ("speedup",),
            "add timing.interval (e.g. `interval: 5s`), or use photos with EXIF capture times")
    return g.interval / speedup


def _hold(g: _Given) -> float:
    """Seconds per photo from whichever of duration/hold/speedup is given; checks agreement."""
    r, n = g.request, g.photos
    candidates: list[tuple[str, float, str]] = []
    if r.hold is not None:
        candidates.append(("hold", r.hold, f"hold {_s(r.hold)}"))
    if r.duration is not None:
        span = _photo_span(r)
        candidates.append(("duration", span / n, f"{n} photos in {_s(span)} "
                           f"({_s(span / n)} each{_held(r)})"))
    if r.speedup is not None:
        hold = _hold_from_speedup(g)
        candidates.append(("speedup", hold, f"a {_n(r.speedup)}x speed-up of shots "
                           f"{_s(g.interval or 0)} apart ({_s(hold)} each, {_s(hold * n)} in all)"))
    if not candidates:
        fps = r.fps or DEFAULT_FPS
        return 1.0 / fps
    first = candidates[0]
    for other in candidates[1:]:
        if not _close(first[1], other[1]):
            raise TimingProblem(
                f"{first[2]} disagrees with {other[2]}: {n} photos would last "
                f"{_s(first[1] * n)} one way and {_s(other[1] * n)} the other",
                (first[0], other[0]), "give fps and only one of duration, hold or speedup")
    return first[1]


def _holds(request: TimingRequest) -> float:
    return request.hold_start + request.hold_end


def _held(request: TimingRequest) -> str:
    return f", after {_s(_holds(request))} of holds" if _holds(request) else ""


def _photo_span(request: TimingRequest) -> float:
    """The part of ``duration`` the photos play in: what the holds at the ends leave."""
    assert request.duration is not None
    span = request.duration - _holds(request)
    if span <= 0:
        raise TimingProblem(
            f"hold_start and hold_end ({_s(_holds(request))}) leave no time for the photos in "
            f"a {_s(request.duration)} video", ("duration",),
            "shorten the holds or lengthen duration (the holds are part of it)")
    return span


def solve(request: TimingRequest, photos: int, measured_interval: float | None) -> Timing:
    """Solve timing for ``photos`` kept photos; raises TimingProblem explaining the numbers."""
    if photos < 1:
        raise TimingProblem("there are no photos to time", ())
    for key in ("fps", "duration", "hold", "speedup", "interval"):
        value = getattr(request, key)
        if value is not None and not (math.isfinite(value) and value > 0):
            raise TimingProblem(f"timing.{key} must be a positive number, not {value}", (key,))
    for key in ("hold_start", "hold_end"):
        value = getattr(request, key)
        if not (math.isfinite(value) and value >= 0):
            raise TimingProblem(f"timing.{key} must be 0 or more, not {value}", (key,))
    interval = request.interval if request.interval is not None else measured_interval
    given = _Given(request, photos, interval)
    hold = _hold(given)
    fps = request.fps or DEFAULT_FPS
    duration = hold * photos + _holds(request)
    if hold * fps < 1 - 1e-9:
        shortest = photos / fps + _holds(request)
        keys = given.keys() or ("fps",)
        stride = int(-(-1 // (hold * fps)))  # ceil(1 / frames-per-photo)
        raise TimingProblem(
            f"{photos} photos at {_n(fps)} fps with one frame each last at least {_s(shortest)}"
            f"{_held(request)}, not {_s(duration)}: each photo would get {_n(hold * fps)} of a "
            "frame", keys,
            f"lengthen to {_s(shortest)} or more, raise fps to {_n(1 / hold)}, "
            f"or keep fewer photos (frames.every: {max(stride, 2)})")
    if duration > MAX_VIDEO_SECONDS:
        raise TimingProblem(
            f"{photos} photos would last {_s(duration)} ({duration / 3600:.1f} h); lapsefile makes "
            f"videos of up to {MAX_VIDEO_SECONDS / 3600:g} h", given.keys() or ("fps",),
            "check the units of the timing values (e.g. `hold: 2s`, not `2h`)")
    speedup = interval / hold if interval is not None else request.speedup
    return Timing(fps=fps, duration=duration, hold=hold, photo_count=photos,
                  frame_count=round(duration * fps), speedup=speedup, interval=interval,
                  hold_start=request.hold_start, hold_end=request.hold_end)


def solve_all(spec: Spec, photos: int, measured_interval: float | None
              ) -> tuple[Timing, dict[str, Timing], list[Diagnostic]]:
    """The spec's timing and each output's own (outputs without ``timing:`` are left out: they
    use the spec's), with a diagnostic for every request that cannot be solved."""
    problems: list[Diagnostic] = []
    solved: dict[str, Timing] = {}
    timing = None
    try:
        timing = solve(spec.timing, photos, measured_interval)
    except TimingProblem as problem:
        problems += problem_diagnostics(problem, lambda key: spec.where("timing", *_key(key)),
                                        prefix="timing")
    for index, output in enumerate(spec.outputs):
        if output.timing is None:
            continue
        try:
            solved[output.name] = solve(output.timing, photos, measured_interval)
        except TimingProblem as problem:
            problems += problem_diagnostics(problem, partial(_where, spec, index),
                                            prefix=f"outputs[{index}].timing")
    return timing or Timing(0, 0, 0, photos, 0), solved, problems  # unused when problems


def _key(key: str) -> tuple[str, ...]:
    return (key,) if key else ()


def _where(spec: Spec, index: int, key: str) -> Location | None:
    return spec.where("outputs", index, "timing", *_key(key))


def problem_diagnostics(problem: TimingProblem, where: Callable[[str], Location | None],
                        prefix: str = "timing") -> list[Diagnostic]:
    keys = problem.keys or ("",)
    return [Diagnostic(problem.message, path=f"{prefix}.{keys[0]}".rstrip("."),
                       location=where(keys[0]), hint=problem.hint)]
