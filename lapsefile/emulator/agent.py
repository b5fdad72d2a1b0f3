"""The emulated agent's understanding: one regular expression per instruction and language.

It understands exactly the sentences of lapsefile's built-in templates
(``lapsefile/plan/templates/{en,zh}/*.j2``, numbers as written by ``instructions.num``, Chinese
positions from ``ZH_POSITIONS``). Anything else is "not understood": the agent answers with text
and changes nothing. Parsed values are plain numbers: seconds, fractions (8% -> 0.08), pixels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..plan.instructions import ZH_POSITIONS
from ..spec.model import POSITIONS

NUM = r"-?\d+(?:\.\d+)?"
POS_EN = "|".join(sorted(POSITIONS, key=len, reverse=True))
POS_ZH = "|".join(ZH_POSITIONS.values())
FROM_ZH = {zh: en for en, zh in ZH_POSITIONS.items()}
FIT_TEXT = {
    "cropped to fill the frame": "cover",
    "fitted inside the frame with black bars": "contain",
    "fitted inside the frame over a blurred copy of itself": "blur",
    "裁剪填满画面": "cover",
    "完整显示并加黑边": "contain",
    "完整显示并以模糊背景填充": "blur",
}
FIT_RE = "|".join(re.escape(text) for text in FIT_TEXT)
CANVAS_EN = rf"(?P<width>\d+)x(?P<height>\d+) \((?P<aspect>[^)]+)\), (?P<fit>{FIT_RE})"
CANVAS_ZH = rf"分辨率 (?P<width>\d+)x(?P<height>\d+)（(?P<aspect>[^）]+)），(?P<fit>{FIT_RE})"

PATTERNS: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("timeline", rf"Combine the (?P<photos>\d+) uploaded photos, in upload order, into a "
                     rf"(?P<duration>{NUM})-second timelapse at (?P<fps>{NUM}) fps, {CANVAS_EN}\. "
                     rf"Show each photo for (?P<hold>{NUM}) seconds\."),
        ("clip", rf"Use the uploaded video (?P<filename>.+?) as the whole video track: "
                 rf"(?P<duration>{NUM}) seconds at (?P<fps>{NUM}) fps, {CANVAS_EN}\. "
                 r"Do not change its speed\."),
        ("look", r"Smooth the timelapse: (?P<parts>.+)\."),
        ("title", rf'Add the title "(?P<text>.*)" from (?P<start>{NUM}) s to (?P<end>{NUM}) s, '
                  rf"at the (?P<position>{POS_EN}) of the frame, text height (?P<size>{NUM})% of "
                  r"the frame height, colour (?P<color>[^,\s]+)(?:, on a (?P<box_color>\S+) box)?, "
                  rf"fading in over (?P<fade_in>{NUM}) s and out over (?P<fade_out>{NUM}) s\."),
        ("timestamp", r"Add a timestamp showing each photo's capture time, formatted "
                      rf'"(?P<format>.*)", at the (?P<position>{POS_EN}) of the frame, text height '
                      rf"(?P<size>{NUM})% of the frame height, colour (?P<color>[^,\s]+), "
                      r"for the whole video\."),
        ("logo", rf"Overlay the uploaded image (?P<filename>.+?) at the (?P<position>{POS_EN}) of "
                 rf"the frame, (?P<scale>{NUM})% of the frame width, at (?P<opacity>{NUM})% "
                 r"opacity, for the whole video\."),
        ("music", rf"Add the uploaded audio (?P<filename>.+?) as background music at "
                  rf"(?P<volume>{NUM})% volume, starting (?P<start>{NUM}) s into the track, "
                  rf"fading in over (?P<fade_in>{NUM}) s and out over the last (?P<fade_out>{NUM}) "
                  rf"s, (?P<fit>looped|cut) to match the (?P<duration>{NUM})-second video\."),
    ],
    "zh": [
        ("timeline", rf"将上传的 (?P<photos>\d+) 张照片按上传顺序合成为一段 "
                     rf"(?P<duration>{NUM}) 秒的延时视频，帧率 (?P<fps>{NUM}) fps，"
                     rf"{CANVAS_ZH}。每张照片显示 (?P<hold>{NUM}) 秒。"),
        ("clip", rf"将上传的视频 (?P<filename>.+?) 作为完整的视频轨道：(?P<duration>{NUM}) 秒，"
                 rf"帧率 (?P<fps>{NUM}) fps，{CANVAS_ZH}。不要改变速度。"),
        ("look", r"平滑延时视频：(?P<parts>.+)。"),
        ("title", rf"添加标题“(?P<text>.*)”，从 (?P<start>{NUM}) 秒到 (?P<end>{NUM}) 秒，"
                  rf"位置：画面(?P<position>{POS_ZH})，文字高度为画面高度的 (?P<size>{NUM})%，"
                  r"颜色 (?P<color>[^，\s]+)(?:，带 (?P<box_color>\S+) 底框)?，"
                  rf"淡入 (?P<fade_in>{NUM}) 秒，淡出 (?P<fade_out>{NUM}) 秒。"),
        ("timestamp", r"添加时间戳，显示每张照片的拍摄时间，格式为“(?P<format>.*)”，"
                      rf"位置：画面(?P<position>{POS_ZH})，文字高度为画面高度的 (?P<size>{NUM})%，"
                      r"颜色 (?P<color>[^，\s]+)，贯穿整个视频。"),
        ("logo", rf"在画面(?P<position>{POS_ZH})叠加上传的图片 (?P<filename>.+?)，"
                 rf"宽度为画面宽度的 (?P<scale>{NUM})%，不透明度 (?P<opacity>{NUM})%，"
                 r"贯穿整个视频。"),
        ("music", rf"添加上传的音频 (?P<filename>.+?) 作为背景音乐，音量 (?P<volume>{NUM})%，"
                  rf"从音轨第 (?P<start>{NUM}) 秒开始，淡入 (?P<fade_in>{NUM}) 秒，"
                  rf"在结尾淡出 (?P<fade_out>{NUM}) 秒，(?P<fit>循环|截断)以匹配 "
                  rf"(?P<duration>{NUM}) 秒的视频。"),
    ],
}
COMPILED = {language: [(kind, re.compile(pattern, re.DOTALL)) for kind, pattern in table]
            for language, table in PATTERNS.items()}

LOOK_PARTS: dict[str, list[tuple[str, re.Pattern[str]]]] = {
    "en": [("deflicker", re.compile(r"remove flicker by averaging brightness over (?P<size>\d+) "
                                    r"frames \(mode (?P<mode>\w+)\)")),
           ("blend", re.compile(r"blend every (?P<blend>\d+) consecutive frames")),
           ("interpolate", re.compile(r"interpolate motion between photos"))],
    "zh": [("deflicker", re.compile(r"去闪烁，亮度平均窗口 (?P<size>\d+) 帧"
                                    r"（模式 (?P<mode>\w+)）")),
           ("blend", re.compile(r"每 (?P<blend>\d+) 帧混合")),
           ("interpolate", re.compile(r"在照片之间进行运动插帧"))],
}
LOOK_SEPARATOR = {"en": "; ", "zh": "；"}
INTEGERS = {"photos", "width", "height"}
PERCENTAGES = {"size", "scale", "opacity", "volume"}
TEXTS = {"text", "format", "filename", "aspect", "color", "box_color"}


@dataclass(frozen=True)
class Edit:
    """An understood instruction. ``kind`` is timeline, clip, look, title, timestamp, logo or
    music; ``cost_kind`` is the instruction kind that lapsefile named it (clip -> timeline)."""

    kind: str
    params: dict[str, Any]
    language: str

    @property
    def cost_kind(self) -> str:
        return "timeline" if self.kind == "clip" else self.kind


def parse_instruction(text: str) -> Edit | None:
    """The edit ``text`` asks for, or None when the agent does not understand it."""
    text = text.strip()
    for language, table in COMPILED.items():
        for kind, pattern in table:
            match = pattern.fullmatch(text)
            if not match:
                continue
            params = _convert(match.groupdict(), language)
            if kind == "look":
                look = _parse_look(params.pop("parts"), language)
                if look is None:
                    return None
                params = look
            return Edit(kind, params, language)
    return None


def _convert(groups: dict[str, str | None], language: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, raw in groups.items():
        if raw is None:
            continue
        if name in INTEGERS:
            params[name] = int(raw)
        elif name in PERCENTAGES:
            params[name] = float(raw) / 100
        elif name == "position":
            params[name] = FROM_ZH.get(raw, raw)
        elif name == "fit":
            params[name] = FIT_TEXT.get(raw) or ("loop" if raw in ("looped", "循环") else "cut")
        elif name in TEXTS or name == "parts":
            params[name] = raw
        else:
            params[name] = float(raw)
    if "color" in params:
        params["box"] = "box_color" in params
    return params


def _parse_look(parts_text: str, language: str) -> dict[str, Any] | None:
    look: dict[str, Any] = {"deflicker": None, "blend": 1, "interpolate": False}
    for part in parts_text.split(LOOK_SEPARATOR[language]):
        for name, pattern in LOOK_PARTS[language]:
            match = pattern.fullmatch(part.strip())
            if not match:
                continue
            if name == "deflicker":
                look["deflicker"] = {"size": int(match["size"]), "mode": match["mode"]}
            elif name == "blend":
                look["blend"] = int(match["blend"])
            else:
                look["interpolate"] = True
            break
        else:
            return None
    return look
