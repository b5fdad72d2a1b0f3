"""Valid specs normalize into the model: units, shorthands, defaults, sizes, locations."""

from __future__ import annotations

import pytest

from lapsefile.errors import Location
from lapsefile.looks.deflicker import Deflicker
from lapsefile.spec import load_spec, load_spec_with_warnings
from lapsefile.spec.model import (
    Cloud,
    Frames,
    Logo,
    Look,
    Music,
    Output,
    TextStyle,
    Timestamp,
    TimingRequest,
    Title,
)

from .conftest import MakeSpec

FULL = """
# yaml-language-server: $schema=../schemas/lapse.schema.json
version: 1
frames:
  include: ["photos/*.jpg", "more/*.png"]
  exclude: photos/bad_*.jpg
  sort: exif
  every: 2
timing:
  fps: 30
  duration: 1m30s
  interval: 5s
look:
  deflicker: {size: 9, mode: median}
  blend: 3
  interpolate: true
overlays:
  titles:
    - text: Sunset
      start: 0s
      end: 3s
      position: top
      size: 10%
      color: "#ffcc00@0.9"
      box: "black@0.6"
      fade: 500ms
      font: fonts/Title.ttf
      outputs: [main]
    - text: The end
      start: 80s
      fade_in: 1s
      box: true
  timestamp:
    format: "%H:%M"
    position: bottom-left
    size: 0.03
    color: yellow
    box: true
    margin: 2%
    font: ./fonts/Mono.otf
  logo:
    file: art/logo.png
    position: bottom-right
    scale: 12%
    opacity: 80%
    margin: 3%
    outputs: [main, story]
music:
  file: audio/track.m4a
  volume: 35%
  fade_in: 1s
  fade_out: 2s
  start: 1m12s
  fit: cut
outputs:
  - path: out/sunset-1080p.mp4
    name: main
    size: 1080p
    aspect: 16:9
    fit: contain
    quality: high
    codec: h264
  - path: out/story.mp4
    size: 720p
    aspect: "9:16"
    fit: blur
  - path: renders/exact.mp4
    size: 1366x768
backend: nemo
cloud:
  language: zh
  upload: clip
  proxy_max_edge: 1920
  templates: wording
"""
FULL_FILES = ("fonts/Title.ttf", "fonts/Mono.otf", "art/logo.png", "audio/track.m4a",
              "wording/en/title.j2")


def test_every_feature_normalizes(make_spec: MakeSpec) -> None:
    path = make_spec(FULL, files=FULL_FILES)
    spec, warnings = load_spec_with_warnings(path, env={})
    assert warnings == []
    assert spec.path == path and spec.path.is_absolute() and spec.root == path.parent
    assert spec.version == 1
    assert spec.frames == Frames(include=("photos/*.jpg", "more/*.png"),
                                 exclude=("photos/bad_*.jpg",), sort="exif", every=2)
    assert spec.timing == TimingRequest(fps=30.0, duration=90.0, interval=5.0)
    assert spec.look == Look(deflicker=Deflicker(size=9, mode="median"), blend=3,
                             interpolate=True)
    assert spec.titles == (
        Title(text="Sunset", start=0.0, end=3.0,
              style=TextStyle(position="top", size=0.1, color="#ffcc00@0.9", box=True,
                              box_color="black@0.6", margin=0.04, font="fonts/Title.ttf"),
              fade_in=0.5, fade_out=0.5, outputs=("main",)),
        Title(text="The end", start=80.0, end=None,
              style=TextStyle(position="center", size=0.08, box=True), fade_in=1.0,
              fade_out=0.0),
    )
    assert spec.timestamp == Timestamp(
        format="%H:%M", style=TextStyle(position="bottom-left", size=0.03, color="yellow",
                                        box=True, margin=0.02, font="fonts/Mono.otf"))
    assert spec.logo == Logo(file="art/logo.png", position="bottom-right", scale=0.12,
                             opacity=0.8, margin=0.03, outputs=("main", "story"))
    assert spec.music == Music(file="audio/track.m4a", volume=0.35, fade_in=1.0, fade_out=2.0,
                               start=72.0, fit="cut")
    assert spec.outputs == (
        Output(name="main", path="out/sunset-1080p.mp4", width=1920, height=1080, aspect="16:9",
               fit="contain", quality="high", codec="h264"),
        Output(name="story", path="out/story.mp4", width=720, height=1280, aspect="9:16",
               fit="blur"),
        Output(name="exact", path="renders/exact.mp4", width=1366, height=768,
               aspect="683:384"),
    )
    assert spec.backend == "nemo"
    assert spec.cloud == Cloud(language="zh", upload="clip", proxy_max_edge=1920,
                               templates="wording")


def test_locations_point_at_values(make_spec: MakeSpec) -> None:
    spec = load_spec(make_spec(FULL, files=FULL_FILES), env={})
    assert spec.locations[("version",)] == Location("lapse.yaml", 2, 10)
    assert spec.locations[("outputs", 0, "size")] == Location("lapse.yaml", 57, 11)
    assert spec.locations[("overlays", "titles", 1, "start")] == Location("lapse.yaml", 29, 14)
    assert spec.locations[("frames", "include", 1)] == Location("lapse.yaml", 4, 29)
    assert spec.where("outputs", 1, "codec") == spec.locations[("outputs", 1)]
    assert spec.where("nothing", "here") == spec.locations[()]
    assert spec.raw["outputs"][0]["aspect"] == "16:9"


def test_minimal_spec_gets_defaults(make_spec: MakeSpec) -> None:
    spec = load_spec(make_spec("version: 1\nframes: photos/*.jpg\noutputs:\n  - path: out.mp4\n"))
    assert spec.frames == Frames(include=("photos/*.jpg",))
    assert spec.timing == TimingRequest()
    assert spec.look == Look()
    assert spec.titles == () and spec.timestamp is None and spec.logo is None
    assert spec.music is None
    assert spec.outputs == (Output(name="out", path="out.mp4", width=1920, height=1080,
                                   aspect="16:9"),)
    assert spec.backend == "local" and spec.cloud == Cloud()


@pytest.mark.parametrize("frames, include", [
    ('"photos/*.jpg"', ("photos/*.jpg",)),
    ('["a/*.jpg", "b/*.jpg"]', ("a/*.jpg", "b/*.jpg")),
    ('{include: "a/*.jpg"}', ("a/*.jpg",)),
])
def test_frames_shorthands(make_spec: MakeSpec, frames: str, include: tuple[str, ...]) -> None:
    spec = load_spec(make_spec(f"version: 1\nframes: {frames}\noutputs:\n  - path: o.mp4\n"))
    assert spec.frames.include == include


@pytest.mark.parametrize("deflicker, expected", [
    ("true", Deflicker()), ("false", None), ("{size: 3}", Deflicker(size=3)),
    ("{mode: gm}", Deflicker(mode="gm")),
])
def test_deflicker_shorthands(make_spec: MakeSpec, deflicker: str,
                              expected: Deflicker | None) -> None:
    spec = load_spec(make_spec(f"version: 1\nframes: p/*.jpg\nlook:\n  deflicker: {deflicker}\n"
                               "outputs:\n  - path: o.mp4\n"))
    assert spec.look.deflicker == expected


@pytest.mark.parametrize("box, on, colour", [
    ("true", True, "black@0.5"), ("false", False, "black@0.5"),
    ('"white@0.3"', True, "white@0.3"), ("'#000000'", True, "#000000"),
])
def test_box_shorthands(make_spec: MakeSpec, box: str, on: bool, colour: str) -> None:
    spec = load_spec(make_spec(f"version: 1\nframes: p/*.jpg\noverlays:\n  titles:\n"
                               f"    - text: Hi\n      box: {box}\noutputs:\n  - path: o.mp4\n"))
    assert (spec.titles[0].style.box, spec.titles[0].style.box_color) == (on, colour)


def test_music_shorthand_and_fades(make_spec: MakeSpec) -> None:
    spec = load_spec(make_spec("version: 1\nframes: p/*.jpg\nmusic: song.mp3\n"
                               "outputs:\n  - path: o.mp4\n", files=["song.mp3"]))
    assert spec.music == Music(file="song.mp3")
    spec = load_spec(make_spec("version: 1\nframes: p/*.jpg\nmusic:\n  file: song.wav\n"
                               "  fade: 2s\n  volume: 150%\noutputs:\n  - path: o.mp4\n",
                               files=["song.wav"]))
    assert spec.music == Music(file="song.wav", fade_in=2.0, fade_out=2.0, volume=1.5)


@pytest.mark.parametrize("size, aspect, width, height", [
    ("1080p", "16:9", 1920, 1080), ("1080p", "9:16", 1080, 1920), ("1080p", "1:1", 1080, 1080),
    ("1080p", "4:5", 1080, 1350), ("720p", "16:9", 1280, 720), ("4k", "16:9", 3840, 2160),
    ("1440p", "16:9", 2560, 1440), ("720p", "4:5", 720, 900), ("4k", "9:16", 2160, 3840),
])
def test_preset_sizes_use_the_short_side(make_spec: MakeSpec, size: str, aspect: str,
                                         width: int, height: int) -> None:
    spec = load_spec(make_spec(f"version: 1\nframes: p/*.jpg\noutputs:\n  - path: o.mp4\n"
                               f"    size: {size}\n    aspect: \"{aspect}\"\n"))
    assert (spec.outputs[0].width, spec.outputs[0].height, spec.outputs[0].aspect) == \
        (width, height, aspect)


@pytest.mark.parametrize("size, aspect, expected", [
    ("1920x1080", None, (1920, 1080, "16:9")),
    ("1080x1080", None, (1080, 1080, "1:1")),
    ("1080x1920", '"9:16"', (1080, 1920, "9:16")),
    ("1366x768", '"16:9"', (1366, 768, "16:9")),  # within 1 % of 16:9: the named ratio
    ("640x480", None, (640, 480, "4:3")),
])
def test_exact_sizes_set_the_aspect(make_spec: MakeSpec, size: str, aspect: str | None,
                                    expected: tuple[int, int, str]) -> None:
    extra = f"    aspect: {aspect}\n" if aspect else ""
    spec = load_spec(make_spec(f"version: 1\nframes: p/*.jpg\noutputs:\n  - path: o.mp4\n"
                               f"    size: {size}\n{extra}"))
    out = spec.outputs[0]
    assert (out.width, out.height, out.aspect) == expected


def test_odd_sizes_round_down_with_a_warning(make_spec: MakeSpec) -> None:
    path = make_spec("version: 1\nframes: p/*.jpg\noutputs:\n  - path: o.mp4\n"
                     "    size: 1281x721\n")
    spec, warnings = load_spec_with_warnings(path)
    assert (spec.outputs[0].width, spec.outputs[0].height) == (1280, 720)
    assert spec.outputs[0].aspect == "16:9"
    assert len(warnings) == 1 and warnings[0].severity == "warning"
    assert "odd side" in warnings[0].message and "1280x720" in warnings[0].message
    assert (warnings[0].location.line, warnings[0].location.col) == (5, 11)


def test_local_only_audio_is_a_warning_for_local(make_spec: MakeSpec) -> None:
    path = make_spec("version: 1\nframes: p/*.jpg\nmusic: song.flac\noutputs:\n  - path: o.mp4\n",
                     files=["song.flac"])
    spec, warnings = load_spec_with_warnings(path)
    assert spec.music == Music(file="song.flac")
    assert [w.severity for w in warnings] == ["warning"]
    assert "nemo backend does not accept .flac" in warnings[0].message
    assert load_spec(path) == spec  # load_spec drops warnings


def test_allow_outside(make_spec: MakeSpec) -> None:
    spec = load_spec(make_spec("version: 1\nframes: p/*.jpg\noutputs:\n"
                               "  - path: ../shared/o.mp4\n    allow_outside: true\n"))
    assert spec.outputs[0].allow_outside is True
    assert spec.outputs[0].path == "../shared/o.mp4"


def test_file_references_are_clean_posix_paths(make_spec: MakeSpec) -> None:
    spec = load_spec(make_spec("version: 1\nframes: p/*.jpg\nmusic: ./audio//song.mp3\n"
                               "outputs:\n  - path: ./out/../out/o.mp4\n",
                               files=["audio/song.mp3"]))
    assert spec.music is not None and spec.music.file == "audio/song.mp3"
    assert spec.outputs[0].path == "out/o.mp4" and spec.outputs[0].name == "o"


def test_overlay_outputs_may_name_any_output(make_spec: MakeSpec) -> None:
    spec = load_spec(make_spec("version: 1\nframes: p/*.jpg\noverlays:\n  timestamp:\n"
                               "    outputs: [b]\noutputs:\n  - path: a.mp4\n  - path: b.mp4\n"))
    assert spec.timestamp is not None and spec.timestamp.outputs == ("b",)
