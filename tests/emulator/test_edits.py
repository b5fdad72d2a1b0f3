"""Changing, replacing and removing what is on the timeline: each edit changes only what it
names, an edit of something that is not there is a refusal, and both are charged as they
should be over HTTP."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lapsefile.emulator import draft as drafts
from lapsefile.emulator.agent import parse_instruction
from lapsefile.emulator.server import EmulatorServer
from lapsefile.emulator.store import Asset
from lapsefile.engine.testing import make_logo
from lapsefile.plan import instructions as plan_instructions
from lapsefile.spec.model import Logo, Look, Music, TextStyle, Timestamp, Title

from .helpers import (
    ASSETS,
    BUILD,
    Api,
    apply_text,
    build_draft,
    events,
    instructions,
    make_photos,
    make_project,
    make_tone,
    texts,
    with_spec,
)


def _track(draft: dict[str, Any], track_id: str) -> dict[str, Any] | None:
    return next((t for t in draft["t"] if t["id"] == track_id), None)


def _segment(draft: dict[str, Any], track_id: str) -> dict[str, Any]:
    return _track(draft, track_id)["sg"][0]  # type: ignore[index]


def test_a_new_title_text_keeps_its_window_and_style() -> None:
    before = build_draft()
    after = apply_text(before, 'Change the title text from "Sunset" to "Golden hour".')
    old, new = _segment(before, "title-1"), _segment(after, "title-1")
    assert new["text"] == "Golden hour"
    assert {**new, "text": "Sunset"} == old
    assert [t for t in after["t"] if t["id"] != "title-1"] == [
        t for t in before["t"] if t["id"] != "title-1"]


@pytest.mark.parametrize("text, changes", [
    ('Show the title "Sunset" from 1 s to 4 s.', {"start": 1000, "end": 4000}),
    ("标题“Sunset”改为从 1 秒到 4 秒显示。", {"start": 1000, "end": 4000}),
    ('Show the title "Sunset" at the top of the frame, text height 10% of the frame height, '
     "colour yellow, with no box, fading in over 0 s and out over 1 s.",
     {"position": "top", "size": 0.1, "color": "yellow", "box": False, "box_color": None,
      "fade_in": 0, "fade_out": 1000}),
    ('Make the title "sunset" yellow.', {"color": "yellow"}),  # case does not matter
    ('Keep the title "Sunset" on screen for 2 seconds.', {"end": 2000}),
    ('Change the title text from "Sunset" to "Dusk". Show the title "Dusk" from 0.5 s to 2 s. '
     'Show the title "Dusk" at the bottom of the frame, text height 8% of the frame height, '
     "colour white, on a black@0.4 box, fading in over 0.5 s and out over 0.5 s.",
     {"text": "Dusk", "start": 500, "end": 2000, "position": "bottom"}),
])
def test_title_changes_touch_only_what_they_name(text: str, changes: dict[str, Any]) -> None:
    before = build_draft()
    after = apply_text(before, text)
    assert _segment(after, "title-1") == {**_segment(before, "title-1"), **changes}


def test_timestamp_logo_and_music_changes() -> None:
    draft = build_draft()
    draft = apply_text(draft, 'Change the timestamp format from "%Y-%m-%d" to "%H:%M". Show '
                              "the timestamp at the top-right of the frame, text height 5% of "
                              "the frame height, colour yellow.")
    stamp = _segment(draft, "timestamp")
    assert (stamp["format"], stamp["position"], stamp["size"], stamp["color"]) == (
        "%H:%M", "top-right", 0.05, "yellow")
    draft = apply_text(draft, "Replace the logo logo.png with the uploaded image logo2.png.")
    logo = _segment(draft, "logo")
    assert (logo["name"], logo["hash"], logo["position"], logo["scale"]) == (
        "logo2.png", ASSETS[3].hash, "top-left", 0.1)
    assert logo["src"] == "http://emu" + ASSETS[3].cdn_path
    draft = apply_text(draft, "Show the logo logo2.png at the top-right of the frame, 15% of "
                              "the frame width, at 80% opacity.")
    assert (_segment(draft, "logo")["position"], _segment(draft, "logo")["opacity"]) == (
        "top-right", 0.8)
    draft = apply_text(draft, "把背景音乐 a.mp3 替换为上传的音频 b.mp3。"
                              "背景音乐 b.mp3 改为音量 20%，从音轨第 0.5 秒开始，淡入 1 秒，"
                              "在结尾淡出 2 秒，循环以匹配 4 秒的视频。")
    music = _segment(draft, "bgm")
    assert (music["name"], music["volume"], music["offset"], music["fade_in"],
            music["fade_out"], music["fit"], music["end"]) == ("b.mp3", 0.2, 500, 1000, 2000,
                                                               "loop", 4000)


def test_smoothing_is_replaced_and_turned_off() -> None:
    draft = apply_text(build_draft(), "Smooth the timelapse: blend every 3 consecutive frames.")
    meta = drafts.video_track(draft)["m"]  # type: ignore[index]
    assert (meta["deflicker"], meta["blend"], meta["interpolate"]) == (None, 3, False)
    draft = apply_text(draft, "Turn off all smoothing of the timelapse.")
    meta = drafts.video_track(draft)["m"]  # type: ignore[index]
    assert (meta["deflicker"], meta["blend"], meta["interpolate"]) == (None, 1, False)
    with pytest.raises(drafts.Refusal, match="any smoothing"):
        apply_text(draft, "Turn off the smoothing.")  # nothing left to turn off


@pytest.mark.parametrize("text, gone", [
    ('Remove the title "Sunset".', "title-1"), ("删除标题“Sunset”。", "title-1"),
    ("Remove the timestamp.", "timestamp"), ("删除时间戳。", "timestamp"),
    ("Remove the logo logo.png.", "logo"), ("删除标志 logo.png。", "logo"),
    ("Remove the background music.", "bgm"), ("删除背景音乐。", "bgm"),
])
def test_removals(text: str, gone: str) -> None:
    before = build_draft()
    after = apply_text(before, text)
    assert _track(after, gone) is None
    assert after["t"] == [t for t in before["t"] if t["id"] != gone]


@pytest.mark.parametrize("text, words", [
    ('Change the title text from "Nope" to "Yes".', 'the title "Nope" on the timeline'),
    ('Remove the title "Nope".', 'the title "Nope"'),
    ("Remove the logo other.png.", "the logo other.png"),
    ("Replace the logo other.png with the uploaded image logo2.png.", "the logo other.png"),
    ("Replace the logo logo.png with the uploaded image missing.png.", "find missing.png"),
    ("删除标题“没有”。", "时间线上没有找到标题“没有”"),
])
def test_edits_of_what_is_not_there_are_refused(text: str, words: str) -> None:
    before = build_draft()
    snapshot = copy.deepcopy(before)
    with pytest.raises(drafts.Refusal, match=words):
        apply_text(before, text)
    assert before == snapshot


@pytest.mark.parametrize("text, words", [
    ("Remove the timestamp.", "a timestamp"), ("Remove the background music.", "background music"),
    ("Show the logo at the top of the frame.", "a logo"),
    ('Move the title "x" to the top.', 'the title "x"'),
])
def test_edits_on_a_bare_timeline_are_refused(text: str, words: str) -> None:
    bare = apply_text(drafts.empty_draft("p"), BUILD[0])
    with pytest.raises(drafts.Refusal, match=words):
        apply_text(bare, text)


def test_an_unnamed_title_among_several_is_a_question() -> None:
    draft = apply_text(build_draft(), 'Add the title "Second" from 3 s to 4 s.')
    with pytest.raises(drafts.Refusal, match="2 titles"):
        apply_text(draft, "Remove the title.")
    assert _track(apply_text(draft, "Remove the title 'Second'."), "title-2") is None


def test_a_title_until_the_end_follows_the_video() -> None:
    draft = apply_text(build_draft(), 'Add the caption "Always" at the bottom.')
    assert (_segment(draft, "title-2")["start"], _segment(draft, "title-2")["end"]) == (0, 4000)
    longer = apply_text(draft, BUILD[0].replace("4-second", "6-second"))
    assert _segment(longer, "title-2")["end"] == 6000
    assert _segment(longer, "title-1")["end"] == 3000


Start = Callable[..., EmulatorServer]


def test_over_http_edits_are_charged_by_kind_and_refusals_are_free(start_emulator: Start,
                                                                    tmp_path: Path) -> None:
    server = start_emulator(instruction_cost={"title": 2, "music": 3, "logo": 4})
    api = Api(server.url or "")
    api.login()
    api.new_session()
    api.upload(make_photos(tmp_path / "photos", 2) + [
        make_logo(tmp_path / "logo.png"), make_logo(tmp_path / "logo2.png"),
        make_tone(tmp_path / "a.mp3")])
    for text in (BUILD[0], BUILD[2], BUILD[4], BUILD[5]):
        api.send(text)
    spent = 100 - api.credits()["available"]
    assert spent == 1 + 2 + 4 + 3

    _, lines, _ = api.send('Remove the title "Nope".')
    assert "couldn't find" in texts(lines)[0] and not [e for e in events(lines)
                                                       if e and e.get("type") == "tool_call"]
    assert 100 - api.credits()["available"] == spent

    _, lines, _ = api.send("Replace the logo logo.png with the uploaded image logo2.png.")
    call = next(e for e in events(lines) if e and e.get("type") == "tool_call")
    assert call["name"] == "replace_sticker" and call["args"]["filename"] == "logo2.png"
    assert texts(lines)[0].startswith("Done! I replaced the overlay with logo2.png.")
    _, lines, _ = api.send("Remove the background music.")
    assert next(e for e in events(lines) if e)["name"] == "remove_background_music"
    _, lines, _ = api.send('Change the title text from "Sunset" to "Dusk".')
    assert next(e for e in events(lines) if e)["name"] == "update_text"
    assert 100 - api.credits()["available"] == spent + 4 + 3 + 2
    draft = api.draft()
    assert [t["id"] for t in draft["t"]] == ["video", "title-1", "logo"]
    assert draft["t"][1]["sg"][0]["text"] == "Dusk"
    outcomes = [c.get("outcome") for c in api.calls() if c["endpoint"] == "run_sse"]
    assert outcomes == ["applied"] * 4 + ["refused"] + ["applied"] * 3


def _lapsefile_projects(language: str) -> tuple[Any, Any]:
    """A full project and the same project with every overlay and the look changed."""
    root = Path("/project")
    photos = [root / "photos" / f"IMG_{i}.jpg" for i in (1, 2)]
    old = make_project(root, photos, fps=10, duration=4.0, language=language)
    new = with_spec(
        old, look=Look(blend=3, interpolate=True),
        titles=(Title("Dusk", 0.5, 1.5, TextStyle(position="top", size=0.1, color="yellow"),
                      fade_out=0.5),),
        timestamp=Timestamp(format="%H:%M", style=TextStyle(position="top-left", size=0.05,
                                                            color="yellow")),
        logo=Logo("assets/logo2.png", position="bottom-left", scale=0.2, opacity=0.5),
        music=Music("assets/b.mp3", volume=0.5, start=0.25, fade_in=0.1, fade_out=0.2,
                    fit="cut"))
    return old, new


def _overlays(draft: dict[str, Any]) -> list[Any]:
    """What each track shows, without the ids that count additions."""
    return [(t["tt"], [{k: v for k, v in s.items() if k != "id"} for s in t["sg"]], t.get("m"))
            for t in draft["t"]]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_lapsefile_edit_and_remove_sentences_turn_one_draft_into_the_other(
        language: str) -> None:
    edit_instruction = getattr(plan_instructions, "edit_instruction", None)
    if edit_instruction is None:
        pytest.skip("lapsefile does not render edit instructions yet")
    old, new = _lapsefile_projects(language)
    olds, news = instructions(old), instructions(new)
    assets = ASSETS + [Asset(filename="tone.wav", file_type="audio", hash="f" * 64,
                             path=Path("/store/tone.wav"), size=1)]

    def build(texts: list[str], start: dict[str, Any] | None = None) -> dict[str, Any]:
        draft = start or drafts.empty_draft("p")
        for text in texts:
            edit = parse_instruction(text)
            assert edit is not None, f"not understood: {text}"
            draft = drafts.apply_edit(draft, edit, assets, "http://emu")
        return draft

    before = build([i.text for i in olds])
    sentences = [edit_instruction(new, n, o.params) for o, n in zip(olds[1:], news[1:])]
    assert all(sentences) and len(sentences) == 5
    assert _overlays(build(sentences, before)) == _overlays(build([i.text for i in news]))
    removals = [edit_instruction(old, o, o.params, remove=True) for o in olds[1:]]
    assert [t["id"] for t in build(removals, before)["t"]] == ["video"]
