"""Regressions from the review: stale upload URLs, forced re-renders, shared assets, failed
instructions, user-fixable local errors, repeated photos."""

from __future__ import annotations

import json
from pathlib import Path

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
    for entry in lock["backends"]["nemo"]["assets"].values():  # same API, dead links
        entry["url"] = entry["url"].replace(emulator.url, "http://127.0.0.1:9")
    lock_file.write_text(json.dumps(lock), encoding="utf-8")
    events = Collector()
    summary = run_forced(project, emulator, emit=events)
    assert "main/download" in summary.executed
    assert _upload_bytes(project) > 0
    assert any("refused the remembered upload URLs" in str(e.data.get("text"))
               for e in events.events)
