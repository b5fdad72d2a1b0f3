"""The agent understands every built-in template's output, in both languages, and edits drafts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from lapsefile.emulator import draft as drafts
from lapsefile.emulator.agent import Edit, parse_instruction
from lapsefile.emulator.intents import LOOK_OFF
from lapsefile.emulator.store import Asset
from lapsefile.looks.deflicker import Deflicker
from lapsefile.plan.instructions import Instruction, num
from lapsefile.project.model import Project
from lapsefile.spec.model import Look, Music, TextStyle, Timestamp, Title

from .helpers import instructions, make_project, with_spec

ROOT = Path("/project")


def _photos(count: int) -> list[Path]:
    return [ROOT / "photos" / f"IMG_{i}.jpg" for i in range(1, count + 1)]


def _variant(name: str, language: str) -> Project:
    base = make_project(ROOT, _photos(6), language=language)
    output = base.spec.outputs[0]
    if name == "full":
        return base
    if name == "clip-contain":
        return with_spec(base, outputs=(replace(output, fit="contain"),),
                         cloud=replace(base.spec.cloud, upload="clip"))
    if name == "many-photos-odd-numbers":
        project = make_project(ROOT, _photos(200), fps=24, duration=200 / 24, width=1920,
                               height=1080, language=language)
        return with_spec(project, look=Look(deflicker=Deflicker(size=7, mode="median"),
                                            blend=4, interpolate=True))
    tricky = (Title('He said "hi", then: 50% off; ok.', 0.125, None,
                    TextStyle(position="top-left", size=0.055, color="#ff8800@0.5")),
              Title("日落时分 — Sunset, at last", 2.0, 3.0,
                    TextStyle(position="bottom", size=0.1, color="yellow", box=True,
                              box_color="#000000@0.25"), fade_in=0.0, fade_out=1.5))
    return with_spec(base, titles=tricky, outputs=(replace(output, fit="blur"),),
                     look=Look(blend=3, interpolate=True),
                     timestamp=Timestamp(format="%d.%m.%Y, %H:%M:%S",
                                         style=TextStyle(position="top", size=0.033,
                                                         color="white@0.8")),
                     music=Music("audio/My Song (final).wav", volume=1.0, start=2.5,
                                 fit="cut"))


VARIANTS = ("full", "clip-contain", "many-photos-odd-numbers", "tricky-text")


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_every_rendered_instruction_parses_back_to_its_numbers(variant: str,
                                                               language: str) -> None:
    rendered = instructions(_variant(variant, language))
    assert len(rendered) >= 3
    for instruction in rendered:
        edit = parse_instruction(instruction.text)
        assert edit is not None, f"not understood: {instruction.text}"
        assert edit.language == language
        assert edit.cost_kind == instruction.kind
        assert edit.params == _expected(instruction), instruction.text


def test_the_variants_cover_every_kind_and_option() -> None:
    seen = {(i.kind, i.params.get("strategy"), i.params.get("box"), i.params.get("fit"))
            for v in VARIANTS for i in instructions(_variant(v, "en"))}
    kinds = {kind for kind, *_ in seen}
    assert kinds == {"timeline", "look", "title", "timestamp", "logo", "music"}
    assert ("timeline", "clip", None, "contain") in seen
    assert ("timeline", "frames", None, "blur") in seen
    assert ("title", None, True, None) in seen and ("title", None, False, None) in seen
    assert ("music", None, None, "cut") in seen and ("music", None, None, "loop") in seen


def _expected(instruction: Instruction) -> dict[str, Any]:
    """What the agent should read from ``instruction``: its params as the text states them."""
    p = instruction.params

    def n(value: float) -> float:  # the text carries num()'s rounding
        return float(num(value))

    canvas = {"duration": n(p.get("duration", 0)), "fps": n(p.get("fps", 0)),
              "width": p.get("width"), "height": p.get("height"), "aspect": p.get("aspect"),
              "fit": p.get("fit")}
    if instruction.kind == "timeline" and p["strategy"] == "clip":
        return {**canvas, "filename": p["clip_name"]}
    if instruction.kind == "timeline":
        return {**canvas, "photos": p["photos"], "hold": n(p["hold"])}
    if instruction.kind == "look":
        # every option the draft keeps: those the text names, the others off
        return {name: p.get(name, LOOK_OFF[name]) for name in LOOK_OFF}
    if instruction.kind == "title":
        box = {"box_color": p["box_color"]} if p["box"] else {}
        return {"text": p["text"], "start": n(p["start"]), "end": n(p["end"]),
                "position": p["position"], "size": n(p["size_pct"]) / 100,
                "color": p["color"], "box": p["box"], "fade_in": n(p["fade_in"]),
                "fade_out": n(p["fade_out"]), **box}
    if instruction.kind == "timestamp":
        return {"format": p["format"], "position": p["position"],
                "size": n(p["size_pct"]) / 100, "color": p["color"], "box": False}
    if instruction.kind == "logo":
        return {"filename": p["filename"], "position": p["position"],
                "scale": n(p["scale_pct"]) / 100, "opacity": n(p["opacity_pct"]) / 100}
    return {"filename": p["filename"], "volume": n(p["volume_pct"]) / 100,
            "start": n(p["start"]), "fade_in": n(p["fade_in"]), "fade_out": n(p["fade_out"]),
            "fit": p["fit"], "duration": n(p["duration"])}


@pytest.mark.parametrize("text", [
    "",
    "Make it pop!",
    "Please export the video.",
    # Paraphrases are understood (see test_paraphrases.py), but not sentences that say too
    # little to act on: no smoothing part, no title text, no file, nothing to change.
    "Smooth the timelapse: make it nicer.",
    "Add a title at the top of the frame.",
    "Overlay the logo at the top-right.",
    'Change the title "Sunset".',
    "Remove the photos.",
    "请导出视频。",
])
def test_other_text_is_not_understood(text: str) -> None:
    assert parse_instruction(text) is None


def _asset(name: str, kind: str) -> Asset:
    return Asset(filename=name, file_type=kind, hash=name.encode().hex().ljust(64, "0")[:64],
                 path=Path("/store") / name, size=1)


PHOTOS = [_asset(f"IMG_{i}.jpg", "image") for i in range(1, 5)]
ASSETS = PHOTOS + [_asset("logo.png", "image"), _asset("tone.wav", "audio")]


def _edit(kind: str, **params: Any) -> Edit:
    return Edit(kind, params, "en")


TIMELINE = _edit("timeline", photos=4, duration=2.0, fps=12.0, width=64, height=36,
                 aspect="16:9", fit="cover", hold=0.5)


def test_timeline_puts_the_first_photos_on_a_video_track_in_upload_order() -> None:
    draft = drafts.apply_edit(drafts.empty_draft("p"), TIMELINE, ASSETS, "http://emu")
    video = drafts.video_track(draft)
    assert draft["d"] == 2000 and draft["m"]["width"] == 64 and draft["m"]["fps"] == 12.0
    assert video is not None and video["tt"] == 0
    assert [s["name"] for s in video["sg"]] == ["IMG_1.jpg", "IMG_2.jpg", "IMG_3.jpg",
                                                "IMG_4.jpg"]
    assert [(s["start"], s["end"]) for s in video["sg"]] == [(0, 500), (500, 1000),
                                                             (1000, 1500), (1500, 2000)]
    assert video["sg"][0]["src"].startswith("http://emu/_files/")
    assert drafts.is_ready(draft) and not drafts.is_ready(drafts.empty_draft("p"))


def test_edits_build_each_track_and_whole_video_segments_follow_the_duration() -> None:
    draft = drafts.apply_edit(drafts.empty_draft("p"), TIMELINE, ASSETS, "http://emu")
    for edit in (
        _edit("look", deflicker={"size": 5, "mode": "am"}, blend=2, interpolate=False),
        _edit("title", text="Hi", start=0.0, end=1.0, position="center", size=0.08,
              color="white", box=False, fade_in=0.25, fade_out=0.0),
        _edit("title", text="Hi", start=0.0, end=1.0, position="center", size=0.08,
              color="white", box=False, fade_in=0.25, fade_out=0.0),
        _edit("timestamp", format="%H:%M", position="bottom-right", size=0.04, color="white",
              box=False),
        _edit("logo", filename="logo.png", position="top-right", scale=0.15, opacity=0.8),
        _edit("music", filename="tone.wav", volume=0.35, start=0.5, fade_in=1.0,
              fade_out=2.0, fit="loop", duration=2.0),
    ):
        draft = drafts.apply_edit(draft, edit, ASSETS, "http://emu")
    kinds = [(t["tt"], t["n"]) for t in draft["t"]]
    assert kinds == [(0, "Video"), (7, "Title"), (7, "Title"), (7, "Timestamp"), (3, "Logo"),
                     (1, "BGM")]  # a title sent twice is added twice, like the real agent
    assert draft["t"][0]["m"]["deflicker"] == {"size": 5, "mode": "am"}
    assert draft["t"][0]["m"]["blend"] == 2
    music = draft["t"][-1]["sg"][0]
    assert (music["volume"], music["offset"], music["fade_out"], music["end"]) == (
        0.35, 500, 2000, 2000)
    longer = drafts.apply_edit(draft, replace(TIMELINE, params={**TIMELINE.params,
                                                                  "duration": 3.0}),
                               ASSETS, "http://emu")
    assert longer["d"] == 3000
    assert [t["sg"][0]["end"] for t in longer["t"][3:]] == [3000, 3000, 3000]
    assert longer["t"][0]["m"]["blend"] == 2  # the look survives a new timeline
    assert longer["t"][1]["sg"][0]["end"] == 1000  # a title keeps its own times
    assert drafts.summary(longer).startswith("Timeline (6 tracks): 1. Video: 4 photos (0-3s)")


@pytest.mark.parametrize("edit, assets, words", [
    (TIMELINE, PHOTOS[:3], "only see 3 uploaded photos"),
    (_edit("title", text="x", start=0.0, end=1.0, position="top", size=0.1, color="white",
           box=False, fade_in=0.0, fade_out=0.0), ASSETS, "no video on the timeline"),
])
def test_the_agent_refuses_what_it_cannot_do(edit: Edit, assets: list[Asset],
                                             words: str) -> None:
    with pytest.raises(drafts.Refusal, match=words):
        drafts.apply_edit(drafts.empty_draft("p"), edit, assets, "http://emu")


def test_a_missing_upload_is_named() -> None:
    draft = drafts.apply_edit(drafts.empty_draft("p"), TIMELINE, ASSETS, "http://emu")
    with pytest.raises(drafts.Refusal, match="find other.png"):
        drafts.apply_edit(draft, _edit("logo", filename="other.png", position="top",
                                       scale=0.1, opacity=1.0), ASSETS, "http://emu")
