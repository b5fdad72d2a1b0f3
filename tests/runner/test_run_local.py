"""The runner with the local backend: idempotence, targeted re-renders, interruption."""

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import imageio_ffmpeg
import pytest
from click.testing import CliRunner

from lapsefile.cli.main import cli
from lapsefile.engine.probe import probe
from lapsefile.errors import LockOutdatedError
from lapsefile.runner import run_project

from ..support import write_photo

SPEC = """version: 1
frames: {include: ["photos/*.jpg"]}
timing: {fps: 12, duration: 1s}
overlays:
  titles:
    - {text: "Hello", start: 0s, end: 0.5s, outputs: [wide]}
outputs:
  - {path: out/wide.mp4, name: wide, size: "64x36"}
  - {path: out/tall.mp4, name: tall, size: "36x64"}
"""


@pytest.fixture
def project(tmp_path):
    for i in range(1, 7):
        write_photo(tmp_path / "photos" / f"IMG_{i}.jpg", shade=i * 35, size=(64, 48))
    (tmp_path / "lapse.yaml").write_text(SPEC)
    return tmp_path


@pytest.fixture
def counting_ffmpeg(tmp_path, monkeypatch):
    """A real ffmpeg behind a wrapper that logs every start: a fake, not a mock."""
    log = tmp_path / "ffmpeg-starts.log"
    wrapper = tmp_path / "ffmpeg-wrapper"
    wrapper.write_text(f"#!/bin/sh\necho \"$@\" >> '{log}'\n"
                       f"exec '{imageio_ffmpeg.get_ffmpeg_exe()}' \"$@\"\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("LAPSEFILE_FFMPEG", str(wrapper))

    def starts() -> int:
        return len(log.read_text().splitlines()) if log.exists() else 0
    return starts


def _lock(project: Path) -> dict:
    return json.loads((project / "lapse.lock").read_text())


def test_run_makes_outputs_and_records_them(project):
    summary = run_project(project / "lapse.yaml")
    assert summary.executed == ["wide/render", "tall/render"]
    wide = probe(project / "out" / "wide.mp4")
    assert (wide.width, wide.height, wide.video_codec) == (64, 36, "h264")
    assert abs(wide.duration - 1.0) <= 1 / 12 + 1e-3
    tall = probe(project / "out" / "tall.mp4")
    assert (tall.width, tall.height) == (36, 64)
    record = _lock(project)["outputs"]["wide"]["steps"]["wide/render"]
    assert record["status"] == "done" and record["artifact"]["path"] == "out/wide.mp4"
    assert record["artifact"]["size"] == (project / "out" / "wide.mp4").stat().st_size
    lock_text = (project / "lapse.lock").read_text()
    assert str(project) not in lock_text  # no absolute paths in a committed file


def test_second_run_starts_no_ffmpeg(project, counting_ffmpeg):
    run_project(project / "lapse.yaml")
    assert counting_ffmpeg() > 0
    before, lock_before = counting_ffmpeg(), (project / "lapse.lock").read_bytes()
    summary = run_project(project / "lapse.yaml")
    assert summary.up_to_date and summary.executed == []
    assert counting_ffmpeg() == before
    assert (project / "lapse.lock").read_bytes() == lock_before


def test_changed_title_rerenders_only_the_output_showing_it(project):
    run_project(project / "lapse.yaml")
    tall_before = (project / "out" / "tall.mp4").stat().st_mtime_ns
    spec = project / "lapse.yaml"
    spec.write_text(spec.read_text().replace('"Hello"', '"Bonjour"'))
    summary = run_project(spec)
    assert summary.executed == ["wide/render"]
    assert (project / "out" / "tall.mp4").stat().st_mtime_ns == tall_before


def test_deleted_output_is_rendered_again_and_force_redoes(project):
    run_project(project / "lapse.yaml")
    (project / "out" / "tall.mp4").unlink()
    assert run_project(project / "lapse.yaml").executed == ["tall/render"]
    assert run_project(project / "lapse.yaml", force=True, only=["wide"]).executed == [
        "wide/render"]


def test_locked_fails_when_the_lock_is_out_of_date(project):
    with pytest.raises(LockOutdatedError) as info:
        run_project(project / "lapse.yaml", locked=True)
    assert "wide/render (new)" in str(info.value)
    assert not (project / "lapse.lock").exists()
    run_project(project / "lapse.yaml")
    assert run_project(project / "lapse.yaml", locked=True).up_to_date


def test_dry_run_writes_nothing(project):
    summary = run_project(project / "lapse.yaml", dry_run=True)
    assert [s.reason.kind for s in summary.plan.steps] == ["new", "new"]
    assert not (project / "lapse.lock").exists() and not (project / "out").exists()


def test_cli_run_twice_says_up_to_date(project):
    runner = CliRunner()
    first = runner.invoke(cli, ["run", str(project / "lapse.yaml")])
    assert first.exit_code == 0, first.output
    second = runner.invoke(cli, ["run", str(project / "lapse.yaml")])
    assert second.exit_code == 0 and "up to date" in second.output


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_render_leaves_no_output_and_next_run_completes(project, stop):
    # Long enough to interrupt mid-render: many frames at a larger size.
    spec = project / "lapse.yaml"
    spec.write_text(SPEC.replace("duration: 1s", "duration: 40s").replace(
        '"64x36"', '"1280x720"').replace("fps: 12", "fps: 30"))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "lapsefile.cli.main", "run", str(spec),
                             "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    for line in proc.stdout:  # wait until ffmpeg reports progress on the first output
        if '"event": "progress"' in line and "render" in line:
            break
    time.sleep(0.3)
    proc.send_signal(stop)
    proc.wait(timeout=60)
    assert proc.returncode == 130
    leftovers = subprocess.run(["pgrep", "-f", str(project / "out")], capture_output=True)
    assert leftovers.stdout == b""  # no ffmpeg left writing into the project
    out_dir = project / "out"
    assert not (out_dir / "wide.mp4").exists() and not (out_dir / "tall.mp4").exists()
    assert [p.name for p in out_dir.iterdir()] == []  # no temp file that looks finished
    lock = _lock(project) if (project / "lapse.lock").exists() else {"outputs": {}}
    assert all(s.get("status") != "done" for o in lock["outputs"].values()
               for s in o["steps"].values())
    spec.write_text(SPEC)  # the quick version, so the test stays fast
    assert run_project(spec).executed == ["wide/render", "tall/render"]


def test_locked_remakes_missing_outputs_on_a_fresh_clone(project):
    run_project(project / "lapse.yaml")
    for video in (project / "out").iterdir():
        video.unlink()
    summary = run_project(project / "lapse.yaml", locked=True)
    assert summary.executed == ["wide/render", "tall/render"]
    assert run_project(project / "lapse.yaml", locked=True).up_to_date


def test_photos_named_by_an_absolute_glob_are_recorded_relative(tmp_path):
    card = tmp_path / "card"
    for i in range(1, 4):
        write_photo(card / f"IMG_{i}.jpg", shade=i * 60, size=(32, 18))
    project = tmp_path / "project"
    project.mkdir()
    (project / "lapse.yaml").write_text(
        f"version: 1\nframes: '{card}/*.jpg'\ntiming: {{fps: 3}}\n"
        "outputs:\n  - {path: out/a.mp4, size: '32x18'}\n")
    run_project(project / "lapse.yaml")
    lock_text = (project / "lapse.lock").read_text()
    assert "../card/IMG_1.jpg" in lock_text and str(tmp_path) not in lock_text
