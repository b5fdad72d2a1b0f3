"""A failed run keeps the last good record: the lock still says which settings made the file on
disk, the failure is recorded beside it, and putting the spec back needs no work (issue 9,
class 6). Renders fail for real: a spec change that brings in a photo ffmpeg cannot decode, an
ffmpeg that refuses to render, a cloud export the service refuses."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import pytest
from click.testing import CliRunner

from lapsefile.backends.nemo import timeline_summary
from lapsefile.cli.main import cli
from lapsefile.errors import ApiError, RenderError
from lapsefile.runner import prepare, run_project
from lapsefile.status import status

from ..nemo.helpers import Emulator, read_lock, write_project
from ..nemo.helpers import run as run_cloud
from ..support import FAST, EmulatorSettings, write_photo

GOOD = 'frames: {include: ["photos/*.jpg"]}'
BROKEN = 'frames: {include: ["photos/*.jpg", "extra/*.jpg"]}'  # adds an undecodable photo
SPEC = f"""version: 1
{GOOD}
timing: {{fps: 12, duration: 1s}}
outputs:
  - {{path: out/wide.mp4, name: wide, size: "64x36"}}
"""


def _undecodable(path: Path) -> None:
    """A JPEG whose header Pillow reads (so the spec resolves) but whose Huffman tables the
    decoder cannot use: ffmpeg fails on it, as on a real damaged card."""
    write_photo(path, shade=200, size=(64, 48))
    data = bytearray(path.read_bytes())
    table = data.find(b"\xff\xc4")
    data[table + 5:table + 21] = b"\xff" * 16
    path.write_bytes(bytes(data))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for i in range(1, 5):
        write_photo(tmp_path / "photos" / f"IMG_{i}.jpg", shade=i * 45, size=(64, 48))
    _undecodable(tmp_path / "extra" / "IMG_9.jpg")
    (tmp_path / "lapse.yaml").write_text(SPEC)
    return tmp_path


def _wrapper(folder: Path, body: str) -> Path:
    """An executable shell script standing in front of the real ffmpeg."""
    script = folder / "ffmpeg-wrapper"
    script.write_text(f"#!/bin/sh\n{body}exec '{imageio_ffmpeg.get_ffmpeg_exe()}' \"$@\"\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


@pytest.fixture
def ffmpeg_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """How many renders the real ffmpeg was started for (a logging wrapper: a fake, not a
    mock)."""
    log = tmp_path / "renders.log"
    wrapper = _wrapper(tmp_path, f"case \"$*\" in *-filter_complex*) echo render >> '{log}';; "
                                 "esac\n")
    monkeypatch.setenv("LAPSEFILE_FFMPEG", str(wrapper))
    return lambda: len(log.read_text().splitlines()) if log.exists() else 0


def _edit(spec: Path, old: str, new: str) -> None:
    text = spec.read_text()
    assert old in text
    spec.write_text(text.replace(old, new))


def _entry(root: Path) -> dict[str, Any]:
    return json.loads((root / "lapse.lock").read_text())["outputs"]["wide"]


def _video(root: Path) -> tuple[str, int]:
    path = root / "out" / "wide.mp4"
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_a_failed_render_keeps_the_good_record_and_restoring_needs_no_render(
        project: Path, ffmpeg_starts) -> None:
    spec = project / "lapse.yaml"
    run_project(spec)
    good, video = _entry(project), _video(project)

    _edit(spec, GOOD, BROKEN)
    result = CliRunner().invoke(cli, ["run", str(spec)])
    assert result.exit_code == 1 and "huffman" in result.output.lower()
    after = _entry(project)
    # (a) the header and the step record still describe the file on disk ...
    for key in ("fingerprint", "settings", "inputs_digest", "steps"):
        assert after[key] == good[key], key
    # ... and the failure is beside them, aimed at the new settings, with no absolute path
    failed = after["failed"]
    assert failed["step"] == "wide/render" and failed["fingerprint"] != good["fingerprint"]
    assert failed["error"].startswith("ffmpeg failed to render out/wide.mp4")
    assert str(project) not in (project / "lapse.lock").read_text()
    assert _video(project) == video

    row = status(spec).outputs[0]
    assert row.state == "out of date" and row.artifact == good["steps"]["wide/render"]["artifact"]
    assert row.failed is not None and row.failed.current and row.failed.step == "wide/render"
    shown = CliRunner().invoke(cli, ["status", str(spec)])
    assert "last attempt (these settings) failed at" in shown.output
    assert "still the one the recorded settings made" in shown.output
    assert json.loads(CliRunner().invoke(cli, ["status", "--json", str(spec)]).output)[
        "outputs"][0]["failed"]["current_settings"] is True
    # the plan explains the change against the good video, not against the failed attempt
    (render,) = prepare(spec).plan.needed
    assert render.reason.kind in ("spec_changed", "input_changed")

    # (b) the spec put back: up to date, nothing rendered, the file untouched
    _edit(spec, BROKEN, GOOD)
    starts = ffmpeg_starts()
    assert status(spec).outputs[0].state == "up to date"
    assert not prepare(spec).plan.needed
    summary = run_project(spec)
    assert summary.executed == [] and ffmpeg_starts() == starts
    assert _video(project) == video
    assert "failed" not in _entry(project)  # history once the output is up to date again

    # (c) the failed settings again: the render is retried (and fails again, for real)
    _edit(spec, GOOD, BROKEN)
    with pytest.raises(RenderError):
        run_project(spec)
    assert ffmpeg_starts() == starts + 1


def test_a_first_render_that_fails_is_not_made_yet_and_retried(project: Path) -> None:
    spec = project / "lapse.yaml"
    _edit(spec, GOOD, BROKEN)
    with pytest.raises(RenderError):
        run_project(spec)
    entry = _entry(project)
    assert "fingerprint" not in entry and "settings" not in entry  # nothing was ever made
    assert entry["failed"]["step"] == "wide/render"
    row = status(spec).outputs[0]
    assert row.state == "not made yet" and row.failed is not None and row.failed.current
    (render,) = prepare(spec).plan.needed
    assert render.reason.kind == "failed" and "ffmpeg failed" in str(render.reason)


def test_a_forced_render_that_fails_keeps_the_video_it_would_have_replaced(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = project / "lapse.yaml"
    run_project(spec)
    good, video = _entry(project), _video(project)
    refusing = _wrapper(tmp_path, "case \"$*\" in *-filter_complex*) "
                                  "echo 'refusing to render' >&2; exit 1;; esac\n")
    with pytest.raises(RenderError, match="refusing to render"):
        run_project(spec, force=True, options={"ffmpeg": str(refusing)})
    after = _entry(project)
    assert after["steps"] == good["steps"] and after["failed"]["step"] == "wide/render"
    # the same settings as the file on disk: nothing to redo once ffmpeg works again
    assert run_project(spec).executed == [] and _video(project) == video


# -- the cloud backend: a session's records stay true, and nothing is paid twice -------------

@pytest.fixture
def emulator_settings() -> EmulatorSettings:
    return EmulatorSettings(FAST, wrap=Emulator)


@pytest.fixture
def cloud_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LAPSEFILE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("NEMO_TOKEN", "NEMO_API_URL", "LAPSEFILE_FFMPEG"):
        monkeypatch.delenv(name, raising=False)
    return write_project(tmp_path / "project")


def test_a_refused_export_keeps_the_session_records_and_restoring_pays_nothing(
        start_emulator, cloud_project: Path) -> None:
    spec, emulator = cloud_project, start_emulator()
    run_cloud(spec, emulator)
    good = read_lock(spec)["outputs"]["main"]
    video = (spec.parent / "out" / "main.mp4").read_bytes()

    _edit(spec, '"Sunset"', '"Dawn"')
    emulator.faults([{"endpoint": "render", "code": 2001}])  # out of credits at the export
    with pytest.raises(ApiError):
        run_cloud(spec, emulator)
    after = read_lock(spec)["outputs"]["main"]
    assert after["fingerprint"] == good["fingerprint"] and after["settings"] == good["settings"]
    assert after["failed"]["step"] == "main/export"
    # the edit that was sent is recorded as the session shows it
    session = after["steps"]["main/session"]["session_id"]
    assert after["steps"]["main/instruct-title-1"]["applied"]["text"] == "Dawn"
    assert 'Title: "Dawn"' in timeline_summary(session, {"api_url": emulator.url})
    assert after["steps"]["main/download"] == good["steps"]["main/download"]

    # the spec put back: the video on disk is its result; no call, no credit
    emulator.faults([])
    _edit(spec, '"Dawn"', '"Sunset"')
    assert not prepare(spec).plan.needed
    calls = len(emulator.calls())
    assert run_cloud(spec, emulator).executed == []
    assert emulator.calls()[calls:] == []
    assert (spec.parent / "out" / "main.mp4").read_bytes() == video

    # the failed settings again: the edit already on the timeline is not sent (paid) again
    _edit(spec, '"Sunset"', '"Dawn"')
    calls = len(emulator.calls())
    summary = run_cloud(spec, emulator)
    assert summary.executed == ["main/export", "main/download"]
    assert not [c for c in emulator.calls()[calls:] if c["endpoint"] == "run_sse"]
    assert "failed" not in read_lock(spec)["outputs"]["main"]
