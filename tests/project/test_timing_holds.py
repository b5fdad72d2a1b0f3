"""timing.hold_start / hold_end and per-output timing: solved, checked, rendered."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lapsefile.cli.main import cli
from lapsefile.engine.probe import probe
from lapsefile.engine.testing import make_frames
from lapsefile.project.timing import TimingProblem, solve
from lapsefile.runner import prepare
from lapsefile.spec.model import TimingRequest

from ..engine.conftest import frame_indexes


def test_holds_are_part_of_duration() -> None:
    t = solve(TimingRequest(fps=24, duration=30, hold_start=2, hold_end=3), 100, None)
    assert (t.hold, t.duration, t.frame_count) == (pytest.approx(0.25), 30, 720)
    t = solve(TimingRequest(fps=10, hold=0.5, hold_end=2), 10, None)
    assert t.duration == pytest.approx(7.0) and (t.hold_start, t.hold_end) == (0, 2)


def test_holds_that_leave_no_time_are_explained() -> None:
    with pytest.raises(TimingProblem, match=r"leave no time for the photos in a 4 s video"):
        solve(TimingRequest(fps=24, duration=4, hold_start=2, hold_end=3), 10, None)


def test_one_frame_per_photo_counts_the_holds() -> None:
    with pytest.raises(TimingProblem, match=r"at least 12 s, after 2 s of holds"):
        solve(TimingRequest(fps=10, duration=5, hold_end=2), 100, None)


SPEC = """\
version: 1
frames: photos/*.jpg
timing: {{fps: 10, duration: 2s{holds}}}
outputs:
  - {{name: long, path: out/long.mp4, size: 64x36}}
  - {{name: short, path: out/short.mp4, size: 64x36, timing: {{duration: 1s}}}}
{extra}"""


def _project(root: Path, holds: str = "", extra: str = "") -> Path:
    make_frames(root / "photos", 5)
    spec = root / "lapse.yaml"
    spec.write_text(SPEC.format(holds=holds, extra=extra), encoding="utf-8")
    return spec


def test_each_output_gets_its_own_timing(tmp_path: Path) -> None:
    spec = _project(tmp_path)
    project = prepare(spec).project
    assert project.timing_for("short").duration == 1.0
    assert project.timing_for("long").duration == 2.0 and project.timings.keys() == {"short"}
    result = CliRunner().invoke(cli, ["run", str(spec)])
    assert result.exit_code == 0, result.output
    long, short = probe(tmp_path / "out" / "long.mp4"), probe(tmp_path / "out" / "short.mp4")
    assert (long.frame_count, short.frame_count) == (20, 10)
    # every photo is in both, twice as long in the long cut
    assert frame_indexes(tmp_path / "out" / "short.mp4", short) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_holds_freeze_the_first_and_last_photo(tmp_path: Path) -> None:
    spec = _project(tmp_path, holds=", hold_start: 0.5s, hold_end: 0.5s")
    # the short cut's own timing keeps no time for photos after these holds: drop it
    spec.write_text(spec.read_text(encoding="utf-8").split("  - {name: short")[0],
                    encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(spec)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out" / "long.mp4"
    info = probe(out)
    shown = frame_indexes(out, info)
    # 5 frames of photo 1, then 10 frames for 5 photos, then 5 frames of photo 5: 2 s in all
    assert shown == [1] * 5 + [1, 1, 2, 2, 3, 3, 4, 4, 5, 5] + [5] * 5
    assert info.duration == pytest.approx(2.0, abs=0.05)


def test_an_output_keeps_the_specs_holds_unless_it_says_otherwise(tmp_path: Path) -> None:
    spec = _project(tmp_path, holds=", hold_end: 0.5s")
    short = prepare(spec).project.timing_for("short")
    # inherited: the 1 s cut holds its last photo 0.5 s, leaving 0.1 s for each of 5 photos
    assert (short.duration, short.hold_end, short.hold) == (1.0, 0.5, pytest.approx(0.1))


def test_a_short_cut_too_short_for_its_holds_is_named(tmp_path: Path) -> None:
    spec = _project(tmp_path, holds=", hold_end: 1s")
    result = CliRunner().invoke(cli, ["validate", str(spec)])
    assert result.exit_code == 1, result.output
    assert "outputs[1].timing.duration" in result.output
    assert "leave no time for the photos in a 1 s video" in result.output


def test_the_cloud_refuses_holds_on_photos_uploaded_one_by_one(tmp_path: Path) -> None:
    spec = _project(tmp_path, holds=", hold_start: 0.5s", extra="backend: nemo\n")
    result = CliRunner().invoke(cli, ["validate", str(spec)])
    assert result.exit_code == 1, result.output
    assert "timing.hold_start freezes a photo" in result.output
    assert "cloud.upload: clip" in result.output
