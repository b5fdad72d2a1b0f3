"""``lapsefile emulator``: its help, a bad fault plan, and a real run stopped with Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from lapsefile.cli.emulator_cmd import emulator
from lapsefile.emulator.config import EmulatorConfig

RUN_COMMAND = "from lapsefile.cli.emulator_cmd import emulator; emulator(prog_name='lapsefile')"


def test_help_lists_the_options() -> None:
    result = CliRunner().invoke(emulator, ["--help"])
    assert result.exit_code == 0
    for option in ("--port", "--host", "--faults", "--sse-shape", "--render-shape", "--seed",
                   "--silent-close-rate", "--heartbeat", "NEMO_API_URL", "--draft-dialect",
                   "--partial-rate", "--approximate-rate"):
        assert option in result.output


def test_the_new_options_reach_the_config(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[EmulatorConfig] = []
    monkeypatch.setattr("lapsefile.emulator.server.serve_forever",
                        lambda config, on_ready: seen.append(config))
    result = CliRunner().invoke(emulator, ["--draft-dialect", "opaque", "--partial-rate", "0.25",
                                           "--approximate-rate", "0.5"])
    assert result.exit_code == 0, result.output
    (config,) = seen
    assert (config.draft_dialect, config.partial_rate, config.approximate_rate) == (
        "opaque", 0.25, 0.5)
    defaults = CliRunner().invoke(emulator, [])
    assert defaults.exit_code == 0
    assert (seen[1].draft_dialect, seen[1].partial_rate, seen[1].approximate_rate) == (
        "classic", 0.0, 0.0)


def test_a_bad_fault_plan_is_explained_and_nothing_starts(tmp_path: Path) -> None:
    plan = tmp_path / "faults.yaml"
    plan.write_text("- {endpoint: uploads, status: 429}\n")
    result = CliRunner().invoke(emulator, ["--faults", str(plan)])
    assert result.exit_code == 1
    assert f"{plan}:1:4: error: unknown endpoint 'uploads'" in result.stderr
    assert "did you mean 'upload'?" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("args", [["--sse-shape", "xml"], ["--draft-dialect", "json"],
                                  ["--partial-rate", "1.5"], ["--approximate-rate", "-0.1"]])
def test_bad_options_are_usage_errors(args: list[str]) -> None:
    result = CliRunner().invoke(emulator, args)
    assert result.exit_code == 2


def test_it_prints_its_url_serves_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    plan = tmp_path / "faults.json"
    plan.write_text('[{"endpoint": "credits", "status": 503}]')
    process = subprocess.Popen(
        [sys.executable, "-c", RUN_COMMAND, "--port", "0", "--faults", str(plan), "--seed", "4"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        url = process.stdout.readline().strip()  # type: ignore[union-attr]
        assert url.startswith("http://127.0.0.1:")
        token = httpx.post(url + "/api/auth/anonymous-token", headers={"X-Client-Id": "cli"})
        assert token.json()["code"] == 0
        assert httpx.get(url + "/api/credits/balance/simple").status_code == 503
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130
    assert out == ""
    assert f"NEMO_API_URL={url}" in err and "emulator stopped" in err


def test_a_port_in_use_is_a_clear_error() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(emulator, ["--port", str(port)])
    assert result.exit_code == 1
    assert f"could not start on 127.0.0.1:{port}" in result.stderr
