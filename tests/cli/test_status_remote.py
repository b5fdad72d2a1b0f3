"""`status --remote` against a real emulator: timelines per output, and a lost session that
does not hide the local status."""

import httpx
from click.testing import CliRunner

from lapsefile.cli.main import cli
from lapsefile.runner import run_project

from ..nemo.helpers import QUICK_OPTIONS, write_project


def test_remote_timeline_and_a_lost_session(tmp_path, emulator):
    spec = write_project(tmp_path / "project")
    run_project(spec, backend="nemo", options={"api_url": emulator.url, **QUICK_OPTIONS})
    runner = CliRunner()
    args = ["status", str(spec), "--backend", "nemo", "--remote", "--api-url", emulator.url]
    shown = runner.invoke(cli, args)
    assert shown.exit_code == 0, shown.output
    assert "up to date" in shown.output and "Timeline (" in shown.output
    httpx.post(emulator.url + "/_emulator/reset").raise_for_status()
    lost = runner.invoke(cli, args)
    assert lost.exit_code == 0, lost.output
    assert "up to date" in lost.output and "timeline unavailable" in lost.output
