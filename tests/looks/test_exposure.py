"""look.exposure as lapse.yaml writes it, and as the cloud instruction says it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lapsefile.cli.main import cli
from lapsefile.looks.exposure import Exposure
from lapsefile.plan.instructions import render_instructions
from lapsefile.project.resolve import resolve_project
from lapsefile.spec import load_spec
from lapsefile.spec.defaults import default

from .helpers import look_spec


@pytest.mark.parametrize(("written", "model"), [
    ("{exposure: smooth}", Exposure(default("look.exposure.window"))),
    ("{exposure: true}", Exposure(default("look.exposure.window"))),
    ("{exposure: {}}", Exposure(default("look.exposure.window"))),
    ("{exposure: {window: 61}}", Exposure(61)), ("{exposure: false}", None),
    ("{deflicker: true}", None),
])
def test_how_it_is_written(tmp_path: Path, written: str, model: Exposure | None) -> None:
    assert load_spec(look_spec(tmp_path, written)).look.get("exposure") == model


def test_it_applies_after_stabilizing_and_before_deflickering(tmp_path: Path) -> None:
    written = "{deflicker: true, exposure: smooth, stabilize: true}"
    look = load_spec(look_spec(tmp_path, written)).look
    assert list(look) == ["stabilize", "exposure", "deflicker"]


@pytest.mark.parametrize(("language", "sentence"), [
    ("en", "Smooth the timelapse: smooth the exposure ramp over 45 frames, keeping the overall "
           "darkening; remove flicker by averaging brightness over 5 frames (mode am)."),
    ("zh", "平滑延时视频：曝光渐变按 45 帧平滑，保留整体变暗；"
           "去闪烁，亮度平均窗口 5 帧（模式 am）。"),
])
def test_the_instruction_says_it_before_deflicker(tmp_path: Path, language: str,
                                                  sentence: str) -> None:
    spec = load_spec(look_spec(tmp_path, "{deflicker: true, exposure: {window: 45}}", language))
    project, _ = resolve_project(spec)
    look = [i for i in render_instructions(project, spec.outputs[0]) if i.kind == "look"]
    assert [i.text for i in look] == [sentence]


@pytest.mark.parametrize("written", ["{exposure: {window: 2}}", "{exposure: sunny}",
                                     "{exposure: {size: 9}}"])
def test_a_bad_value_is_named_with_its_place(tmp_path: Path, written: str) -> None:
    result = CliRunner().invoke(cli, ["validate", str(look_spec(tmp_path, written))])
    assert result.exit_code == 1, result.output
    assert "lapse.yaml:4" in result.output and "look.exposure" in result.output
    assert "Traceback" not in result.output
