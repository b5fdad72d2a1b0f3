"""A change costs only what it changes: edits in the same session, against the emulator."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from lapsefile.backends.nemo import timeline_summary
from lapsefile.runner import prepare

from .helpers import Emulator, StopAt, read_lock, run


def _session(spec: Path) -> str:
    return read_lock(spec)["outputs"]["main"]["steps"]["main/session"]["session_id"]


def _edit(spec: Path, old: str, new: str) -> None:
    text = spec.read_text(encoding="utf-8")
    assert old in text
    spec.write_text(text.replace(old, new), encoding="utf-8")


def _video_sha(spec: Path) -> str:
    return hashlib.sha256((spec.parent / "out" / "main.mp4").read_bytes()).hexdigest()


def test_a_title_change_sends_one_edit_in_the_same_session(emulator: Emulator, project: Path):
    run(project, emulator)
    session, video, calls = _session(project), _video_sha(project), len(emulator.calls())
    _edit(project, 'text: "Sunset"', 'text: "Golden hour"')
    plan = prepare(project, backend="nemo").plan
    sent = [s for s in plan.needed if s.action == "instruct"]
    assert [(s.id, s.params["mode"], s.instruction) for s in sent] == [
        ("main/instruct-title-1", "edit",
         'Change the title text from "Sunset" to "Golden hour".')]
    summary = run(project, emulator)
    assert summary.executed == ["main/instruct-title-1", "main/export", "main/download"]
    new = emulator.calls()[calls:]
    assert [(c["session_id"], c["instruction"]) for c in new if c["endpoint"] == "run_sse"] == [
        (session, 'Change the title text from "Sunset" to "Golden hour".')]
    assert not [c for c in new if c["endpoint"] in ("session", "upload")]
    assert summary.report["credits_spent"] == 1
    assert _session(project) == session
    shown = timeline_summary(session, {"api_url": emulator.url})
    assert 'Title: "Golden hour"' in shown and "Sunset" not in shown
    assert _video_sha(project) != video
    record = read_lock(project)["outputs"]["main"]["steps"]["main/instruct-title-1"]
    assert record["applied"]["text"] == "Golden hour" and record["verdict"] == "confirmed"
    calls = len(emulator.calls())
    assert run(project, emulator).up_to_date and emulator.calls()[calls:] == []


def test_volume_logo_and_removal_are_edits_and_a_timing_change_is_a_new_session(
        emulator: Emulator, project: Path):
    run(project, emulator)
    session = _session(project)
    _edit(project, "volume: 35%", "volume: 20%")
    _edit(project, "  logo:\n    file: logo.png\n", "")
    calls = len(emulator.calls())
    summary = run(project, emulator)
    texts = [c["instruction"] for c in emulator.calls()[calls:] if c["endpoint"] == "run_sse"]
    assert texts == [(
        "Set the background music music.wav to 20% volume, starting 0 s into the track, "
        "fading in over 0 s and out over the last 0 s, looped to match the 1-second video."),
        "Remove the logo logo.png."]
    assert _session(project) == session and summary.report["credits_spent"] == 2
    shown = timeline_summary(session, {"api_url": emulator.url})
    assert "Logo" not in shown and "20%" in shown
    steps = read_lock(project)["outputs"]["main"]["steps"]
    assert "main/instruct-logo" in steps  # until the next plan, the removal's own record
    run(project, emulator)
    assert "main/instruct-logo" not in read_lock(project)["outputs"]["main"]["steps"] or \
        read_lock(project)["outputs"]["main"]["steps"]["main/instruct-logo"]["applied"] is None
    # Timing shapes the whole timeline: a new session, every instruction as written.
    _edit(project, "duration: 1s", "duration: 2s")
    plan = prepare(project, backend="nemo").plan
    assert plan.for_output("main")[0].reason.kind == "spec_changed"
    assert {s.params["mode"] for s in plan.needed if s.action == "instruct"} == {"add"}
    run(project, emulator)
    assert _session(project) != session


@pytest.mark.parametrize("stop", [("message", "main/instruct-title-1", 1),
                                  ("step_done", "main/instruct-title-1", 1),
                                  ("progress", "main/export", 1)],
                         ids=["agent-answering", "edit-done", "rendering"])
def test_an_edit_stopped_anywhere_is_sent_once(start_emulator, project, stop):
    emulator = start_emulator(edit_delay=0.05)
    run(project, emulator)
    session = _session(project)
    _edit(project, 'text: "Sunset"', 'text: "Dusk"')
    calls = len(emulator.calls())
    with pytest.raises(KeyboardInterrupt):
        run(project, emulator, emit=StopAt(*stop))
    json.loads(project.with_suffix(".lock").read_text(encoding="utf-8"))  # the lock is whole
    run(project, emulator)
    sent = [(c["session_id"], c["instruction"]) for c in emulator.calls()[calls:]
            if c["endpoint"] == "run_sse"]
    assert sent == [(session, 'Change the title text from "Sunset" to "Dusk".')]
    assert 'Title: "Dusk"' in timeline_summary(session, {"api_url": emulator.url})
    assert run(project, emulator).up_to_date


def test_each_edit_names_the_spec_keys_it_is_about(emulator: Emulator, project: Path):
    run(project, emulator)
    _edit(project, 'text: "Sunset"', 'text: "Dusk"')
    _edit(project, "volume: 35%", "volume: 20%")
    reasons = {s.id: s.reason.details for s in prepare(project, backend="nemo").plan.needed}
    assert reasons == {
        "main/instruct-title-1": ("overlays.titles[0].text",),
        "main/instruct-music": ("music.volume",),
        "main/export": ("music.volume", "overlays.titles[0].text"),
        "main/download": ("music.volume", "overlays.titles[0].text")}


def test_an_added_title_and_a_new_timestamp_format_cost_one_instruction_each(
        emulator: Emulator, project: Path):
    _edit(project, "overlays:\n", 'overlays:\n  timestamp: {format: "%H:%M"}\n')
    run(project, emulator)
    session = _session(project)
    _edit(project, '"%H:%M"', '"%d %b %H:%M"')
    _edit(project, "      end: 0.5s\n",
          '      end: 0.5s\n    - text: "Day two"\n      start: 0.5s\n')
    calls = len(emulator.calls())
    summary = run(project, emulator)
    sent = [c["instruction"] for c in emulator.calls()[calls:] if c["endpoint"] == "run_sse"]
    assert sent[0].startswith('Add the title "Day two" from 0.5 s to 1 s')
    assert sent[1:] == ['Change the timestamp format from "%H:%M" to "%d %b %H:%M".']
    assert _session(project) == session and summary.report["credits_spent"] == 2
    shown = timeline_summary(session, {"api_url": emulator.url})
    assert '"Day two"' in shown and '"%d %b %H:%M"' in shown
