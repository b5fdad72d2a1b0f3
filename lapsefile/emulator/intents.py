"""From what was heard to what to do: one builder per kind of instruction.

A builder gets the :class:`~.understand.Utterance` and the action the verbs asked for (add,
set, replace or remove) and returns ``(kind, action, params)``, or None when the sentence does
not say enough to act on. Units are the draft's: seconds, fractions (8% -> 0.08), pixels.

- add: every parameter, the ones not mentioned at the service's defaults (:data:`DEFAULTS`).
- set: only what the sentence names, plus ``target``: the title's current text (the first of
  two quoted texts, or the only one), the logo's or music's current file name, the timestamp's
  current format (the first of two quoted formats; not checked). A title's ``length`` without
  a start is kept as ``length``: the window then starts where the title already starts.
- replace: ``target`` (the old file, when named) and ``filename`` (the new one); for a title,
  a set of its text.
- remove: ``target`` when named; for the look, the parts named are turned off (all when none
  is named).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import asdict
from math import gcd
from typing import Any

from .. import looks
from ..looks.deflicker import Deflicker
from ..looks.exposure import Exposure
from ..looks.stabilize import Stabilize
from ..spec.defaults import default, filled
from ..spec.model import Look, look_names
from .understand import Utterance

Built = tuple[str, str, dict[str, Any]] | None


def _off(name: str) -> Any:
    """An option turned off, as the draft keeps it: None for one that is a mapping when on
    (``deflicker``), else the schema's default (``blend: 1``)."""
    return None if filled(f"look.{name}", True) is not True else default(f"look.{name}")


def _draft_look(look: Look) -> dict[str, Any]:
    """A look as the draft's video track keeps it: every option, as JSON data."""
    return {name: looks.as_data(look[name]) if name in look else _off(name)
            for name in look_names()}


DEFAULTS: dict[str, dict[str, Any]] = {
    "title": {"start": 0.0, "end": None, "position": "center", "size": 0.08, "color": "white",
              "box": False, "fade_in": 0.0, "fade_out": 0.0},
    "timestamp": {"format": "%Y-%m-%d %H:%M", "position": "bottom-right", "size": 0.04,
                  "color": "white", "box": False},
    "logo": {"position": "top-right", "scale": 0.15, "opacity": 1.0},
    "music": {"volume": 1.0, "start": 0.0, "fade_in": 0.0, "fade_out": 0.0, "fit": "loop"},
    "look": _draft_look(Look()),  # lapsefile's own look defaults: the schema's
}
DEFLICKER = asdict(Deflicker())  # what "deflicker" alone turns on
STABILIZE = asdict(Stabilize())  # what "stabilize" alone turns on
EXPOSURE = asdict(Exposure())  # what "smooth the exposure" alone turns on
LOOK_OFF: dict[str, Any] = {name: _off(name) for name in look_names()}  # each part off
CANVAS = (1920, 1080)
FPS = 24.0


def timeline(said: Utterance, action: str) -> Built:
    photos = said.of_unit("photos")
    videos = said.files_of("video")
    if action == "remove":
        return None
    if videos and not photos:
        return clip(said, action)
    count = int(float(photos[0].raw)) if photos else None
    seconds = dict(reversed([(role or "duration", v.amount)
                             for role, v in said.roles("timeline", "s")]))
    hold = seconds.get("hold")
    duration = seconds.get("duration") or (count * hold if count and hold else None)
    if duration is None:
        return None
    params = {"photos": count, "duration": duration, **_canvas(said)}
    if hold is None and count:
        hold = duration / count  # the photos share the video evenly
    if hold is not None:
        params["hold"] = hold  # unknown until the uploads are counted: see draft._set_video
    return "timeline", "add", params


def clip(said: Utterance, action: str) -> Built:
    videos = said.files_of("video")
    seconds = said.of_unit("s")
    if action == "remove" or not videos or not seconds:
        return None
    return "clip", "add", {"filename": videos[0], "duration": seconds[0].amount,
                           **_canvas(said)}


def _canvas(said: Utterance) -> dict[str, Any]:
    rates = said.of_unit("fps") or [v for role, v in said.roles("timeline", "") if role == "fps"]
    width, height = said.width or CANVAS[0], said.height or CANVAS[1]
    divisor = gcd(width, height) or 1
    return {"fps": float(rates[0].raw) if rates else FPS, "width": width, "height": height,
            "aspect": said.aspect or f"{width // divisor}:{height // divisor}",
            "fit": said.fit() or "cover"}


def look(said: Utterance, action: str) -> Built:
    named = _look_parts(said)
    if action == "remove":
        return "look", "remove", {part: LOOK_OFF[part] for part in (named or LOOK_OFF)}
    if not named:
        return None
    counts: dict[str | None, int] = {}
    for role, value in said.roles("look", "frames", ""):
        counts.setdefault(role, int(float(value.raw)))
    loose = counts.pop(None, None)
    counting = [p for p in ("stabilize", "exposure", "deflicker", "blend")
                if named.get(p) and p not in counts]
    if loose is not None and counting:  # "(mode median, 9 frames)": the part it stands by
        counts[counting[0]] = loose
    mode = re.search(said.words.mode, said.text)
    on = {"deflicker": {"size": counts.get("deflicker", DEFLICKER["size"]),
                        "mode": mode[1] if mode else DEFLICKER["mode"]},
          "blend": counts.get("blend", 2), "interpolate": True,
          "stabilize": {"smoothing": counts.get("stabilize", STABILIZE["smoothing"])},
          "exposure": {"window": counts.get("exposure", EXPOSURE["window"])}}
    values = {part: on[part] if named[part] else LOOK_OFF[part] for part in named}
    if action == "add":  # the parts not named at their defaults
        return "look", "add", {**copy.deepcopy(DEFAULTS["look"]), **values}
    return "look", "set", values


def _look_parts(said: Utterance) -> dict[str, bool]:
    """The look parts mentioned, each on, or off when negated ("without blending")."""
    named: dict[str, bool] = {}
    for part, pattern in said.words.look_parts:
        if match := re.search(pattern, said.text):
            head = said.text[said.clause(match.start())[0]:match.start()]
            named[part] = not re.search(said.words.negation, head)
    return named


def title(said: Utterance, action: str) -> Built:
    quotes, named = said.quotes, {**_text_style(said, "title"), **_title_times(said)}
    if action == "remove":
        return "title", "remove", {"target": quotes[0]} if quotes else {}
    if action in ("set", "replace"):
        params = {"target": quotes[0]} if quotes else {}
        if len(quotes) >= 2 and quotes[-1] != quotes[0]:  # "from "A" to "B"", not "A" twice
            params["text"] = quotes[-1]
        params.update(named)
        return ("title", "set", params) if set(params) - {"target"} else None
    if not quotes:
        return None
    params = {"text": quotes[0], **DEFAULTS["title"], **named}
    if "length" in params:
        params["end"] = params["start"] + params.pop("length")
    return "title", "add", params


def _text_style(said: Utterance, kind: str) -> dict[str, Any]:
    style: dict[str, Any] = {}
    if position := said.position():
        style["position"] = position
    sizes = [v for role, v in said.roles(kind, "%") if role in ("size", None)]
    if sizes:
        style["size"] = float(sizes[0].raw) / 100
    if said.colour:
        style["color"] = said.colour
    if said.box is not None:
        style["box"] = said.box
    if said.box:
        style["box_color"] = said.box_colour or "black@0.5"
    return style


def _title_times(said: Utterance) -> dict[str, float]:
    times: dict[str, float] = {}
    loose: list[float] = []
    items = said.roles("title", "s")
    for i, (role, value) in enumerate(items):
        if value.ranged and i + 1 < len(items):
            times["start"], times["end"] = value.amount, items[i + 1][1].amount
        elif role == "first":
            times.update(start=0.0, end=value.amount)
        elif role in ("start", "end", "fade_in", "fade_out", "length"):
            times.setdefault(role, value.amount)
        elif not (i and items[i - 1][1].ranged):
            loose.append(value.amount)
    for amount, key in zip(loose, [k for k in ("start", "end") if k not in times]):
        times[key] = amount
    _both_fades(said, times)
    if "length" in times and "start" in times:
        times["end"] = times["start"] + times.pop("length")
    return times


def _both_fades(said: Utterance, times: dict[str, float]) -> None:
    """"fade in and out over 0.5 s": one number for both fades."""
    fades = [times[k] for k in ("fade_in", "fade_out") if k in times]
    if len(fades) == 1 and said.has(said.words.both_fades):
        times["fade_in"] = times["fade_out"] = fades[0]


def timestamp(said: Utterance, action: str) -> Built:
    if action == "remove":
        return "timestamp", "remove", {}
    quotes = said.quotes
    style = {k: v for k, v in _text_style(said, "timestamp").items()
             if k not in ("box", "box_color")}
    if action == "add":
        return "timestamp", "add", {**DEFAULTS["timestamp"],
                                    **({"format": quotes[0]} if quotes else {}), **style}
    params = {"target": quotes[0], "format": quotes[-1]} if len(quotes) >= 2 else (
        {"format": quotes[0]} if quotes else {})
    params.update(style)
    return ("timestamp", "set", params) if set(params) - {"target"} else None


def logo(said: Utterance, action: str) -> Built:
    return _media("logo", said.files_of("image"), said, action, _logo_values(said))


def _logo_values(said: Utterance) -> dict[str, Any]:
    values: dict[str, Any] = {"position": said.position()} if said.position() else {}
    for role, value in said.roles("logo", "%", ""):
        if value.unit or role:
            key = role or ("scale" if "scale" not in values else "opacity")
            values.setdefault(key, _fraction(value.raw, value.unit))
    return values


def music(said: Utterance, action: str) -> Built:
    values: dict[str, Any] = {}
    for role, value in said.roles("music", "s"):
        if role in ("start", "fade_in", "fade_out", "duration"):
            values.setdefault(role, value.amount)
    for role, value in said.roles("music", "%", ""):
        if value.unit or role == "volume":
            values.setdefault("volume", _fraction(value.raw, value.unit))
    fade: dict[str, float] = {k: values[k] for k in ("fade_in", "fade_out") if k in values}
    _both_fades(said, fade)
    values.update(fade)
    fit = next((f for f, pattern in said.words.music_fits if said.has(pattern)), None)
    if fit:
        values["fit"] = fit
    return _media("music", said.files_of("audio"), said, action, values)


def _media(kind: str, files: list[str], said: Utterance, action: str,
           values: dict[str, Any]) -> Built:
    """Logo and music: a file to add, change, replace or remove."""
    if action == "remove":
        return kind, "remove", {"target": files[0]} if files else {}
    if action == "add":
        return (kind, "add", {"filename": files[0], **DEFAULTS[kind], **values}) if files \
            else None
    if len(files) >= 2 or (action == "replace" and files):
        old = {"target": files[0]} if len(files) >= 2 else {}
        return kind, "replace", {**old, "filename": files[-1], **values}
    params = {"target": files[0], **values} if files else values
    return (kind, "set", params) if values else None


def _fraction(raw: str, unit: str) -> float:
    """"80%" -> 0.8; a bare number is a percentage above 1, a fraction up to 1."""
    number = float(raw)
    return number / 100 if unit == "%" or number > 1 else number


BUILDERS: dict[str, Callable[[Utterance, str], Built]] = {
    "timeline": timeline, "clip": clip, "look": look, "title": title,
    "timestamp": timestamp, "logo": logo, "music": music}
