"""How faithfully the agent carries an instruction out: partial and approximate application.

The real agent is a language model: now and then it does only part of what it was asked, or
does it a little off, and still says "Done!". Both are off by default.

- Partial (``partial_rate``): an add or set instruction that names at least two parts (see
  :data:`PARTS`: a title's window, position, size, colour, box and fades; a logo's position,
  scale and opacity; ...) has one of them, chosen at random, left out. An add falls back to the
  service's default for that part (a title's window becomes the whole video, a dropped box is
  no box); a set leaves that part as it was. Timelines, replacements and removals are whole.
- Approximate (``approximate_rate``): every time the edit carries (a title's start, end and
  fades; the music's offset and fades) is one frame early or late (never below 0), and every
  fraction (size, scale, opacity, volume) one point (0.01) lower or higher (size, scale and
  opacity stay within 0.01..1, volume at or above 0). A frame is 1/fps of the timeline.

Draws come from ``random.Random(f"{seed}:{session}:{instruction}:fidelity")``, apart from the
stream's own draws, so turning these on changes nothing else and a rerun repeats them. The
tool call's ``args`` show what was applied, the text reply what was asked; the call log entry
lists the parts left out (``partial``) and the values moved (``approximate``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any

from ..spec.model import look_names
from .agent import Edit
from .intents import DEFAULTS

PARTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "title": (("start", "end"), ("position",), ("size",), ("color",), ("box", "box_color"),
              ("fade_in", "fade_out")),
    "timestamp": (("format",), ("position",), ("size",), ("color",)),
    "logo": (("position",), ("scale",), ("opacity",)),
    "music": (("volume",), ("start",), ("fade_in", "fade_out"), ("fit",)),
    "look": tuple((name,) for name in look_names()),
}
TIMES = {"title": ("start", "end", "fade_in", "fade_out"), "music": ("start", "fade_in",
                                                                      "fade_out")}
FRACTIONS = ("size", "scale", "opacity", "volume")
POINT = 0.01


@dataclass(frozen=True)
class Fidelity:
    edit: Edit  # what the agent actually applies
    dropped: tuple[str, ...] = ()  # the parts it left out
    moved: tuple[str, ...] = ()  # the values it got slightly wrong


def carry_out(edit: Edit, rng: random.Random, partial_rate: float, approximate_rate: float,
              fps: float | None) -> Fidelity:
    # Both draws happen every time, so one rate never shifts the other's outcomes.
    partial, approximate = rng.random() < partial_rate, rng.random() < approximate_rate
    params = dict(edit.params)
    dropped = _drop_part(edit, params, rng) if partial else ()
    moved = _nudge(edit.kind, params, rng, 1 / (fps or 24.0)) if approximate else ()
    return Fidelity(replace(edit, params=params), dropped, moved)


def _drop_part(edit: Edit, params: dict[str, Any], rng: random.Random) -> tuple[str, ...]:
    if edit.action not in ("add", "set"):
        return ()
    defaults = DEFAULTS.get(edit.kind, {})
    if edit.action == "add":
        groups = [g for g in PARTS.get(edit.kind, ())
                  if any(params.get(k) != defaults.get(k) for k in g if k in defaults)]
    else:
        groups = [g for g in PARTS.get(edit.kind, ()) if any(k in params for k in g)]
    if len(groups) < 2:
        return ()
    group = rng.choice(groups)
    for key in group:
        if edit.action == "set" or key not in defaults:
            params.pop(key, None)
        else:
            params[key] = defaults[key]
    return group


def _nudge(kind: str, params: dict[str, Any], rng: random.Random,
           frame: float) -> tuple[str, ...]:
    moved = []
    for key in TIMES.get(kind, ()):
        value = params.get(key)
        if isinstance(value, (int, float)):
            later = rng.random() < 0.5 or value < frame
            params[key] = round(value + (frame if later else -frame), 6)
            moved.append(key)
    for key in FRACTIONS:
        value = params.get(key)
        if isinstance(value, float):
            low, high = (0.0, float("inf")) if key == "volume" else (POINT, 1.0)
            up = rng.random() < 0.5
            nudged = value + (POINT if up else -POINT)
            if not low <= nudged <= high:
                nudged = value - (POINT if up else -POINT)  # the other way stays in range
            params[key] = round(nudged, 6)
            moved.append(key)
    return tuple(moved)
