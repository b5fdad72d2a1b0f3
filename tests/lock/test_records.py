"""Typed lock records (``lock/records.py``): the JSON they read is the JSON they write."""

import json
from pathlib import Path

import pytest

from lapsefile.errors import LockError
from lapsefile.lock.lockfile import load_lock
from lapsefile.lock.records import OutputRecord, StepRecord, own_fields
from lapsefile.plan.step_ids import instruct_id, output_of, step_id
from lapsefile.runner import run_project

from ..nemo.helpers import Emulator, run, write_project
from ..support import FAST, EmulatorSettings, write_photo

LOCAL_SPEC = """version: 1
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
def emulator_settings() -> EmulatorSettings:
    return EmulatorSettings(FAST, wrap=Emulator)


@pytest.fixture
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The nemo run's token cache under tmp_path, never the user's."""
    config = tmp_path / "config"
    monkeypatch.setenv("LAPSEFILE_CONFIG_DIR", str(config))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    for name in ("NEMO_TOKEN", "NEMO_API_URL", "LAPSEFILE_FFMPEG"):
        monkeypatch.delenv(name, raising=False)
    return config


def _assert_round_trips(lock_path: Path) -> dict:
    """Each entry and record converts back to the same JSON, and the lock re-saves the same
    bytes."""
    before = lock_path.read_bytes()
    data = json.loads(before)
    for entry in data["outputs"].values():
        record = OutputRecord.from_dict(entry)
        assert record.to_dict() == entry
        for raw in entry["steps"].values():
            step = StepRecord.from_dict(raw)
            assert step.to_dict() == raw
            assert step.data == own_fields(raw)
            assert (step.status, step.fingerprint) == (raw["status"], raw["fingerprint"])
    lock = load_lock(lock_path)
    lock.save()
    assert lock_path.read_bytes() == before
    return data


def test_a_local_run_lock_loads_and_saves_byte_for_byte(tmp_path):
    for i in range(1, 7):
        write_photo(tmp_path / "photos" / f"IMG_{i}.jpg", shade=i * 35, size=(64, 48))
    (tmp_path / "lapse.yaml").write_text(LOCAL_SPEC)
    run_project(tmp_path / "lapse.yaml")
    data = _assert_round_trips(tmp_path / "lapse.lock")
    wide = OutputRecord.from_dict(data["outputs"]["wide"])
    assert wide.backend == "local" and wide.settings is not None
    render = wide.steps[step_id("wide", "render")]
    assert render.status == "done" and render.artifact is not None
    assert render.artifact["path"] == "out/wide.mp4"


def test_a_nemo_run_lock_loads_and_saves_byte_for_byte(tmp_path, emulator, private_config):
    spec = write_project(tmp_path / "project")
    run(spec, emulator)
    # A second run edits the title in place: records with edit journals (mode, from, applied).
    spec.write_text(spec.read_text().replace('"Sunset"', '"Dusk"'), encoding="utf-8")
    run(spec, emulator)
    data = _assert_round_trips(spec.with_suffix(".lock"))
    main = OutputRecord.from_dict(data["outputs"]["main"])
    assert main.backend == "nemo"
    assert main.steps[step_id("main", "session")].data["session_id"]
    title = main.steps[instruct_id("main", "title-1")]
    assert title.data["mode"] == "edit" and title.status == "done"


def test_unknown_keys_are_kept():
    entry = {"backend": "local", "fingerprint": "f", "settings": {"a": 1}, "inputs_digest": "d",
             "from_the_future": [1, 2],
             "steps": {"m/render": {"status": "done", "fingerprint": "g", "error": "e",
                                    "artifact": {"path": "out/m.mp4", "later": True},
                                    "something_new": {"x": None}}}}
    record = OutputRecord.from_dict(entry)
    assert record.extra == {"from_the_future": [1, 2]}
    step = record.steps["m/render"]
    assert step.data == {"artifact": {"path": "out/m.mp4", "later": True},
                         "something_new": {"x": None}}
    assert record.to_dict() == entry


def test_absent_keys_stay_absent():
    """An entry from a partial write (no basis yet) and a record without runner keys."""
    entry = {"steps": {"m/render": {"artifact": {"path": "out/m.mp4"}}}}
    record = OutputRecord.from_dict(entry)
    assert record.settings is None and record.backend is None
    assert record.steps["m/render"].status is None
    assert record.to_dict() == entry


@pytest.mark.parametrize("entry, words", [
    (5, "outputs.m should be a mapping"),
    ({"steps": None}, "outputs.m.steps should be a mapping"),
    ({"steps": {"m/render": []}}, "outputs.m.steps.m/render should be a mapping"),
    ({"steps": {"m/render": {"artifact": 3}}}, "outputs.m.steps.m/render.artifact should name"),
    ({"steps": {"m/render": {"artifact": {"size": 1}}}}, "artifact should name a path"),
    ({"steps": {"m/render": {"status": 1}}}, "outputs.m.steps.m/render.status should be a"),
    ({"steps": {"m/render": {"fingerprint": None}}}, "m/render.fingerprint should be a string"),
    ({"steps": {"m/render": {"error": ["x"]}}}, "m/render.error should be a string"),
    ({"steps": {}, "settings": []}, "outputs.m.settings should be a mapping"),
    ({"steps": {}, "backend": 3}, "outputs.m.backend should be a string"),
    ({"steps": {}, "inputs_digest": None}, "outputs.m.inputs_digest should be a string"),
    ({"steps": {}, "failed": "yes"}, "outputs.m.failed should hold fingerprint, step, error"),
    ({"steps": {}, "failed": {"fingerprint": "f", "step": "m/render", "error": "x"}},
     "outputs.m.failed should hold fingerprint, step, error and at"),
])
def test_damaged_shapes_are_refused(tmp_path, entry, words):
    with pytest.raises(LockError) as info:
        OutputRecord.from_dict(entry, "outputs.m")
    assert words in str(info.value) and "Restore it from version control" in str(info.value)
    # Through load_lock, the same message names the file.
    path = tmp_path / "lapse.lock"
    path.write_text(json.dumps({"lockfile_version": 1, "outputs": {"m": entry}, "inputs": {}}))
    with pytest.raises(LockError) as info:
        load_lock(path)
    assert words in str(info.value) and str(path) in str(info.value)


def test_step_ids_are_spelled_in_one_place():
    assert step_id("main", "render") == "main/render"
    assert instruct_id("main", "title-2") == "main/instruct-title-2"
    assert output_of("main/instruct-title-2") == "main"
    assert output_of(step_id("a-b", "export")) == "a-b"


def test_a_failed_attempt_is_kept_beside_the_good_record_byte_for_byte():
    entry = {"backend": "local", "fingerprint": "good", "settings": {"a": 1},
             "failed": {"fingerprint": "tried", "step": "m/render", "error": "ffmpeg failed",
                        "at": "2026-01-02T03:04:05Z"},
             "steps": {"m/render": {"status": "done", "fingerprint": "g"}}}
    record = OutputRecord.from_dict(entry, "outputs.m")
    assert record.fingerprint == "good" and record.failed is not None
    assert (record.failed.fingerprint, record.failed.step) == ("tried", "m/render")
    assert record.extra == {} and record.to_dict() == entry
