"""Regressions from the review: stale upload URLs, forced re-renders, shared assets, failed
instructions, user-fixable local errors, repeated photos."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lapsefile.cli.main import cli
from lapsefile.engine.testing import make_frames
from lapsefile.errors import LapsefileError
from lapsefile.events import Collector
from lapsefile.runner import RunSummary, run_project

from .helpers import FRAMES, QUICK_OPTIONS, Emulator, read_lock, run, write_project


def run_forced(spec: Path, emulator: Emulator, emit: Collector | None = None) -> RunSummary:
    return run_project(spec, options={"api_url": emulator.url, **QUICK_OPTIONS},
                       emit=emit or Collector(), force=True)


def _set_title(spec: Path, title: str) -> None:
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace('text: "Sunset"', f'text: "{title}"'), encoding="utf-8")


def _upload_bytes(spec: Path, output: str = "main") -> int:
    return read_lock(spec)["outputs"][output]["steps"][f"{output}/upload"]["bytes_sent"]


def test_a_project_moves_to_another_emulator_and_uploads_bytes_again(start_emulator, project):
    first = start_emulator()
    run(project, first)
    first.server.stop()
    second = start_emulator()
    _set_title(project, "Dusk")
    summary = run(project, second)
    assert "main/download" in summary.executed
    assert _upload_bytes(project) > 0
    assert len(second.calls("upload")) >= FRAMES  # bytes, not the old emulator's URLs
    assets = read_lock(project)["backends"]["nemo"]["assets"]
    assert assets and all(a["url"].startswith(second.url) for a in assets.values())


def test_urls_the_service_refuses_are_sent_again_as_bytes(start_emulator, project):
    emulator = start_emulator()
    run(project, emulator)
    lock_file = project.with_suffix(".lock")
    lock = json.loads(lock_file.read_text(encoding="utf-8"))
    for entry in lock["backends"]["nemo"]["assets"].values():  # same API, expired links
        entry["url"] = f"{emulator.url}/_files/{'0' * 64}/{entry['filename']}"
    lock_file.write_text(json.dumps(lock), encoding="utf-8")
    events = Collector()
    summary = run_forced(project, emulator, emit=events)
    assert "main/download" in summary.executed
    assert _upload_bytes(project) > 0
    assert any("refused the remembered upload URLs" in str(e.data.get("text"))
               for e in events.events)


def test_a_forced_run_renders_its_own_session_and_downloads_that(emulator, project):
    run(project, emulator)
    first = read_lock(project)["outputs"]["main"]["steps"]
    run_forced(project, emulator)
    steps = read_lock(project)["outputs"]["main"]["steps"]
    session = steps["main/session"]["session_id"]
    assert session != first["main/session"]["session_id"]
    renders = emulator.calls("render")
    assert len(renders) == 2
    assert steps["main/export"]["render_id"] != first["main/export"]["render_id"]
    assert steps["main/export"]["session_id"] == session
    assert steps["main/download"]["render_id"] == steps["main/export"]["render_id"]
    new = next(r for r in emulator.state()["renders"]
               if r["id"] == steps["main/export"]["render_id"])
    assert new["status"] == "completed" and new["session_id"] == session
    assert new["id"] in emulator.calls("download")[-1]["path"]


def test_assets_of_a_later_output_survive_an_earlier_outputs_upload(emulator, tmp_path):
    spec = write_project(tmp_path / "two")
    make_frames(spec.parent / "photos", FRAMES, size=(320, 180))  # proxies differ by output
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace('    size: "160x90"\n', '    size: "160x90"\n'
                                 '  - path: out/small.mp4\n    size: "96x54"\n'),
                    encoding="utf-8")
    run(spec, emulator)
    summary = run_forced(spec, emulator)  # new sessions: every output uploads again
    assert {"main/upload", "small/upload"} <= set(summary.executed)
    assert _upload_bytes(spec, "main") == 0 and _upload_bytes(spec, "small") == 0


def test_a_folder_where_the_video_goes_is_an_error_not_a_crash(emulator, project):
    (project.parent / "out" / "main.mp4").mkdir(parents=True)
    with pytest.raises(LapsefileError) as caught:
        run(project, emulator)
    assert "out/main.mp4" in str(caught.value) and "is a folder" in str(caught.value)
    result = CliRunner().invoke(cli, ["run", str(project), "--api-url", emulator.url])
    assert result.exit_code == 1, result.output


@pytest.mark.parametrize("url", ["http://[::1", "ftp://127.0.0.1:1"])
def test_a_malformed_api_url_is_an_error_not_a_crash(project, url):
    result = CliRunner().invoke(cli, ["run", str(project), "--api-url", url])
    assert result.exit_code == 1, result.output
    assert "malformed" in result.output or "malformed" in str(result.exception)
