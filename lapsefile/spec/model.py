"""The validated, normalized spec: what the rest of lapsefile reads.

The loader turns ``lapse.yaml`` into these frozen dataclasses after schema validation, with
defaults applied and human units converted: seconds are floats, percentages are fractions
(``35%`` -> 0.35), file references stay as POSIX paths relative to the spec's folder (they are
resolved by whoever reads files, so the same values can go into the lock unchanged).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..errors import Location

SortOrder = Literal["natural", "name", "exif", "mtime"]
Position = Literal["top-left", "top", "top-right", "left", "center", "right",
                   "bottom-left", "bottom", "bottom-right"]
Fit = Literal["cover", "contain", "blur"]
Quality = Literal["draft", "standard", "high"]
Codec = Literal["h264", "h265"]
Aspect = Literal["16:9", "9:16", "1:1", "4:5"]
BackendName = Literal["local", "nemo"]

POSITIONS: tuple[str, ...] = ("top-left", "top", "top-right", "left", "center", "right",
                              "bottom-left", "bottom", "bottom-right")
PRESET_HEIGHTS: Mapping[str, int] = {"720p": 720, "1080p": 1080, "1440p": 1440, "4k": 2160}
ASPECTS: Mapping[str, tuple[int, int]] = {"16:9": (16, 9), "9:16": (9, 16), "1:1": (1, 1),
                                          "4:5": (4, 5)}
IMAGE_TYPES: tuple[str, ...] = (".jpg", ".jpeg", ".png", ".gif", ".webp")
AUDIO_TYPES: tuple[str, ...] = (".mp3", ".wav", ".m4a", ".aac")


@dataclass(frozen=True)
class Frames:
    include: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    sort: SortOrder = "natural"
    every: int = 1


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


@dataclass(frozen=True)
class Deflicker:
    size: int = 5  # frames in the averaging window (ffmpeg deflicker: 2..129)
    mode: Literal["am", "gm", "hm", "qm", "cm", "pm", "median"] = "am"


@dataclass(frozen=True)
class Look:
    deflicker: Deflicker | None = None
    blend: int = 1  # frames mixed by tmix; 1 means off
    interpolate: bool = False  # motion interpolation (minterpolate) between photos


@dataclass(frozen=True)
class TextStyle:
    position: Position = "bottom"
    size: float = 0.06  # text height as a fraction of the output height
    color: str = "white"  # ffmpeg colour syntax: name or #RRGGBB, optional @alpha
    box: bool = False
    box_color: str = "black@0.5"
    margin: float = 0.04  # distance from the edges as a fraction of the output height
    font: str | None = None  # path relative to the spec; None = the bundled font


@dataclass(frozen=True)
class Title:
    text: str
    start: float = 0.0
    end: float | None = None  # None: until the end of the video
    style: TextStyle = field(default_factory=lambda: TextStyle(position="center", size=0.08))
    fade_in: float = 0.0
    fade_out: float = 0.0
    outputs: tuple[str, ...] | None = None  # None: every output


@dataclass(frozen=True)
class Timestamp:
    format: str = "%Y-%m-%d %H:%M"  # strftime
    style: TextStyle = field(default_factory=lambda: TextStyle(position="bottom-right",
                                                               size=0.04))
    outputs: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Logo:
    file: str
    position: Position = "top-right"
    scale: float = 0.15  # logo width as a fraction of the output width
    opacity: float = 1.0
    margin: float = 0.04
    outputs: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Music:
    file: str
    volume: float = 1.0  # linear gain; 0.35 for "35%"
    fade_in: float = 0.0
    fade_out: float = 0.0  # ending at the end of the video
    start: float = 0.0  # offset into the audio file
    fit: Literal["loop", "cut"] = "loop"


@dataclass(frozen=True)
class Output:
    name: str  # unique; defaults to the path's stem
    path: str  # relative to the spec's folder
    width: int  # even, resolved from size + aspect
    height: int
    aspect: str  # "16:9", ... or "W:H" reduced from an explicit size
    fit: Fit = "cover"
    quality: Quality = "standard"
    codec: Codec = "h264"
    allow_outside: bool = False  # the user allowed `path` to point outside the spec's folder


@dataclass(frozen=True)
class Cloud:
    language: Literal["en", "zh"] = "en"
    upload: Literal["frames", "clip"] = "frames"
    proxy_max_edge: int = 2560  # frames strategy: downscale photos whose longest edge exceeds this
    # project folder of instruction templates overriding the built-in ones
    templates: str | None = None


@dataclass(frozen=True)
class Spec:
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
    backend: BackendName = "local"
    cloud: Cloud = field(default_factory=Cloud)
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
