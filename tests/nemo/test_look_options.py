"""A look option through the cloud: its phrase sent, read back by the agent, and rendered."""

from __future__ import annotations

from pathlib import Path

from lapsefile.engine.probe import probe

from .helpers import read_lock, run, write_project


def test_stabilize_is_sent_confirmed_and_rendered(emulator, tmp_path: Path) -> None:
    spec = write_project(tmp_path / "project")
    spec.write_text(spec.read_text(encoding="utf-8") + "look: {stabilize: {smoothing: 5}}\n",
                    encoding="utf-8")
    run(spec, emulator)
    step = read_lock(spec)["outputs"]["main"]["steps"]["main/instruct-look"]
    assert step["verdict"] == "confirmed"
    assert step["applied"]["stabilize"] == {"smoothing": 5}
    sent = read_lock(spec)["outputs"]["main"]["settings"]["instructions"]
    assert ("Smooth the timelapse: stabilize the camera, smoothing its path over 5 frames on "
            "each side.") in sent
    session = emulator.state()["sessions"]
    video = [t for s in session for t in s["draft"]["t"] if t.get("tt") == 0]
    assert any(t["m"].get("stabilize") == {"smoothing": 5} for t in video)
    assert probe(spec.parent / "out" / "main.mp4").frame_count > 0


def test_exposure_is_sent_confirmed_and_rendered(emulator, tmp_path: Path) -> None:
    spec = write_project(tmp_path / "project")
    spec.write_text(spec.read_text(encoding="utf-8") + "look: {exposure: {window: 9}}\n",
                    encoding="utf-8")
    run(spec, emulator)
    step = read_lock(spec)["outputs"]["main"]["steps"]["main/instruct-look"]
    assert step["verdict"] == "confirmed"
    assert step["applied"]["exposure"] == {"window": 9}
    sent = read_lock(spec)["outputs"]["main"]["settings"]["instructions"]
    assert ("Smooth the timelapse: smooth the exposure ramp over 9 frames, keeping the overall "
            "darkening.") in sent
    session = emulator.state()["sessions"]
    video = [t for s in session for t in s["draft"]["t"] if t.get("tt") == 0]
    assert any(t["m"].get("exposure") == {"window": 9} for t in video)
    assert probe(spec.parent / "out" / "main.mp4").frame_count > 0
