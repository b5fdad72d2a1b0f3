"""lapsefile.overlays: the one place that decides which overlays an output shows, and each
kind's cloud instruction parameters (pinned to what instruction_params built before the kinds
had modules of their own)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from lapsefile import overlays
from lapsefile.spec.model import (
    Frames,
    Logo,
    Look,
    Music,
    Output,
    Spec,
    TextStyle,
    Timestamp,
    TimingRequest,
    Title,
    text_style,
)

TITLE = text_style("overlays.titles[]")


def spec(**changes) -> Spec:
    base = Spec(
        path=Path("/project/lapse.yaml"), version=1, frames=Frames(include=("p/*.jpg",)),
        timing=TimingRequest(fps=10), look=Look(),
        titles=(Title("Square only", outputs=("square",), style=replace(TITLE, font="a.ttf")),
                Title("Everywhere"),
                Title("Wide and tall", outputs=("wide", "tall"),
                      style=replace(TITLE, font="b.ttf"))),
        timestamp=Timestamp("%H:%M", replace(text_style("overlays.timestamp"), font="a.ttf"),
                            outputs=("wide", "square")),
        logo=Logo("brand/logo.png", outputs=("tall",)),
        music=Music("music.mp3"),
        outputs=(Output("wide", "out/wide.mp4", 64, 36, "16:9"),
                 Output("square", "out/square.mp4", 36, 36, "1:1"),
                 Output("tall", "out/tall.mp4", 36, 64, "9:16")))
    return replace(base, **changes)


def summary(shown: list[overlays.Overlay]) -> list[tuple[str, str, str]]:
    return [(o.key, o.kind, o.spec_path) for o in shown]


def test_each_output_shows_what_its_filters_allow_in_a_fixed_order():
    s = spec()
    assert summary(overlays.shown_overlays(s, "wide")) == [
        ("title-1", "title", "overlays.titles[1]"),
        ("title-2", "title", "overlays.titles[2]"),
        ("timestamp", "timestamp", "overlays.timestamp")]
    assert summary(overlays.shown_overlays(s, "square")) == [
        ("title-1", "title", "overlays.titles[0]"),
        ("title-2", "title", "overlays.titles[1]"),
        ("timestamp", "timestamp", "overlays.timestamp")]
    assert summary(overlays.shown_overlays(s, "tall")) == [
        ("title-1", "title", "overlays.titles[1]"),
        ("title-2", "title", "overlays.titles[2]"),
        ("logo", "logo", "overlays.logo")]


def test_an_output_no_filter_names_shows_only_unfiltered_overlays():
    assert summary(overlays.shown_overlays(spec(), "other")) == [
        ("title-1", "title", "overlays.titles[1]")]


def test_no_overlays_at_all():
    assert overlays.shown_overlays(spec(titles=(), timestamp=None, logo=None), "wide") == []


def test_unfiltered_overlays_show_everywhere_and_items_are_the_specs_own():
    s = spec(timestamp=Timestamp(), logo=Logo("logo.png"))
    shown = overlays.shown_overlays(s, "square")
    assert [o.key for o in shown] == ["title-1", "title-2", "timestamp", "logo"]
    assert shown[0].item is s.titles[0] and shown[2].item is s.timestamp
    assert shown[3].item is s.logo


def test_files_an_output_reads_and_uploads():
    s = spec()
    # fonts of shown titles, the timestamp's font, the logo, then the music; each once
    assert overlays.reads(s, "wide") == ["b.ttf", "a.ttf", "music.mp3"]
    assert overlays.reads(s, "square") == ["a.ttf", "music.mp3"]
    assert overlays.reads(s, "tall") == ["b.ttf", "brand/logo.png", "music.mp3"]
    assert overlays.reads(spec(music=None), "other") == []
    # the cloud gets the logo (when shown) and the music: never fonts
    assert overlays.uploads(s, "wide") == ["music.mp3"]
    assert overlays.uploads(s, "tall") == ["brand/logo.png", "music.mp3"]
    shown = overlays.shown_overlays(s, "tall")
    assert [o.files for o in shown] == [(), ("b.ttf",), ("brand/logo.png",)]


def test_settings_as_the_fingerprint_records_them():
    s = spec()
    assert overlays.settings(s, "wide") == {"titles": [s.titles[1], s.titles[2]],
                                            "timestamp": s.timestamp, "logo": None}
    assert overlays.settings(s, "tall") == {"titles": [s.titles[1], s.titles[2]],
                                            "timestamp": None, "logo": s.logo}
    assert overlays.uses_capture_times(s, "wide")
    assert not overlays.uses_capture_times(s, "tall")


def test_concerns_name_the_spec_path_of_a_key_or_the_kinds_root():
    s = spec()
    assert overlays.concerns(s, "square", "title-1", "title") == ("overlays.titles[0]",)
    assert overlays.concerns(s, "tall", "title-2", "title") == ("overlays.titles[2]",)
    assert overlays.concerns(s, "tall", "title-3", "title") == ("overlays.titles",)  # removed
    assert overlays.concerns(s, "tall", "timestamp", "timestamp") == ("overlays.timestamp",)
    assert overlays.concerns(s, "tall", "logo", "logo") == ("overlays.logo",)
    assert overlays.concerns(s, "tall", "music", "music") is None


def test_kinds_are_in_drawing_and_sending_order():
    assert [k.name for k in overlays.KINDS] == ["title", "timestamp", "logo"]
    assert [k.spec_root for k in overlays.KINDS] == [
        "overlays.titles", "overlays.timestamp", "overlays.logo"]


# The parameters below are what plan/instructions.py's instruction_params produced for these
# items before the kinds moved into lapsefile/overlays/.

@pytest.mark.parametrize("title, duration, expected", [
    (Title("Golden Hour", 0.5, 3.5,
           replace(TITLE, position="center", size=0.09, box=True, box_color="black@0.35"),
           0.5, 0.5), 8.0,
     {"text": "Golden Hour", "start": 0.5, "end": 3.5, "position": "center", "size_pct": 9.0,
      "color": "white", "box": True, "box_color": "black@0.35", "fade_in": 0.5,
      "fade_out": 0.5}),
    (Title("Until the end", 1.0, None, replace(TITLE, size=0.0333), 0.0, 0.0), 12.5,
     {"text": "Until the end", "start": 1.0, "end": 12.5, "position": TITLE.position,
      "size_pct": 3.3, "color": TITLE.color, "box": TITLE.box, "box_color": TITLE.box_color,
      "fade_in": 0.0, "fade_out": 0.0}),
])
def test_title_params(title, duration, expected):
    (shown,) = overlays.shown_overlays(spec(titles=(title,), timestamp=None, logo=None), "wide")
    assert shown.params(duration) == expected


def test_timestamp_params():
    stamp = Timestamp("%d %b %H:%M", replace(text_style("overlays.timestamp"), size=0.05,
                                             color="yellow", position="bottom"))
    (shown,) = overlays.shown_overlays(spec(titles=(), timestamp=stamp, logo=None), "wide")
    assert shown.params(10.0) == {"format": "%d %b %H:%M", "position": "bottom",
                                  "size_pct": 5.0, "color": "yellow"}


def test_logo_params():
    logo = Logo("brand/logo.png", "top-right", 0.18, 0.85)
    (shown,) = overlays.shown_overlays(spec(titles=(), timestamp=None, logo=logo), "wide")
    assert shown.params(10.0) == {"filename": "logo.png", "position": "top-right",
                                  "scale_pct": 18.0, "opacity_pct": 85.0}
    assert shown.uploads == ("brand/logo.png",)


def test_fonts_are_read_by_local_renders_but_never_uploaded():
    title = Title("t", style=TextStyle(font="f.ttf"))
    (shown,) = overlays.shown_overlays(spec(titles=(title,), timestamp=None, logo=None), "x")
    assert shown.files == ("f.ttf",) and shown.uploads == ()
