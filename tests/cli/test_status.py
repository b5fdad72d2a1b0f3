"""``status()`` as a library call, and ``lapsefile status`` as its thin adapter: the same data
as text and as JSON."""

from __future__ import annotations

import json

import httpx
import pytest
from click.testing import CliRunner

from lapsefile.cli.main import cli
from lapsefile.errors import SpecError
from lapsefile.runner import run_project
from lapsefile.status import InstructionVerdict, OutputStatus, StatusReport, status

from ..nemo.helpers import QUICK_OPTIONS, write_project
from ..support import write_photo

SPEC = ("version: 1\nframes: 'photos/*.jpg'\ntiming: {fps: 6}\noutputs:\n"
        "  - {path: out/a.mp4, size: '32x18'}\n  - {name: b, path: out/b.mp4, size: '32x18'}\n")


@pytest.fixture
def spec(tmp_path):
    for i in range(1, 4):
        write_photo(tmp_path / "photos" / f"IMG_{i}.jpg", size=(32, 18))
    path = tmp_path / "lapse.yaml"
    path.write_text(SPEC)
    return path


def _cli(*args: str):
    result = CliRunner().invoke(cli, ["status", *args])
    assert result.exit_code == 0, result.output
    return result


def test_status_before_and_after_a_run(spec):
    before = status(spec)
    assert isinstance(before, StatusReport) and before.orphans == []
    assert [(o.output, o.state, o.artifact) for o in before.outputs] == [
        ("a", "not made yet", None), ("b", "not made yet", None)]
    assert before.outputs[0].details and all(o.remote is None for o in before.outputs)
    run_project(spec)
    after = status(spec)
    assert [o.state for o in after.outputs] == ["up to date", "up to date"]
    assert after.outputs[0].details == [] and after.outputs[0].session_id is None
    assert after.outputs[0].artifact["path"] == "out/a.mp4"


def test_the_json_is_the_reports_dict(spec):
    run_project(spec)
    report = status(spec)
    assert json.loads(_cli(str(spec), "--json").stdout) == report.to_dict()
    (row, _) = report.to_dict()["outputs"]
    assert list(row) == ["output", "path", "backend", "state", "details", "artifact",
                         "session_id"]


def test_the_text_names_changes_and_outputs_gone_from_the_spec(spec):
    run_project(spec)
    spec.write_text(SPEC.replace("fps: 6", "fps: 3").replace(
        "  - {name: b, path: out/b.mp4, size: '32x18'}\n", ""))
    report = status(spec)
    assert report.orphans == ["b"]
    (row,) = report.outputs
    assert row.state == "out of date" and any("timing.fps" in d for d in row.details)
    text = _cli(str(spec)).stdout.splitlines()
    assert text[0] == "a: out of date (out/a.mp4, backend local)"
    assert text[1].startswith("    a/render: spec changed: ") and "timing.fps" in text[1]
    assert text[-1] == "b: in the lock but no longer in the spec (removed at the next run)"
    assert "orphans" not in json.loads(_cli(str(spec), "--json").stdout)


def test_remote_without_sessions_asks_nothing(spec):
    # No session in the lock: nothing to ask the service (whose URL here is unreachable).
    report = status(spec, remote=True, options={"api_url": "http://127.0.0.1:9"})
    assert all(o.remote is not None and o.remote.timeline is None
               and o.remote.instructions == [] for o in report.outputs)
    assert report.to_dict()["outputs"][0]["instructions"] == []
    assert report.to_dict()["outputs"][0]["timeline"] is None


def test_a_missing_spec_is_the_usual_error(tmp_path):
    with pytest.raises(SpecError, match="nope.yaml"):
        status(tmp_path / "nope.yaml")


def test_remote_timelines_and_verdicts_as_data(tmp_path, emulator):
    spec = write_project(tmp_path / "project")
    run_project(spec, backend="nemo", options={"api_url": emulator.url, **QUICK_OPTIONS})
    options = {"api_url": emulator.url}
    report = status(spec, backend="nemo", remote=True, options=options)
    for row in report.outputs:
        assert isinstance(row, OutputStatus) and row.state == "up to date" and row.session_id
        assert row.remote is not None and row.remote.timeline.startswith("Timeline (")
        assert row.remote.instructions and all(
            isinstance(i, InstructionVerdict) and i.verdict for i in row.remote.instructions)
    shown = _cli(str(spec), "--backend", "nemo", "--remote", "--api-url", emulator.url, "--json")
    assert json.loads(shown.stdout) == report.to_dict()
    httpx.post(emulator.url + "/_emulator/reset").raise_for_status()
    lost = status(spec, backend="nemo", remote=True, options=options)
    assert [o.state for o in lost.outputs] == [o.state for o in report.outputs]
    assert all(o.remote and o.remote.timeline.startswith("timeline unavailable: ")
               for o in lost.outputs)
