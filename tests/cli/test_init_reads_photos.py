"""`lapsefile init` reads the photos: the order they were taken in, the span of shooting, and
a schema line editors can follow."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from lapsefile.cli.main import cli
from lapsefile.runner import prepare
from lapsefile.scaffold import human_span
from lapsefile.spec.schema_file import schema_text

from ..support import write_photo

START = datetime(2024, 6, 1, 5, 30)


def _shoot(folder: Path, names: list[str], every: float = 60.0,
           without_time: str | None = None) -> None:
    """Photos named ``names``, taken in that order ``every`` seconds apart."""
    for i, name in enumerate(names):
        when = None if name == without_time else START + timedelta(seconds=every * i)
        write_photo(folder / name, when=when)


def _init(root: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["init", str(root), *args])
    assert result.exit_code == 0, result.output
    return result.output


def _frames_order(spec: Path) -> list[str]:
    return [Path(f.relpath).name for f in prepare(spec).project.frames]


def test_a_wrapped_counter_gets_sort_exif_and_the_video_runs_in_shooting_order(tmp_path):
    # The camera's counter wrapped: IMG_0001 was taken after IMG_9999.
    taken = ["IMG_9998.jpg", "IMG_9999.jpg", "IMG_0001.jpg", "IMG_0002.jpg"]
    _shoot(tmp_path / "card", taken)
    output = _init(tmp_path)
    spec = (tmp_path / "lapse.yaml").read_text()
    assert "  sort: exif " in spec and "sort: natural" not in spec
    assert ('"IMG_9998.jpg" comes after "IMG_0002.jpg" by name but was taken before it'
            in output)
    assert "because the capture times do not follow the names" in spec
    assert _frames_order(tmp_path / "lapse.yaml") == taken


def test_names_in_shooting_order_keep_sort_natural(tmp_path):
    _shoot(tmp_path / "shots", [f"DSC{i:04d}.jpg" for i in range(1, 7)])
    output = _init(tmp_path)
    assert "  sort: natural\n" in (tmp_path / "lapse.yaml").read_text()
    assert "sort: exif" not in output


def test_a_photo_without_a_capture_time_keeps_the_names_order(tmp_path):
    # Out of order by name, but exif would sort the one without a time by its file time.
    taken = ["IMG_9999.jpg", "IMG_0001.jpg", "IMG_0002.jpg"]
    _shoot(tmp_path / "card", taken, without_time="IMG_0002.jpg")
    _init(tmp_path)
    assert "  sort: natural\n" in (tmp_path / "lapse.yaml").read_text()


def test_the_span_of_shooting_is_said_with_the_speedup_it_gives(tmp_path):
    # 240 photos 50 s apart: 239 x 50 s = 3 h 19 min 10 s, shown in 10 s at 24 fps.
    _shoot(tmp_path / "dawn", [f"P{i:03d}.jpg" for i in range(240)], every=50.0)
    output = _init(tmp_path)
    sentence = "3 h 19 min of shooting: 10 s at 24 fps is 1,195x"
    assert sentence in output
    assert f"  # {sentence}\n" in (tmp_path / "lapse.yaml").read_text()


def test_photos_without_capture_times_get_no_speedup_sentence(tmp_path):
    for i in range(3):
        write_photo(tmp_path / "shots" / f"A{i}.jpg")
    output = _init(tmp_path)
    assert "of shooting" not in output
    assert "of shooting" not in (tmp_path / "lapse.yaml").read_text()


@pytest.mark.parametrize(("seconds", "said"), [
    (7.25, "7.25 s"), (45, "45 s"), (270, "4 min 30 s"), (3600, "1 h"),
    (12000, "3 h 20 min"), (12029, "3 h 20 min"), (90000, "1 d 1 h")])
def test_spans_are_said_as_people_say_them(seconds, said):
    assert human_span(seconds) == said


def _schema_target(spec: Path) -> Path:
    first = spec.read_text().splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix)
    target = first.removeprefix(prefix)
    assert not Path(target).is_absolute() and "://" not in target  # works in any clone
    return spec.parent / target  # relative to the YAML file, as yaml-language-server reads it


def test_the_schema_line_names_a_schema_that_validates_the_spec(tmp_path):
    _shoot(tmp_path / "shots", [f"DSC{i:04d}.jpg" for i in range(1, 4)])
    output = _init(tmp_path)
    spec = tmp_path / "lapse.yaml"
    target = _schema_target(spec)
    assert f"wrote {target}" in output
    Draft202012Validator.check_schema(json.loads(target.read_text(encoding="utf-8")))
    checker = shutil.which("check-jsonschema")
    assert checker, "check-jsonschema is in the test extra"
    checked = subprocess.run([checker, "--schemafile", str(target), str(spec)],
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # The same check refuses a spec the schema does not allow: it is really checking.
    bad = tmp_path / "bad.yaml"
    bad.write_text(spec.read_text().replace("    size: 1080p", "    sise: 1080p"))
    refused = subprocess.run([checker, "--schemafile", str(target), str(bad)],
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "sise" in refused.stdout + refused.stderr


def test_an_existing_schema_file_is_kept_unless_forced(tmp_path):
    _shoot(tmp_path / "shots", ["a.jpg", "b.jpg"])
    old = tmp_path / "lapse.schema.json"
    old.write_text('{"$comment": "an older lapsefile"}')
    output = _init(tmp_path)
    assert "kept the existing" in output and "an older" in old.read_text()
    _init(tmp_path, "--force")
    assert old.read_text(encoding="utf-8") == schema_text()
