"""The agent understands what an instruction means, not one wording: paraphrases in English and
Chinese, lapsefile's edit and remove sentences, and the values inside them."""

from __future__ import annotations

from typing import Any

import pytest

from lapsefile.emulator.agent import parse_instruction
from lapsefile.emulator.understand import understand

TITLE_ADD = {"start": 0.0, "end": None, "position": "center", "size": 0.08, "color": "white",
             "box": False, "fade_in": 0.0, "fade_out": 0.0}
MUSIC_ADD = {"volume": 1.0, "start": 0.0, "fade_in": 0.0, "fade_out": 0.0, "fit": "loop"}
HD = {"fps": 24.0, "width": 1920, "height": 1080, "aspect": "16:9", "fit": "cover"}

# (sentence, kind, action, params)
ADDS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("Make a 30 second timelapse from the 200 photos at 24 fps, 1920×1080.", "timeline", "add",
     {"photos": 200, "duration": 30.0, **HD, "hold": 0.15}),
    ("Please turn my 120 pictures into a 10s time-lapse, 30fps, 1080x1920, with black bars.",
     "timeline", "add", {"photos": 120, "duration": 10.0, "fps": 30.0, "width": 1080,
                         "height": 1920, "aspect": "9:16", "fit": "contain", "hold": 10 / 120}),
    ("Combine the 6 uploaded photos, in upload order, into a 1.5-second timelapse at 12 fps, "
     "64x36 (16:9), cropped to fill the frame.", "timeline", "add",
     {"photos": 6, "duration": 1.5, "fps": 12.0, "width": 64, "height": 36, "aspect": "16:9",
      "fit": "cover", "hold": 0.25}),
    ("Combine the 8 photos into an 8-second timelapse, 0.5 s per photo, 640 x 360, blurred "
     "background.", "timeline", "add",
     {"photos": 8, "duration": 8.0, "fps": 24.0, "width": 640, "height": 360, "aspect": "16:9",
      "fit": "blur", "hold": 0.5}),
    ("用 200 张照片做一段 30秒 的延时视频，每秒 24 帧，分辨率 1920×1080。", "timeline", "add",
     {"photos": 200, "duration": 30.0, **HD, "hold": 0.15}),
    ("做一个1080p的延时视频，共 100 张照片，时长 10 秒，完整显示并加黑边。", "timeline", "add",
     {"photos": 100, "duration": 10.0, **HD, "fit": "contain", "hold": 0.1}),
    ("Use the clip drone.mov as the video: 12 seconds, 25 fps, 1280x720.", "clip", "add",
     {"filename": "drone.mov", "duration": 12.0, "fps": 25.0, "width": 1280, "height": 720,
      "aspect": "16:9", "fit": "cover"}),
    ("Deflicker the timelapse with a 7-frame window.", "look", "add",
     {"stabilize": None, "exposure": None, "deflicker": {"size": 7, "mode": "am"}, "blend": 1,
      "interpolate": False}),
    ("Please reduce flicker (mode median, 9 frames) and interpolate motion.", "look", "add",
     {"stabilize": None, "exposure": None, "deflicker": {"size": 9, "mode": "median"}, "blend": 1,
      "interpolate": True}),
    ("Smooth the timelapse: blend every 3 consecutive frames.", "look", "add",
     {"stabilize": None, "exposure": None, "deflicker": None, "blend": 3, "interpolate": False}),
    ("去闪烁，窗口 7 帧，并进行运动插帧。", "look", "add",
     {"stabilize": None, "exposure": None, "deflicker": {"size": 7, "mode": "am"}, "blend": 1,
      "interpolate": True}),
    ("Smooth the holy grail exposure ramp over 45 frames and deflicker it.", "look", "add",
     {"stabilize": None, "exposure": {"window": 45}, "deflicker": {"size": 5, "mode": "am"},
      "blend": 1, "interpolate": False}),
    ("曝光渐变按 45 帧平滑，保留整体变暗。", "look", "add",
     {"stabilize": None, "exposure": {"window": 45}, "deflicker": None, "blend": 1,
      "interpolate": False}),
    ("Turn off the exposure smoothing.", "look", "remove", {"exposure": None}),
    ("Put the caption 'Golden hour' in the bottom left corner between 2 and 5 seconds, 6% tall, "
     "in yellow.", "title", "add", {**TITLE_ADD, "text": "Golden hour", "start": 2.0,
                                     "end": 5.0, "position": "bottom-left", "size": 0.06,
                                     "color": "yellow"}),
    ("Add a title “Hello world” at the centre for the first 3 seconds with a 0.5 s fade in and "
     "out.", "title", "add", {**TITLE_ADD, "text": "Hello world", "end": 3.0, "fade_in": 0.5,
                              "fade_out": 0.5}),
    ('Add the title "x" from 0 s to 1 s, at the middle of the frame, text height 8% of the '
     "frame height, colour white, fading in over 0 s and out over 0 s.", "title", "add",
     {**TITLE_ADD, "text": "x", "end": 1.0}),
    ("Add a title 「日の出」 at the top-right, 1-4 s, colour #ffcc00, on a black@0.5 box.",
     "title", "add", {**TITLE_ADD, "text": "日の出", "start": 1.0, "end": 4.0,
                      "position": "top-right", "color": "#ffcc00", "box": True,
                      "box_color": "black@0.5"}),
    ('Show a title "Dawn" for 2 seconds starting at 1 s, upper right, with a box.', "title",
     "add", {**TITLE_ADD, "text": "Dawn", "start": 1.0, "end": 3.0, "position": "top-right",
             "box": True, "box_color": "black@0.5"}),
    ("Add the title \"It's 5 o'clock\" from 500 ms to 2.5 s.", "title", "add",
     {**TITLE_ADD, "text": "It's 5 o'clock", "start": 0.5, "end": 2.5}),
    ("添加标题「晨光」，显示在左上角，从第2秒到第5秒，字号 6%，颜色为黄色。", "title", "add",
     {**TITLE_ADD, "text": "晨光", "start": 2.0, "end": 5.0, "position": "top-left",
      "size": 0.06, "color": "yellow"}),
    ("在画面下方加上字幕《归途》，1 到 3 秒，淡入淡出 0.5 秒。", "title", "add",
     {**TITLE_ADD, "text": "归途", "start": 1.0, "end": 3.0, "position": "bottom",
      "fade_in": 0.5, "fade_out": 0.5}),
    ('Add a date stamp in the bottom left, format "%d/%m/%Y", 5% high, white.', "timestamp",
     "add", {"format": "%d/%m/%Y", "position": "bottom-left", "size": 0.05, "color": "white",
             "box": False}),
    ("Stamp each photo's capture time on it.", "timestamp", "add",
     {"format": "%Y-%m-%d %H:%M", "position": "bottom-right", "size": 0.04, "color": "white",
      "box": False}),
    ("添加拍摄时间，格式「%H:%M」，右上角，颜色红色。", "timestamp", "add",
     {"format": "%H:%M", "position": "top-right", "size": 0.04, "color": "red", "box": False}),
    ("Put a watermark logo.png in the top left corner at 50% opacity, 10% wide.", "logo",
     "add", {"filename": "logo.png", "position": "top-left", "scale": 0.1, "opacity": 0.5}),
    ("Overlay My Brand Mark.PNG in the centre.", "logo", "add",
     {"filename": "My Brand Mark.PNG", "position": "center", "scale": 0.15, "opacity": 1.0}),
    ("在右下角叠加水印 brand.png，宽度 20%，不透明度 60%。", "logo", "add",
     {"filename": "brand.png", "position": "bottom-right", "scale": 0.2, "opacity": 0.6}),
    ("Use song.mp3 as the soundtrack at 35% volume, fade in 1 s, fade out 2 s.", "music", "add",
     {**MUSIC_ADD, "filename": "song.mp3", "volume": 0.35, "fade_in": 1.0, "fade_out": 2.0}),
    ("Add background music track.wav, volume 50%, trim it to the video.", "music", "add",
     {**MUSIC_ADD, "filename": "track.wav", "volume": 0.5, "fit": "cut"}),
    ('Add "Summer Mix (2024).m4a" as music, skip the first 12 s, looped.', "music", "add",
     {**MUSIC_ADD, "filename": "Summer Mix (2024).m4a", "start": 12.0}),
    ("背景音乐用 bgm.mp3，音量 30%，淡入 2 秒。", "music", "add",
     {**MUSIC_ADD, "filename": "bgm.mp3", "volume": 0.3, "fade_in": 2.0}),
]

CHANGES: list[tuple[str, str, str, dict[str, Any]]] = [
    ('Change the title text from "Sunset" to "Golden hour".', "title", "set",
     {"target": "Sunset", "text": "Golden hour"}),
    ("把标题文字从“日落”改为“黄昏”。", "title", "set", {"target": "日落", "text": "黄昏"}),
    ('Show the title "Golden hour" from 1 s to 4 s.', "title", "set",
     {"target": "Golden hour", "start": 1.0, "end": 4.0}),
    ("标题“黄昏”改为从 1 秒到 4 秒显示。", "title", "set",
     {"target": "黄昏", "start": 1.0, "end": 4.0}),
    ('Show the title "Golden hour" at the top of the frame, text height 8% of the frame height, '
     "colour white, on a black box, fading in over 0.5 s and out over 0.5 s.", "title", "set",
     {"target": "Golden hour", "position": "top", "size": 0.08, "color": "white", "box": True,
      "box_color": "black", "fade_in": 0.5, "fade_out": 0.5}),
    ('Change the title text from "Sunset" to "Golden hour". Show the title "Golden hour" from '
     '1 s to 4 s. Show the title "Golden hour" at the bottom of the frame, text height 10% of '
     "the frame height, colour yellow, with no box, fading in over 0 s and out over 1 s.",
     "title", "set", {"target": "Sunset", "text": "Golden hour", "start": 1.0, "end": 4.0,
                      "position": "bottom", "size": 0.1, "color": "yellow", "box": False,
                      "fade_in": 0.0, "fade_out": 1.0}),
    ("标题“黄昏”位置改为画面上方，文字高度为画面高度的 8%，颜色 white，不带底框，淡入 0.5 秒，"
     "淡出 0.5 秒。", "title", "set",
     {"target": "黄昏", "position": "top", "size": 0.08, "color": "white", "box": False,
      "fade_in": 0.5, "fade_out": 0.5}),
    ('Move the title "Sunset" to the bottom.', "title", "set",
     {"target": "Sunset", "position": "bottom"}),
    ("Make the title 'Sunset' yellow.", "title", "set", {"target": "Sunset", "color": "yellow"}),
    ('Rename the title "Sunset" to "Dusk".', "title", "set", {"target": "Sunset", "text": "Dusk"}),
    ('Keep the title "Sunset" on screen for 2 seconds.', "title", "set",
     {"target": "Sunset", "length": 2.0}),
    ('Change the timestamp format from "%Y-%m-%d" to "%H:%M".', "timestamp", "set",
     {"target": "%Y-%m-%d", "format": "%H:%M"}),
    ("把时间戳格式从“%Y-%m-%d”改为“%H:%M”。", "timestamp", "set",
     {"target": "%Y-%m-%d", "format": "%H:%M"}),
    ("Show the timestamp at the bottom-right of the frame, text height 4% of the frame height, "
     "colour yellow.", "timestamp", "set",
     {"position": "bottom-right", "size": 0.04, "color": "yellow"}),
    ("时间戳位置改为画面右下，文字高度为画面高度的 4%，颜色 yellow。", "timestamp", "set",
     {"position": "bottom-right", "size": 0.04, "color": "yellow"}),
    ("Replace the logo logo.png with the uploaded image logo2.png.", "logo", "replace",
     {"target": "logo.png", "filename": "logo2.png"}),
    ("Show the logo logo2.png at the top-right of the frame, 15% of the frame width, at 80% "
     "opacity.", "logo", "set",
     {"target": "logo2.png", "position": "top-right", "scale": 0.15, "opacity": 0.8}),
    ("把标志 logo.png 替换为上传的图片 logo2.png。"
     "标志 logo2.png 位置改为画面右上，宽度为画面宽度的 15%，不透明度 80%。", "logo", "replace",
     {"target": "logo.png", "filename": "logo2.png", "position": "top-right", "scale": 0.15,
      "opacity": 0.8}),
    ("Swap the watermark for logo2.png.", "logo", "replace", {"filename": "logo2.png"}),
    ("Replace the background music a.mp3 with the uploaded audio b.mp3.", "music", "replace",
     {"target": "a.mp3", "filename": "b.mp3"}),
    ("Set the background music b.mp3 to 20% volume, starting 0 s into the track, fading in over "
     "1 s and out over the last 2 s, looped to match the 30-second video.", "music", "set",
     {"target": "b.mp3", "volume": 0.2, "start": 0.0, "fade_in": 1.0, "fade_out": 2.0,
      "fit": "loop", "duration": 30.0}),
    ("把背景音乐 a.mp3 替换为上传的音频 b.mp3。背景音乐 b.mp3 改为音量 20%，从音轨第 0 秒开始，"
     "淡入 1 秒，在结尾淡出 2 秒，循环以匹配 30 秒的视频。", "music", "replace",
     {"target": "a.mp3", "filename": "b.mp3", "volume": 0.2, "start": 0.0, "fade_in": 1.0,
      "fade_out": 2.0, "fit": "loop", "duration": 30.0}),
    ("Make the music quieter: 20% volume.", "music", "set", {"volume": 0.2}),
    ("Turn off all smoothing of the timelapse.", "look", "remove",
     {"stabilize": None, "exposure": None, "deflicker": None, "blend": 1, "interpolate": False}),
    ("关闭所有平滑处理。", "look", "remove",
     {"stabilize": None, "exposure": None, "deflicker": None, "blend": 1, "interpolate": False}),
    ("Turn off the blending.", "look", "remove", {"blend": 1}),
    ("Change the smoothing to blend 4 frames.", "look", "set", {"blend": 4}),
    ('Remove the title "Sunset".', "title", "remove", {"target": "Sunset"}),
    ("删除标题“日落”。", "title", "remove", {"target": "日落"}),
    ("Delete the caption.", "title", "remove", {}),
    ("Remove the timestamp.", "timestamp", "remove", {}),
    ("删除时间戳。", "timestamp", "remove", {}),
    ("Remove the logo logo.png.", "logo", "remove", {"target": "logo.png"}),
    ("删除标志 logo.png。", "logo", "remove", {"target": "logo.png"}),
    ("去掉水印。", "logo", "remove", {}),
    ("Remove the background music.", "music", "remove", {}),
    ("Get rid of the soundtrack song.mp3, please.", "music", "remove", {"target": "song.mp3"}),
    ("删除背景音乐。", "music", "remove", {}),
]


@pytest.mark.parametrize("text, kind, action, params", ADDS + CHANGES,
                         ids=[f"{i}-{row[1]}-{row[2]}" for i, row in enumerate(ADDS + CHANGES)])
def test_paraphrases_mean_what_they_say(text: str, kind: str, action: str,
                                        params: dict[str, Any]) -> None:
    edit = parse_instruction(text)
    assert edit is not None, f"not understood: {text}"
    assert (edit.kind, edit.action) == (kind, action)
    assert _rounded(edit.params) == _rounded(params)
    outside_quotes = text.replace(str(params.get("text", "")), "")
    assert edit.language == ("zh" if any("\u4e00" <= c <= "\u9fff" for c in outside_quotes)
                             else "en")


def _rounded(value: Any) -> Any:
    """Floats to 9 places, so 10 / 120 reads as written."""
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return round(value, 9) if isinstance(value, float) else value


def test_the_table_covers_both_languages_every_kind_and_action() -> None:
    rows = ADDS + CHANGES
    seen = {(parse_instruction(t).language, k, a) for t, k, a, _ in rows}  # type: ignore[union-attr]
    for kind in ("timeline", "look", "title", "timestamp", "logo", "music"):
        assert {("en", kind, "add"), ("zh", kind, "add")} <= seen
    for kind, action in (("title", "set"), ("title", "remove"), ("timestamp", "set"),
                         ("timestamp", "remove"), ("logo", "replace"), ("logo", "remove"),
                         ("music", "replace"), ("music", "remove"), ("look", "remove")):
        assert {("en", kind, action), ("zh", kind, action)} <= seen


@pytest.mark.parametrize("text, quotes", [
    ('Add the title "He said "hi", then: 50% off; ok." now.', ['He said "hi", then: 50% off; ok.']),
    ("Add the title 'Tom's trip' and 'Day 2'.", ["Tom's trip", "Day 2"]),
    ("Show each photo's time, not the photos' names.", []),
    ("标题“他说“你好””和「日の出」以及『夜』、《归途》", ["他说“你好”", "日の出", "夜", "归途"]),
    ('Change "A" to "B".', ["A", "B"]),
    ('Add the title ""quoted" 50% off" from 1 s.', ['"quoted" 50% off']),
    ('Add the title "x ""y""" now.', ['x ""y""']),
])
def test_quoted_text_is_read_whole(text: str, quotes: list[str]) -> None:
    assert understand(text).quotes == quotes


@pytest.mark.parametrize("text, files", [
    ("Add the uploaded audio My Song (final).wav as music.", ["My Song (final).wav"]),
    ("Remove song.mp3 and put logo.PNG top-left.", ["song.mp3", "logo.PNG"]),
    ("Then overlay (logo.png) in the corner.", ["logo.png"]),
    ('Use "my clip.mp4" as the video.', ["my clip.mp4"]),
    ("Add the uploaded audio track 01.mp3 as background music.", ["track 01.mp3"]),
    ("Replace the logo Logo 2024.jpg with the uploaded image logo2.png.",
     ["Logo 2024.jpg", "logo2.png"]),
    ("Swap the watermark for logo2.png.", ["logo2.png"]),
    ("添加上传的音频 My Song (final).wav 作为背景音乐，把音频a.mp3换成日落.mp3。",
     ["My Song (final).wav", "a.mp3", "日落.mp3"]),
    ("Replace https://cdn.example.com/x/logo.png with logo2.webp.", ["logo.png", "logo2.webp"]),
])
def test_file_names_are_found_by_their_extension(text: str, files: list[str]) -> None:
    assert understand(text).files == files


@pytest.mark.parametrize("text, unit, amounts", [
    ("30 s, 30-second, 30 seconds, 30秒, 30s, 500 ms, 2 minutes", "s",
     [30.0, 30.0, 30.0, 30.0, 30.0, 0.5, 120.0]),
    ("24 fps, 25fps, 30 frames per second, 每秒 12 帧", "fps", [24.0, 25.0, 30.0, 12.0]),
    ("8%, 8.5 %, 40 percent, 音量 ３５％", "%", [8.0, 8.5, 40.0, 35.0]),
    ("from 1-4 s, 第2秒到第5秒, between 2 and 6 seconds", "s", [1.0, 4.0, 2.0, 5.0, 2.0, 6.0]),
])
def test_numbers_carry_their_units(text: str, unit: str, amounts: list[float]) -> None:
    assert [v.amount for v in understand(text).of_unit(unit)] == amounts


@pytest.mark.parametrize("text, size", [("1920x1080", (1920, 1080)), ("1920×1080", (1920, 1080)),
                                        ("1080 x 1920", (1080, 1920)), ("720p", (1280, 720)),
                                        ("分辨率1920×1080的", (1920, 1080))])
def test_canvas_sizes(text: str, size: tuple[int, int]) -> None:
    said = understand(text)
    assert (said.width, said.height) == size


@pytest.mark.parametrize("text, position", [
    ("top-left", "top-left"), ("Top Left", "top-left"), ("upper right corner", "top-right"),
    ("bottom-right", "bottom-right"), ("lower left", "bottom-left"), ("centre", "center"),
    ("center", "center"), ("middle", "center"), ("at the top", "top"), ("right side", "right"),
    ("左上", "top-left"), ("右下角", "bottom-right"), ("画面中央", "center"), ("顶部", "top"),
    ("左侧", "left"), ("在上传的图片下方", "bottom"),
])
def test_positions(text: str, position: str) -> None:
    assert understand(text).position() == position


def test_a_quoted_title_that_looks_like_a_file_name_is_a_title() -> None:
    edit = parse_instruction('Add the title "music.mp3" from 0 s to 1 s, colour red.')
    assert edit is not None and edit.kind == "title" and edit.params["text"] == "music.mp3"


@pytest.mark.parametrize("text", [
    "", "Make it pop!", "What can you do?", "Smooth the timelapse: make it nicer.",
    "Add a title at the top of the frame.", "Overlay the logo at the top-right.",
    'Change the title "Sunset".', "Add background music at 50% volume.", "Remove the photos.",
    "帮我看看效果。", "添加背景音乐。",
])
def test_saying_too_little_is_not_understood(text: str) -> None:
    assert parse_instruction(text) is None
