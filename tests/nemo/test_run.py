"""Whole runs through the real emulator: outputs, re-runs, shapes, strategies, secrets."""

from __future__ import annotations

import hashlib
import json
import stat
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from lapsefile.backends.nemo import timeline_summary
from lapsefile.cli.main import cli
from lapsefile.engine.probe import probe
from lapsefile.engine.testing import make_frames
from lapsefile.events import Collector

from .helpers import FRAMES, cached_token, read_lock, run, write_project


def _instructions(lock: dict) -> list[str]:
    return lock["outputs"]["main"]["settings"]["instructions"]


def _size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


def _timeline_session(emulator, spec: Path) -> dict:
    sid = read_lock(spec)["outputs"]["main"]["steps"]["main/session"]["session_id"]
    return next(s for s in emulator.state()["sessions"] if s["session_id"] == sid)


def test_full_run_makes_the_video_and_a_second_run_calls_nothing(emulator, project):
    events = Collector()
    summary = run(project, emulator, emit=events)
    assert summary.executed == ["main/session", "main/upload", "main/instruct-timeline",
                                "main/instruct-title-1", "main/instruct-logo",
                                "main/instruct-music", "main/export", "main/download"]
    out = project.parent / "out" / "main.mp4"
    info = probe(out)
    assert (info.width, info.height) == (160, 90)
    assert info.fps == pytest.approx(10, abs=0.01)
    assert info.duration == pytest.approx(1.0, abs=0.1)
    assert info.audio_codec is not None  # the music made it in
    lock = read_lock(project)
    steps = lock["outputs"]["main"]["steps"]
    artifact = steps["main/download"]["artifact"]
    assert artifact == {"path": "out/main.mp4", "size": out.stat().st_size,
                        "sha256": hashlib.sha256(out.read_bytes()).hexdigest()}
    keys = ("timeline", "title-1", "logo", "music")
    assert all(steps[f"main/instruct-{k}"]["instruction"] == "confirmed" for k in keys)
    # The emulator's classic draft spells every fact lapsefile looks for: all confirmed.
    assert {steps[f"main/instruct-{k}"]["verdict"] for k in keys} == {"confirmed"}
    assert emulator.applied() == {text: 1 for text in _instructions(lock)}
    agent_said = [e.data["text"] for e in events.events
                  if e.kind == "message" and e.data.get("source") == "agent"]
    assert agent_said and not any("Click Export" in text for text in agent_said)
    assert any("lapsefile exports the video next" in text for text in agent_said)

    before = len(emulator.calls())
    again = run(project, emulator)
    assert again.up_to_date and again.executed == []
    assert emulator.calls()[before:] == []  # not a token, not a state read: nothing
    result = CliRunner().invoke(cli, ["run", str(project), "--api-url", emulator.url])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    assert emulator.calls()[before:] == []


def test_uploads_go_in_display_order_with_the_logo_and_music_last(emulator, project):
    run(project, emulator)
    session = _timeline_session(emulator, project)
    assert session["assets"] == [f"IMG_{i}.jpg" for i in range(1, FRAMES + 1)] + [
        "logo.png", "music.wav"]
    summary = timeline_summary(session["session_id"], {"api_url": emulator.url})
    assert summary.startswith("Timeline (4 tracks): 1. Video: 10 photos (0-1s)")
    assert '"Sunset" (0-0.5s)' in summary and "BGM: music.wav (0-1s, 35%)" in summary


@pytest.mark.parametrize("shapes", [
    {"sse_shape": "typed", "render_shape": "flat", "upload_shape": "files",
     "error_statuses": "mapped"},
    {"sse_shape": "adk", "render_shape": "wrapped", "upload_shape": "uploaded_files",
     "error_statuses": "ok"},
], ids=["typed-flat-files-mapped", "adk-wrapped-uploaded_files-ok"])
def test_every_documented_shape_gives_the_same_result(start_emulator, project, shapes):
    emulator = start_emulator(**shapes)
    events = Collector()
    run(project, emulator, emit=events)
    assert probe(project.parent / "out" / "main.mp4").width == 160
    said = [e.data["text"] for e in events.events
            if e.kind == "message" and e.data.get("source") == "agent"]
    # Framework fragments are joined and shown once, not as pieces plus the whole.
    assert len(said) == 4 and all(text.startswith("Done!") for text in said)
    assert emulator.applied() == {t: 1 for t in _instructions(read_lock(project))}


def test_silent_streams_and_spurious_notices(start_emulator, project):
    emulator = start_emulator(silent_close_rate=0.5, spurious_issue_rate=1.0, seed=3)
    events = Collector()
    run(project, emulator, emit=events)
    calls = emulator.calls("run_sse")
    assert any(c.get("silent") for c in calls) and any(c.get("spurious") for c in calls)
    texts = [e.data["text"] for e in events.events if e.kind == "message"]
    assert not any("temporary issue" in text for text in texts)
    assert emulator.applied() == {t: 1 for t in _instructions(read_lock(project))}


def test_heartbeats_are_reported_while_the_agent_works(start_emulator, project):
    emulator = start_emulator(edit_delay=0.1)
    events = Collector()
    run(project, emulator, emit=events)
    beats = [e for e in events.events
             if e.kind == "heartbeat" and e.step == "main/instruct-timeline"]
    assert beats and beats[0].data["text"] == \
        "waiting for the agent to carry out instruction timeline"


def test_clip_strategy_uploads_one_assembled_video(emulator, tmp_path):
    spec = write_project(tmp_path / "p", upload="clip")
    run(spec, emulator)
    session = _timeline_session(emulator, spec)
    assert session["assets"] == ["main-clip.mp4", "logo.png", "music.wav"]
    clips = list((spec.parent / ".lapsefile" / "clips").glob("*-main-clip.mp4"))
    assert len(clips) == 1
    clip = probe(clips[0])
    assert (clip.width, clip.height) == (160, 90) and clip.audio_codec is None
    info = probe(spec.parent / "out" / "main.mp4")
    assert (info.width, info.height) == (160, 90)
    assert info.duration == pytest.approx(1.0, abs=0.1)


def test_look_timestamp_and_chinese_instructions(emulator, tmp_path):
    spec = write_project(tmp_path / "p")
    # Bigger than the 160x90 output needs: they go up as proxies, keeping their capture times.
    photos = make_frames(spec.parent / "photos", FRAMES, size=(640, 480),
                         capture_times=[datetime(2024, 5, 1, 18, 0) + timedelta(minutes=i)
                                        for i in range(FRAMES)])
    text = spec.read_text().replace("overlays:\n", "overlays:\n  timestamp: {format: \"%H:%M\"}\n")
    spec.write_text(text + "  language: zh\nlook: {deflicker: true}\n", encoding="utf-8")
    run(spec, emulator)
    lock = read_lock(spec)
    keys = [r["key"] for k, r in sorted(lock["outputs"]["main"]["steps"].items())
            if k.startswith("main/instruct-")]
    assert sorted(keys) == ["logo", "look", "music", "timeline", "timestamp", "title-1"]
    assert all("，" in text or "。" in text for text in _instructions(lock))
    proxies = sorted((spec.parent / ".lapsefile" / "proxies").glob("*.jpg"))
    assert len(proxies) == FRAMES and all(_size(p) == (160, 120) for p in proxies)
    assert lock["outputs"]["main"]["steps"]["main/upload"]["bytes_sent"] < sum(
        p.stat().st_size for p in photos)
    assert emulator.applied() == {t: 1 for t in _instructions(lock)}
    assert probe(spec.parent / "out" / "main.mp4").width == 160


def test_the_token_is_only_in_the_private_cache(emulator, project, private_config):
    events = Collector()
    run(project, emulator, emit=events)
    token = cached_token(private_config)
    assert token.startswith("nmv_usr_")
    cache = private_config / "nemo-credentials.json"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert token not in project.with_suffix(".lock").read_text()
    assert token not in json.dumps([e.to_dict() for e in events.events])
    result = CliRunner().invoke(cli, ["credits", "--json", "--api-url", emulator.url])
    assert result.exit_code == 0 and token not in result.output
    balance = json.loads(result.output)
    assert balance["anonymous"] is True and balance["total"] == balance["available"] + \
        balance["frozen"]
    assert balance["register_url"].endswith(f"bind={balance['user_id']}")
    text = CliRunner().invoke(cli, ["credits", "--api-url", emulator.url])
    assert text.exit_code == 0 and "available:" in text.output and token not in text.output


def test_an_unreachable_api_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(cli, ["credits", "--api-url", "http://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "could not reach the NemoVideo API" in result.output
    assert "Traceback" not in result.output
