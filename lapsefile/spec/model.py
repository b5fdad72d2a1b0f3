"""The validated, normalized spec: what the rest of lapsefile reads.

The loader turns ``lapse.yaml`` into these frozen dataclasses after schema validation, with
defaults applied and human units converted: seconds are floats, percentages are fractions
(``35%`` -> 0.35), file references stay as POSIX paths relative to the spec's folder (they are
resolved by whoever reads files, so the same values can go into the lock unchanged).

Defaults are the schema's (:mod:`.defaults`): ``_schema("frames.every")`` is a field whose default
is read from ``schemas/lapse.schema.json`` when an instance is made. The few fields with a
literal default are optional keys (``None``: not written) or not set from lapse.yaml; the list
is in ``tests/spec/test_defaults.py``, which checks both.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from ..errors import Location
from .defaults import WHEN_TRUE, SchemaDefault, default, when_true

SortOrder = Literal["natural", "name", "exif", "mtime"]
Position = Literal["top-left", "top", "top-right", "left", "center", "right",
                   "bottom-left", "bottom", "bottom-right"]
Fit = Literal["cover", "contain", "blur"]
Quality = Literal["draft", "standard", "high"]
Codec = Literal["h264", "h265", "av1", "vp9", "prores", "gif"]  # spec/formats.py: which goes where
BackendName = Literal["local", "nemo"]

POSITIONS: tuple[str, ...] = ("top-left", "top", "top-right", "left", "center", "right",
                              "bottom-left", "bottom", "bottom-right")
PRESET_HEIGHTS: Mapping[str, int] = {"720p": 720, "1080p": 1080, "1440p": 1440, "4k": 2160}
ASPECTS: Mapping[str, tuple[int, int]] = {"16:9": (16, 9), "9:16": (9, 16), "1:1": (1, 1),
                                          "4:5": (4, 5), "3:2": (3, 2), "4:3": (4, 3),
                                          "21:9": (21, 9)}
IMAGE_TYPES: tuple[str, ...] = (".jpg", ".jpeg", ".png", ".gif", ".webp")
# Photos ffmpeg cannot read reliably: lapsefile decodes them first (``lapsefile/decoders/``),
# so they are accepted as frames, not as logos (which ffmpeg reads as they are).
TIFF_TYPES: tuple[str, ...] = (".tif", ".tiff")
HEIF_TYPES: tuple[str, ...] = (".heic", ".heif")
RAW_TYPES: tuple[str, ...] = (".dng", ".cr2", ".cr3", ".nef", ".arw", ".orf", ".rw2", ".raf")
DECODED_TYPES: tuple[str, ...] = TIFF_TYPES + HEIF_TYPES + RAW_TYPES
PHOTO_TYPES: tuple[str, ...] = IMAGE_TYPES + DECODED_TYPES  # what frames.include may match
AUDIO_TYPES: tuple[str, ...] = (".mp3", ".wav", ".m4a", ".aac")


def _schema(path: str, keyword: str = "default") -> Any:
    """A dataclass field whose default is the schema's at ``path`` (read on first use)."""
    return field(default_factory=SchemaDefault(path, keyword))


@dataclass(frozen=True)
class Frames:
    """Which photos are frames (``frames:``): the globs, those left out, their order and
    how many are kept (every n-th)."""

    include: tuple[str, ...]
    exclude: tuple[str, ...] = ()  # not written: nothing excluded
    sort: SortOrder = _schema("frames.sort")
    every: int = _schema("frames.every")


@dataclass(frozen=True)
class TimingRequest:
    """Timing as written: any two of fps, duration, hold, speedup (the solver fills the rest).

    ``interval`` is the real time between two shots, needed only for ``speedup`` when the
    photos carry no capture times.
    """

    fps: float | None = None
    duration: float | None = None
    hold: float | None = None
    speedup: float | None = None
    interval: float | None = None
    hold_start: float = _schema("timing.hold_start")  # the first photo frozen, within duration
    hold_end: float = _schema("timing.hold_end")  # the last photo frozen, within duration


class Look(Mapping[str, Any]):
    """The look options that are on, by their name under ``look:`` in lapse.yaml.

    What each option means lives in its own module (``lapsefile/looks/<name>.py``, with its
    engine filter in ``lapsefile/engine/looks/<name>.py``): this class knows none of them by
    name. An option at its schema default (``deflicker: false``, ``blend: 1``) or None is off,
    and absent, so ``Look(blend=1) == Look()``, and a new option, off by default, leaves every
    existing fingerprint as it was. Iteration follows the schema's order of ``look``'s keys,
    which is the order the engine applies them. ``look.deflicker`` reads one (None when off).
    """

    __slots__ = ("_items",)
    _items: tuple[tuple[str, Any], ...]

    def __init__(self, options: Mapping[str, Any] | None = None, /, **named: Any) -> None:
        values = {**(options or {}), **named}
        order = look_names()
        unknown = sorted(set(values) - set(order))
        if unknown:
            raise ValueError(f"not look options: {', '.join(unknown)} (known: "
                             f"{', '.join(order)})")
        kept = tuple((name, values[name]) for name in order
                     if name in values and not _is_off(name, values[name]))
        object.__setattr__(self, "_items", kept)

    def __getitem__(self, name: str) -> Any:
        for key, value in self._items:
            if key == name:
                return value
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Look is immutable")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in look_names():
            raise AttributeError(name)
        return self.get(name)

    def __repr__(self) -> str:
        return f"Look({', '.join(f'{k}={v!r}' for k, v in self._items)})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Look, (dict(self._items),))


@lru_cache(maxsize=1)
def look_names() -> tuple[str, ...]:
    """The look options, in the schema's order (the order they are applied)."""
    from .schema_file import walk_properties  # here: importing the model stays light

    return tuple(prop.path[1] for prop in walk_properties()
                 if len(prop.path) == 2 and prop.path[0] == "look")


def _is_off(name: str, value: Any) -> bool:
    return value is None or value is False or value == default(f"look.{name}")


@dataclass(frozen=True)
class TextStyle:
    """How an overlay's text looks. Overlays from lapse.yaml get theirs from :func:`text_style`;
    a bare ``TextStyle()`` (made only by code) has a title's colour, box and margin."""

    position: Position = "bottom"  # not from lapse.yaml: overlays have their own
    size: float = 0.06  # text height as a fraction of the output height; as position
    color: str = _schema("overlays.titles[].color")  # ffmpeg colour: name or #RRGGBB[@alpha]
    box: bool = _schema("overlays.titles[].box")
    box_color: str = _schema("overlays.titles[].box", WHEN_TRUE)
    margin: float = _schema("overlays.titles[].margin")  # fraction of the output height
    font: str | None = None  # path relative to the spec; None = the bundled font


def text_style(overlay: str) -> TextStyle:
    """The style of an overlay that sets none: the schema's defaults under ``overlay``
    (``"overlays.titles[]"`` or ``"overlays.timestamp"``)."""
    box = default(f"{overlay}.box")
    return TextStyle(position=default(f"{overlay}.position"), size=default(f"{overlay}.size"),
                     color=default(f"{overlay}.color"), box=box is not False,
                     box_color=box if isinstance(box, str) else when_true(f"{overlay}.box"),
                     margin=default(f"{overlay}.margin"))


@dataclass(frozen=True)
class Title:
    """A title drawn over the video (``overlays.titles``), from ``start`` to ``end``."""

    text: str
    start: float = _schema("overlays.titles[].start")
    end: float | None = None  # None: until the end of the video
    style: TextStyle = field(default_factory=lambda: text_style("overlays.titles[]"))
    fade_in: float = _schema("overlays.titles[].fade_in")
    fade_out: float = _schema("overlays.titles[].fade_out")
    outputs: tuple[str, ...] | None = None  # None: every output


@dataclass(frozen=True)
class Timestamp:
    """Each photo's capture time drawn over it (``overlays.timestamp``), as ``format``."""

    format: str = _schema("overlays.timestamp.format")  # strftime
    style: TextStyle = field(default_factory=lambda: text_style("overlays.timestamp"))
    outputs: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Logo:
    """An image drawn over the video (``overlays.logo``)."""

    file: str
    position: Position = _schema("overlays.logo.position")
    scale: float = _schema("overlays.logo.scale")  # logo width as a fraction of the output width
    opacity: float = _schema("overlays.logo.opacity")
    margin: float = _schema("overlays.logo.margin")
    outputs: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Music:
    """The soundtrack (``music:``): its file, level, fades, where it starts and how it fits
    the video."""

    file: str
    volume: float = _schema("music.volume")  # linear gain; 0.35 for "35%"
    fade_in: float = _schema("music.fade_in")
    fade_out: float = _schema("music.fade_out")  # ending at the end of the video
    start: float = _schema("music.start")  # offset into the audio file
    fit: Literal["loop", "cut"] = _schema("music.fit")


@dataclass(frozen=True)
class Poster:
    """The moment of an output's JPEG still: ``at`` seconds from the start, or, when
    ``share``, that fraction of the video's length (``50%`` -> 0.5)."""

    at: float
    share: bool = False

    def seconds(self, duration: float) -> float:
        return self.at * duration if self.share else self.at


@dataclass(frozen=True)
class Output:
    """A video to make (one of ``outputs:``): where, its size and look, how it is encoded."""

    name: str  # unique; defaults to the path's stem
    path: str  # relative to the spec's folder
    width: int  # even, resolved from size + aspect
    height: int
    aspect: str  # "16:9", ... or "W:H" reduced from an explicit size
    fit: Fit = _schema("outputs[].fit")
    quality: Quality = _schema("outputs[].quality")
    codec: Codec = _schema("outputs[].codec")
    # the user allowed `path` to point outside the spec's folder
    allow_outside: bool = _schema("outputs[].allow_outside")
    # this output's own timing (the spec's with its keys laid over); None: the spec's
    timing: TimingRequest | None = None
    poster: Poster | None = None  # also write a JPEG still (formats.poster_path); None: not


Easing = Literal["ease-in-out", "linear"]


@dataclass(frozen=True)
class View:
    """What the virtual camera shows: ``zoom`` (>= 1) about ``center`` ((x, y) as fractions of
    the output's frame). Which centers a zoom can reach: :mod:`lapsefile.motion`."""

    zoom: float = _schema("motion.from.zoom")
    # the schema's list, as a tuple: the model is hashable
    center: tuple[float, float] = field(
        default_factory=lambda: tuple(default("motion.from.center")))


@dataclass(frozen=True)
class Motion:
    """A camera move over the whole video (``motion:``): ``from_`` is the spec's ``from``
    (a Python keyword). Its frames are drawn by ``engine/motion.py``."""

    from_: View
    to: View
    easing: Easing = _schema("motion.easing")


@dataclass(frozen=True)
class Cloud:
    """The nemo backend's settings (``cloud:``)."""

    language: Literal["en", "zh"] = _schema("cloud.language")
    upload: Literal["frames", "clip"] = _schema("cloud.upload")
    proxy_max_edge: int = _schema("cloud.proxy_max_edge")  # frames: downscale larger photos
    # project folder of instruction templates overriding the built-in ones
    templates: str | None = None


@dataclass(frozen=True)
class Render:
    """How the local backend splits a render into chunks (``lapsefile/chunking.py``)."""

    chunks: int | Literal["auto"] = _schema("render.chunks")


@dataclass(frozen=True)
class Spec:
    """A whole lapse.yaml, validated and normalized; ``locations`` says where each value
    was written, for diagnostics."""

    path: Path  # absolute path of the lapse.yaml
    version: int
    frames: Frames
    timing: TimingRequest
    look: Look
    titles: tuple[Title, ...]
    timestamp: Timestamp | None
    logo: Logo | None
    music: Music | None
    outputs: tuple[Output, ...]
    backend: BackendName = _schema("backend")
    cloud: Cloud = field(default_factory=Cloud)
    motion: Motion | None = None  # None: the camera stands still
    render: Render = field(default_factory=Render)
    # document path (tuple of keys / indexes) -> where it is written; for diagnostics after loading
    locations: Mapping[tuple[str | int, ...], Location] = field(default_factory=dict,
                                                                compare=False, repr=False)
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def root(self) -> Path:
        return self.path.parent

    def where(self, *doc_path: str | int) -> Location | None:
        """The location of ``doc_path``, or of its nearest written ancestor."""
        path = tuple(doc_path)
        while path:
            if path in self.locations:
                return self.locations[path]
            path = path[:-1]
        return self.locations.get((), None)

    def output(self, name: str) -> Output:
        for out in self.outputs:
            if out.name == name:
                return out
        raise KeyError(name)


def shows(item_outputs: tuple[str, ...] | None, output_name: str) -> bool:
    """Whether an overlay restricted to ``item_outputs`` appears in ``output_name``."""
    return item_outputs is None or output_name in item_outputs
