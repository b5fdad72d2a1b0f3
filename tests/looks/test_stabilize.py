"""look.stabilize as lapse.yaml writes it, and as the cloud instruction says it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lapsefile.cli.main import cli
from lapsefile.looks.stabilize import Stabilize
from lapsefile.plan.instructions import render_instructions
from lapsefile.project.resolve import resolve_project
from lapsefile.spec import load_spec

from .helpers import look_spec


@pytest.mark.parametrize(("written", "model"), [
    ("{stabilize: true}", Stabilize(10)), ("{stabilize: {}}", Stabilize(10)),
    ("{stabilize: {smoothing: 0}}", Stabilize(0)), ("{stabilize: false}", None),
])
def test_how_it_is_written(tmp_path: Path, written: str, model: Stabilize | None) -> None:
    assert load_spec(look_spec(tmp_path, written)).look.get("stabilize") == model


@pytest.mark.parametrize(("language", "sentence"), [
    ("en", "Smooth the timelapse: stabilize the camera, smoothing its path over 20 frames on "
           "each side; remove flicker by averaging brightness over 5 frames (mode am)."),
    ("zh", "平滑延时视频：稳定画面，镜头路径每侧平滑 20 帧；"
           "去闪烁，亮度平均窗口 5 帧（模式 am）。"),
])
def test_the_instruction_says_it_first(tmp_path: Path, language: str, sentence: str) -> None:
    spec = load_spec(look_spec(tmp_path, "{deflicker: true, stabilize: {smoothing: 20}}", language))
    project, _ = resolve_project(spec)
    look = [i for i in render_instructions(project, spec.outputs[0]) if i.kind == "look"]
    assert [i.text for i in look] == [sentence]


def test_a_bad_smoothing_is_named_with_its_place(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(look_spec(tmp_path,
                                                            "{stabilize: {smoothing: -2}}"))])
    assert result.exit_code == 1, result.output
    assert "lapse.yaml:4" in result.output and "look.stabilize" in result.output
    assert "Traceback" not in result.output
