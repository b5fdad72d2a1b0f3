"""`lapsefile preview`: contact sheet, brightness plot and poster, from small cached decodes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageStat

from lapsefile.cli.main import cli
from lapsefile.engine.testing import frame_index_from_rgb, make_frames
from lapsefile.preview import preview
from lapsefile.preview.brightness import flicker_score
from lapsefile.preview.drawing import COLUMNS, LABEL

SPEC = """\
version: 1
frames: photos/*.jpg
look: {look}
outputs:
  - {{name: tall, path: out/tall.mp4, size: 720p, aspect: "9:16"}}
"""


def _project(root: Path, look: str = "{}", count: int = 14) -> Path:
    make_frames(root / "photos", count, size=(96, 54))
    spec = root / "lapse.yaml"
    spec.write_text(SPEC.format(look=look), encoding="utf-8")
    return spec


def _flickering(root: Path, count: int = 24) -> Path:
    """Grey photos whose brightness jumps up and down by 30 around 120."""
    (root / "photos").mkdir(parents=True)
    for i in range(count):
        shade = 120 + (30 if i % 2 else -30)
        Image.new("RGB", (64, 36), (shade,) * 3).save(root / "photos" / f"IMG_{i + 1}.jpg")
    spec = root / "lapse.yaml"
    spec.write_text(SPEC.format(look="{deflicker: {size: 9}}"), encoding="utf-8")
    return spec


def test_the_contact_sheet_shows_every_nth_photo_in_video_order(tmp_path: Path) -> None:
    result = preview(_project(tmp_path), every=3)
    assert (result.photos, result.shown, result.every) == (14, 5, 3)
    sheet = Image.open(result.contact_sheet).convert("RGB")
    edge = sheet.width // COLUMNS
    assert sheet.height == edge + LABEL  # one row of 5
    shown = []
    for k in range(result.shown):
        box = (k * edge + edge // 2 - 4, edge // 2 - 4, k * edge + edge // 2 + 4, edge // 2 + 4)
        mean = ImageStat.Stat(sheet.crop(box)).mean
        shown.append(frame_index_from_rgb((mean[0], mean[1], mean[2])))
    assert shown == [1, 4, 7, 10, 13]


def test_the_plot_measures_flicker_before_and_after_the_look(tmp_path: Path) -> None:
    result = preview(_flickering(tmp_path))
    assert result.flicker_before > 15 and result.flicker_after < result.flicker_before / 3
    plot = Image.open(result.luminance_plot)
    assert plot.size == (960, 360)


def test_the_poster_is_the_middle_photo_in_the_outputs_shape(tmp_path: Path) -> None:
    result = preview(_project(tmp_path))
    poster = Image.open(result.poster)
    assert poster.size == (540, 960)  # 720x1280 scaled to at most 960
    mean = ImageStat.Stat(poster.convert("RGB").crop((260, 470, 280, 490))).mean
    assert frame_index_from_rgb((mean[0], mean[1], mean[2])) == 8  # photo 8 of 14: the middle


def test_a_second_preview_decodes_no_photo_again(tmp_path: Path) -> None:
    spec = _project(tmp_path)
    preview(spec)
    cache = tmp_path / ".lapsefile" / "cache" / "thumbs"
    stamps = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert len(stamps) == 15  # 14 thumbnails and the brightness index
    preview(spec)
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == stamps


def test_the_command_names_its_files_and_figures(tmp_path: Path) -> None:
    spec = _project(tmp_path)
    result = CliRunner().invoke(cli, ["preview", str(spec), "--out", str(tmp_path / "look")])
    assert result.exit_code == 0, result.output
    assert str(tmp_path / "look" / "contact-sheet.png") in result.output
    assert "flicker" in result.output and "poster frame:" in result.output
    data = json.loads(CliRunner().invoke(cli, ["preview", str(spec), "--json"]).stdout)
    assert data["photos"] == 14 and Path(data["poster"]).is_file()


@pytest.mark.parametrize(("levels", "low", "high"), [
    ([100.0] * 10, 0.0, 0.01), ([100.0 - 3 * i for i in range(10)], 0.0, 0.01),
    ([100.0, 130.0] * 5, 10.0, 30.0)])
def test_a_smooth_ramp_scores_no_flicker(levels: list[float], low: float, high: float) -> None:
    assert low <= flicker_score(levels) <= high
