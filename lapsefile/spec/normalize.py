"""Schema-valid data -> the dataclasses of :mod:`lapsefile.spec.model`.

Units become seconds and fractions, shorthands are expanded, defaults applied (the schema's,
through :func:`.defaults.default`), sizes resolved to pixels. Sections that failed schema
validation are skipped (their errors are already reported), so the checks here still run on
everything else and the user sees all at once.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from .. import looks, units
from ..errors import Diagnostic, Location
from . import formats
from .defaults import SchemaDefault, default, filled
from .document import Document
from .model import (
    PRESET_HEIGHTS,
    Cloud,
    Codec,
    Frames,
    Logo,
    Look,
    Motion,
    Music,
    Output,
    Poster,
    Render,
    TextStyle,
    Timestamp,
    TimingRequest,
    Title,
    View,
    look_names,
    text_style,
)
from .paths import DocPath, dotted, nearest
from .sizes import explicit_size, preset_dimensions

_HOLDS = ("hold_start", "hold_end")
_LENGTHS = ("duration", "hold", "speedup")  # one of them says how long the photos last
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


@dataclass(repr=False, eq=False)  # never compared or printed (start-up)
class Parts:
    """What normalized; a section is None (or missing from a list) when it had errors."""

    frames: Frames | None = None
    timing: TimingRequest | None = None
    look: Look | None = None
    titles: dict[int, Title] = field(default_factory=dict)  # by index in overlays.titles
    timestamp: Timestamp | None = None
    logo: Logo | None = None
    music: Music | None = None
    outputs: dict[int, Output] = field(default_factory=dict)  # by index in outputs
    backend: str = field(default_factory=SchemaDefault("backend"))
    cloud: Cloud | None = None
    motion: Motion | None = None
    render: Render = field(default_factory=Render)
    complete: bool = False  # every section normalized without error


class Normalizer:
    def __init__(self, data: dict[str, Any], document: Document, broken: set[DocPath]):
        self.data = data
        self.document = document
        self.broken = broken
        self.diagnostics: list[Diagnostic] = []
        self.spec_timing: TimingRequest | None = None  # what outputs' own timing lays over

    def run(self) -> Parts:
        parts = Parts()
        errors_before = self._errors()
        if self.usable(("frames",)):
            parts.frames = self.frames()
        if self.usable(("timing",)):
            parts.timing = self.timing()
        if self.usable(("look",)):
            parts.look = self.look()
        if self.usable(("music",)):
            parts.music = self.music()
        if self.usable(("backend",)):
            parts.backend = self.data.get("backend", default("backend"))
        if self.usable(("cloud",)):
            parts.cloud = self.cloud()
        if self.usable(("motion",)):
            parts.motion = self.motion()
        if self.usable(("render",)):
            parts.render = Render(chunks=_given(self.data.get("render") or {}, "render",
                                                "chunks"))
        overlays = _mapping(self.data.get("overlays"))
        if self.usable(("overlays", "timestamp")):
            parts.timestamp = self.timestamp(overlays.get("timestamp"))
        if self.usable(("overlays", "logo")):
            parts.logo = self.logo(overlays.get("logo"))
        for index, item in enumerate(_sequence(overlays.get("titles"))):
            if self.usable(("overlays", "titles", index)):
                parts.titles[index] = self.title(index, item)
        for index, item in enumerate(_sequence(self.data.get("outputs"))):
            if self.usable(("outputs", index)):
                parts.outputs[index] = self.output(index, item)
        self.unique_names(parts.outputs)
        parts.complete = not self.broken and self._errors() == errors_before
        return parts

    def _errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "error")

    def usable(self, path: DocPath) -> bool:
        """No schema error inside ``path`` or at one of its ancestors."""
        return not any(b[:len(path)] == path or path[:len(b)] == b for b in self.broken)

    def report(self, message: str, path: DocPath, hint: str | None = None,
               severity: str = "error", location: Location | None = None) -> None:
        self.diagnostics.append(Diagnostic(
            message, path=dotted(path), location=location or nearest(self.document.values, path),
            hint=hint, severity=severity))  # type: ignore[arg-type]

    def parse(self, parser: Callable[[Any], float], value: Any, path: DocPath) -> float | None:
        try:
            return parser(value)
        except ValueError as exc:
            message, _, hint = str(exc).rpartition("; ")
            self.report(message or hint, path, hint if message else None)
            return None

    def seconds(self, value: Any, path: DocPath, positive: bool = False) -> float:
        result = self.parse(units.parse_duration, value, path)
        if result == 0 and positive:
            self.report(f"{dotted(path)} must be more than 0, not {value!r}", path)
        return result or 0.0

    def fraction(self, value: Any, path: DocPath, maximum: float = 1.0,
                 positive: bool = False) -> float:
        result = self.parse(lambda v: units.parse_fraction(v, maximum), value, path)
        if result == 0 and positive:
            self.report(f"{dotted(path)} must be more than 0%, not {value!r}", path)
        return 0.0 if result is None else result

    def frames(self) -> Frames:
        value = self.data["frames"]
        if not isinstance(value, dict):
            value = {"include": value}
        return Frames(include=_strings(value["include"]),
                      exclude=_strings(value.get("exclude", [])),
                      sort=_given(value, "frames", "sort"),
                      every=int(_given(value, "frames", "every")))

    def timing(self) -> TimingRequest:
        value = self.data.get("timing") or {}
        written = self._timing_keys(value, ("timing",))
        holds = {key: self.seconds(_given(value, "timing", key), ("timing", key))
                 for key in _HOLDS if key not in written}  # the schema's defaults
        self.spec_timing = TimingRequest(**written, **holds)
        return self.spec_timing

    def output_timing(self, value: dict[str, Any], path: DocPath) -> TimingRequest:
        """An output's timing: its keys over the spec's, where any of duration, hold and
        speedup replaces all three (they say the same thing: how long the photos last)."""
        written = self._timing_keys(value, path)
        inherited = dataclasses.asdict(self.spec_timing or TimingRequest())
        if any(key in written for key in _LENGTHS):
            inherited.update(dict.fromkeys(_LENGTHS))
        return TimingRequest(**{**inherited, **written})

    def _timing_keys(self, value: dict[str, Any], base: DocPath) -> dict[str, Any]:
        """The timing keys written in ``value``, in the model's units."""
        out: dict[str, Any] = {}
        for key, given in value.items():
            path = base + (key,)
            if key == "fps":
                out[key] = float(given)
            elif key == "speedup":
                out[key] = self.parse(units.parse_speedup, given, path)
            elif key in _HOLDS:
                out[key] = self.seconds(given, path)
            else:
                out[key] = self._optional_seconds(given, path)
        return out

    def _optional_seconds(self, value: Any, path: DocPath) -> float | None:
        return None if value is None else self.seconds(value, path, positive=True)

    def look(self) -> Look:
        """Each option as its own module (``lapsefile/looks/``) reads it."""
        value = self.data.get("look") or {}
        return Look({name: looks.parse(name, filled(f"look.{name}", _given(value, "look", name)))
                     for name in look_names()})

    def motion(self) -> Motion | None:
        """The camera move; a center its zoom cannot reach is reported (lapsefile/motion.py)."""
        value = self.data.get("motion")
        if value is None:
            return None
        from .. import motion  # here: most specs have no camera move to check

        result = Motion(from_=_view(value.get("from")), to=_view(value["to"]),
                        easing=_given(value, "motion", "easing"))
        for problem in motion.problems(result):
            self.report(problem.message, ("motion", *problem.path), hint=problem.hint)
        return result

    def cloud(self) -> Cloud:
        value = self.data.get("cloud") or {}
        return Cloud(language=_given(value, "cloud", "language"),
                     upload=_given(value, "cloud", "upload"),
                     proxy_max_edge=int(_given(value, "cloud", "proxy_max_edge")),
                     templates=_file(value.get("templates")))

    def style(self, value: dict[str, Any], path: DocPath, base: TextStyle) -> TextStyle:
        box = value.get("box", base.box)
        return TextStyle(
            position=value.get("position", base.position),
            size=self.fraction(value.get("size", base.size), path + ("size",), positive=True),
            color=value.get("color", base.color),
            box=box is not False, box_color=box if isinstance(box, str) else base.box_color,
            margin=self.fraction(value.get("margin", base.margin), path + ("margin",)),
            font=_file(value.get("font")))

    def fades(self, value: dict[str, Any], path: DocPath, prefix: str) -> tuple[float, float]:
        both = value.get("fade")
        if both is not None:
            fade = self.seconds(both, path + ("fade",))
            return fade, fade
        return (self.seconds(_given(value, prefix, "fade_in"), path + ("fade_in",)),
                self.seconds(_given(value, prefix, "fade_out"), path + ("fade_out",)))

    def title(self, index: int, value: dict[str, Any]) -> Title:
        path: DocPath = ("overlays", "titles", index)
        start = self.seconds(_given(value, "overlays.titles[]", "start"), path + ("start",))
        end = None if value.get("end") is None else self.seconds(value["end"], path + ("end",))
        if end is not None and end <= start:
            self.report(f"the title ends ({units.format_duration(end)}) "
                        f"{'when' if end == start else 'before'} it starts "
                        f"({units.format_duration(start)})", path + ("end",),
                        hint="make end later than start, or leave end out to show it until "
                             "the end of the video")
        fade_in, fade_out = self.fades(value, path, "overlays.titles[]")
        style = self.style(value, path, text_style("overlays.titles[]"))
        return Title(text=value["text"], start=start, end=end, style=style, fade_in=fade_in,
                     fade_out=fade_out, outputs=_names(value.get("outputs")))

    def timestamp(self, value: dict[str, Any] | None) -> Timestamp | None:
        if value is None:
            return None
        style = self.style(value, ("overlays", "timestamp"), text_style("overlays.timestamp"))
        return Timestamp(format=_given(value, "overlays.timestamp", "format"), style=style,
                         outputs=_names(value.get("outputs")))

    def logo(self, value: dict[str, Any] | None) -> Logo | None:
        if value is None:
            return None
        path: DocPath = ("overlays", "logo")
        def given(key: str) -> Any:
            return _given(value, "overlays.logo", key)

        return Logo(file=_file(value["file"]) or "", position=given("position"),
                    scale=self.fraction(given("scale"), path + ("scale",), positive=True),
                    opacity=self.fraction(given("opacity"), path + ("opacity",)),
                    margin=self.fraction(given("margin"), path + ("margin",)),
                    outputs=_names(value.get("outputs")))

    def music(self) -> Music | None:
        value = self.data.get("music")
        if value is None:
            return None
        if isinstance(value, str):
            return Music(file=_file(value) or "")
        path: DocPath = ("music",)
        fade_in, fade_out = self.fades(value, path, "music")
        return Music(file=_file(value["file"]) or "",
                     volume=self.fraction(_given(value, "music", "volume"), path + ("volume",),
                                          2.0),
                     fade_in=fade_in, fade_out=fade_out,
                     start=self.seconds(_given(value, "music", "start"), path + ("start",)),
                     fit=_given(value, "music", "fit"))

    def output(self, index: int, value: dict[str, Any]) -> Output:
        path: DocPath = ("outputs", index)
        file = _file(value["path"]) or ""
        name = value.get("name") or PurePosixPath(file).stem
        if "name" not in value and not _NAME.match(name):
            self.report(f"the output name {name!r}, taken from the file name, is not a valid "
                        f"name", path + ("path",), hint="add `name:` with letters, digits, "
                        "'.', '_' and '-' (it names the output on the command line)")
        width, height, aspect = self.size(value, path)
        return Output(name=name, path=file, width=width, height=height, aspect=aspect,
                      fit=_given(value, "outputs[]", "fit"),
                      quality=_given(value, "outputs[]", "quality"),
                      codec=self.codec(value, path, file),
                      allow_outside=bool(_given(value, "outputs[]", "allow_outside")),
                      timing=None if value.get("timing") is None
                      else self.output_timing(value["timing"], path + ("timing",)),
                      poster=self.poster(value.get("poster"), path + ("poster",)))

    def codec(self, value: dict[str, Any], path: DocPath, file: str) -> Codec:
        """The codec as written, checked against the container the file name asks for, or
        that container's usual codec (``spec/formats.py``)."""
        container = formats.container_of(file)
        if "codec" not in value:
            return formats.default_codec(container)
        codec: Codec = value["codec"]
        problem = formats.codec_problem(container, codec)
        if problem:
            self.report(problem[0], path + ("codec",), hint=problem[1])
        elif codec == "h265":
            self.report("browsers on Linux and Windows may not play H.265 video", path + ("codec",),
                        hint="use codec h264 (or av1) for a video shared on the web; h265 suits "
                             "Apple devices and video players", severity="warning")
        return codec

    def poster(self, value: Any, path: DocPath) -> Poster | None:
        """A time (``5s``) or a share of the video (``50%``, at most 100%)."""
        if value is None:
            return None
        if isinstance(value, str) and value.endswith("%"):
            return Poster(self.fraction(value, path), share=True)
        return Poster(self.seconds(value, path))

    def size(self, value: dict[str, Any], path: DocPath) -> tuple[int, int, str]:
        size, aspect = str(_given(value, "outputs[]", "size")), value.get("aspect")
        if size in PRESET_HEIGHTS:
            aspect = aspect or default("outputs[].aspect")
            return (*preset_dimensions(size, aspect), aspect)
        width, height, aspect, problems = explicit_size(size, aspect)
        for problem in problems:
            self.report(problem.message, path + (problem.key,), hint=problem.hint,
                        severity=problem.severity)
        return width, height, aspect

    def unique_names(self, outputs: dict[int, Output]) -> None:
        first: dict[str, tuple[int, Location | None]] = {}
        for index, output in sorted(outputs.items()):
            key = ("outputs", index, "name" if "name" in self.data["outputs"][index] else "path")
            where = nearest(self.document.values, key)
            if output.name in first:
                earlier = first[output.name][1]
                self.report(f"two outputs are named '{output.name}' (the first at {earlier})",
                            key, hint="give each output its own `name:`", location=where)
            else:
                first[output.name] = (index, where)


def _given(value: dict[str, Any], prefix: str, key: str) -> Any:
    """``value[key]`` as written, or the schema's default for ``prefix.key`` (in model units)."""
    return value[key] if key in value else default(f"{prefix}.{key}")


def _view(value: dict[str, Any] | None) -> View:
    """A view as written (schema-checked), the schema's defaults for what it leaves out."""
    value = value or {}
    center = _given(value, "motion.from", "center")
    return View(zoom=float(_given(value, "motion.from", "zoom")),
                center=(float(center[0]), float(center[1])))


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _sequence(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _strings(value: str | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _names(value: list[str] | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)


def _file(value: str | None) -> str | None:
    """A file reference as a clean POSIX path (``./a//b.png`` -> ``a/b.png``)."""
    return None if value is None else posixpath.normpath(value.replace("\\", "/"))
