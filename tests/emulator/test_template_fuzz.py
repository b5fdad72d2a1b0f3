"""Whatever a project holds (texts with quotes, keywords, numbers and file names inside them,
odd file names, any numbers), lapsefile's template sentences parse back to their exact values."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from lapsefile.emulator.agent import parse_instruction
from lapsefile.looks.deflicker import Deflicker
from lapsefile.project.model import Project
from lapsefile.spec.model import (
    POSITIONS,
    Logo,
    Look,
    Music,
    TextStyle,
    Timestamp,
    Title,
)

from .helpers import instructions, make_project, with_spec
from .test_agent import _expected

WORDS = ["Sunset", "remove the logo", "50% off", "from 1 s to 4 s", '"quoted"', "it's",
         'Tom\'s "trip"', "日落", "标题“x”", "music.mp3", "at the top", "#1 fan", "a, b; c.",
         "x@0.5", "1920x1080", "(16:9)", "colour red", "Replace", "删除背景音乐", "「」",
         "'single'", "end.", "30 fps"]
COLOURS = ["white", "yellow", "#ff8800", "white@0.8", "#000000@0.25", "red", "navy"]
IMAGES = ["logo.png", "My Logo.png", "brand (v2).PNG", "a-b_c.webp", "Logo 2024.jpg"]
AUDIO = ["tone.wav", "My Song (final).wav", "track 01.mp3", "a.m4a", "Summer-Mix.aac"]
FORMATS = ["%Y-%m-%d", "%H:%M", "%d.%m.%Y, %H:%M:%S", "%Y年%m月%d日", "%b %d '%y"]


def _style(rng: random.Random, box: bool) -> TextStyle:
    return TextStyle(position=rng.choice(POSITIONS), size=round(rng.uniform(0.01, 0.3), 3),
                     color=rng.choice(COLOURS), box=box and rng.random() < 0.5,
                     box_color=rng.choice(COLOURS))


def _project(rng: random.Random, language: str) -> Project:
    count, duration = rng.randint(2, 300), round(rng.uniform(0.5, 120), rng.randint(0, 3))
    photos = [Path("/p/photos") / f"IMG_{k}.jpg" for k in range(1, count + 1)]
    base = make_project(Path("/p"), photos, fps=rng.choice([8, 12, 24, 29.97, 60]),
                        duration=duration, language=language,
                        width=rng.choice([64, 1920, 1080]), height=rng.choice([36, 1080, 1920]))
    start = round(rng.uniform(0, duration / 2), rng.randint(0, 3))
    title = Title(" ".join(rng.sample(WORDS, rng.randint(1, 3))), start,
                  rng.choice([None, round(start + rng.uniform(0.1, 5), 2)]), _style(rng, True),
                  fade_in=round(rng.uniform(0, 1), 2), fade_out=round(rng.uniform(0, 1), 2))
    project = with_spec(
        base, titles=(title,),
        timestamp=Timestamp(format=rng.choice(FORMATS), style=_style(rng, False)),
        logo=Logo("assets/" + rng.choice(IMAGES), position=rng.choice(POSITIONS),
                  scale=round(rng.uniform(0.05, 0.5), 3), opacity=round(rng.uniform(0.1, 1), 2)),
        music=Music("assets/" + rng.choice(AUDIO), volume=round(rng.uniform(0, 1.5), 2),
                    fade_in=round(rng.uniform(0, 3), 1), fade_out=round(rng.uniform(0, 3), 1),
                    start=round(rng.uniform(0, 10), 2), fit=rng.choice(["loop", "cut"])),
        look=Look(deflicker=rng.choice([None, Deflicker(rng.randint(2, 20), "median")]),
                  blend=rng.randint(1, 5), interpolate=rng.random() < 0.5))
    if rng.random() < 0.2:
        project = with_spec(project, cloud=replace(project.spec.cloud, upload="clip"))
    return project


@pytest.mark.parametrize("seed", range(4))
def test_random_projects_parse_back_exactly(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(40):
        language = rng.choice(["en", "zh"])
        for instruction in instructions(_project(rng, language)):
            edit = parse_instruction(instruction.text)
            assert edit is not None, instruction.text
            assert (edit.language, edit.cost_kind) == (language, instruction.kind)
            assert edit.params == _expected(instruction), instruction.text
