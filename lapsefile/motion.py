"""``motion:``, a virtual camera move: which views are valid, and where the view is at a moment.

A view is a window on the output's frame: ``zoom`` z shows 1/z of each side, centred on
``center`` (fractions of the frame). The window must stay inside the frame (no border may
show), so a center may be at most ``(1 - 1/z) / 2`` from the middle on each axis. A center out
of reach is an error naming the nearest one, not clamped: clamping would silently frame
something other than what was written.

Between the two views the *window* moves in a straight line: its left, top and size change
linearly with the eased progress. Every window on the way is then inside the frame (the
windows that fit form a convex set), with no clamping, so the path has no kinks. The engine's
filter (``engine/motion.py``) draws exactly :func:`window`; tests measure renders against it.

The spec layer reads views through :func:`problems`; this module imports only the model and
the error types, so any layer may use it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import Diagnostic
from .spec.model import Motion, Spec, View

_TOLERANCE = 1e-9  # float noise in a center written at the very edge of its reach
_SHOWN_DIGITS = 3
MAX_ZOOM = 8.0  # the schema's maximum of view.zoom


@dataclass(frozen=True)
class Problem:
    """A view that cannot be shown: where (below ``motion``), what, and how to fix it."""

    path: tuple[str | int, ...]
    message: str
    hint: str


@dataclass(frozen=True)
class Window:
    """The part of the frame shown, as fractions of its width and height."""

    left: float
    top: float
    size: float  # of each side: 1 / zoom


def reach(zoom: float) -> tuple[float, float]:
    """The centers (on either axis) a view at ``zoom`` may have."""
    half = (1 - 1 / zoom) / 2
    return 0.5 - half, 0.5 + half


def problems(motion: Motion) -> list[Problem]:
    """Each coordinate of a view's center that its zoom cannot reach."""
    found = []
    for key, view in (("from", motion.from_), ("to", motion.to)):
        low, high = reach(view.zoom)
        for axis, value in enumerate(view.center):
            if low - _TOLERANCE <= value <= high + _TOLERANCE:
                continue
            name = "xy"[axis]
            nearest = min(max(value, low), high)
            found.append(Problem(
                (key, "center", axis),
                f"at zoom {_shown(view.zoom)} the view's center {name} must be from "
                f"{_shown(low)} to {_shown(high)}, or the view would leave the frame; "
                f"it is {_shown(value)}",
                _fix(value, nearest)))
    return found


def _fix(value: float, nearest: float) -> str:
    """The hint: the nearest center (rounded towards the middle, so that it is valid as
    written), and the zoom that would reach ``value`` if there is one."""
    scale = 10 ** _SHOWN_DIGITS
    inward = (math.floor if nearest > 0.5 else math.ceil)(round(nearest * scale, 6)) / scale
    needed = zoom_for(value)
    if needed > MAX_ZOOM:  # the frame's very edge, or nearly: no zoom reaches it
        return f"write {_shown(inward)}"
    least = math.ceil(round(needed * 100, 6)) / 100  # 4.9999999 -> 5, not 5.01
    return f"write {_shown(inward)}, or zoom in to at least {_shown(least)}"


def zoom_for(center: float) -> float:
    """The least zoom that reaches ``center`` (infinite for the frame's edge)."""
    off = abs(center - 0.5)
    return math.inf if off >= 0.5 else 1 / (1 - 2 * off)


def _shown(value: float) -> str:
    text = f"{value:.{_SHOWN_DIGITS}f}".rstrip("0").rstrip(".")
    return text or "0"


def eased(easing: str, progress: float) -> float:
    """How far along the move is at ``progress`` (0 at the first frame, 1 at the last):
    ``ease-in-out`` is a half cosine, its speed zero at both ends."""
    progress = min(1.0, max(0.0, progress))
    if easing == "linear":
        return progress
    return (1 - math.cos(math.pi * progress)) / 2


def view_window(view: View) -> Window:
    size = 1 / view.zoom
    return Window(view.center[0] - size / 2, view.center[1] - size / 2, size)


def window(motion: Motion, progress: float) -> Window:
    """The window shown at ``progress`` through the video."""
    start, end = view_window(motion.from_), view_window(motion.to)
    e = eased(motion.easing, progress)
    return Window(start.left + (end.left - start.left) * e,
                  start.top + (end.top - start.top) * e,
                  start.size + (end.size - start.size) * e)


def cloud_diagnostics(spec: Spec) -> list[Diagnostic]:
    """``motion`` on the nemo backend: refused, it is local-only. The service's documented
    draft has no camera move, so an instruction for one could never be confirmed, and its own
    zoom would not be the sub-pixel eased move rendered here."""
    if spec.backend != "nemo" or spec.motion is None:
        return []
    return [Diagnostic(
        "motion (a camera move) is local-only: the nemo backend cannot make it",
        path="motion", location=spec.where("motion"),
        hint="render with the local backend (`backend: local` or `--backend local`), or "
             "remove `motion:` to render in the cloud")]
