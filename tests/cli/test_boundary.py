"""Every command's failures go through the one boundary (cli/boundary.py): exit 1 and a clear
message for a LapsefileError, 3 and a crash log for a bug, 130 for Ctrl-C; never a traceback."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from lapsefile.cli.boundary import LapsefileCommand, LapsefileGroup
from lapsefile.cli.emulator_cmd import emulator
from lapsefile.cli.main import cli
from lapsefile.cli.nemo_cmds import credits

UNREACHABLE = "http://127.0.0.1:9"


@pytest.fixture
def private_config(tmp_path, monkeypatch):
    monkeypatch.setenv("LAPSEFILE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("NEMO_TOKEN", raising=False)
    monkeypatch.delenv("NEMO_API_URL", raising=False)


def _clean_failure(result, code: int = 1) -> None:
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


def test_every_command_of_the_group_is_guarded():
    assert isinstance(cli, LapsefileGroup)
    for name, command in cli.commands.items():
        assert isinstance(command, LapsefileCommand), name


# Each unreachable call waits out the client's retries (~3.5 s): one through the group, one
# with the command invoked on its own.
def test_credits_against_an_unreachable_api(private_config):
    result = CliRunner().invoke(cli, ["credits", "--api-url", UNREACHABLE])
    _clean_failure(result)
    assert result.stdout == ""
    assert result.stderr.startswith("error: could not reach the NemoVideo API")


def test_credits_on_its_own_with_json_fails_as_one_json_line(private_config):
    result = CliRunner().invoke(credits, ["--json", "--api-url", UNREACHABLE])
    _clean_failure(result)
    (line,) = result.stdout.splitlines()
    error = json.loads(line)
    assert error["error"] == "TransportError"
    assert "could not reach the NemoVideo API" in error["message"]
    assert result.stderr.startswith("error: could not reach the NemoVideo API")


@pytest.mark.parametrize("command, args", [(cli, ["emulator"]), (emulator, [])])
def test_emulator_with_a_broken_fault_plan(tmp_path: Path, command, args):
    plan = tmp_path / "faults.yaml"
    plan.write_text("- {endpoint: run_sse, drop: sometimes}\n- [not, a, rule\n")
    result = CliRunner().invoke(command, [*args, "--faults", str(plan)])
    _clean_failure(result)
    assert result.stdout == ""
    assert str(plan) in result.stderr
    assert result.stderr.rstrip().endswith(
        "the fault plan is invalid; the emulator did not start")


def test_emulator_with_an_unreadable_fault_plan(tmp_path: Path):
    plan = tmp_path / "faults.yaml"
    plan.write_bytes(b"\xff\xfe\x00 not utf-8")
    result = CliRunner().invoke(cli, ["emulator", "--faults", str(plan)])
    _clean_failure(result)
    assert f"{plan}:1:1: error: cannot read the fault plan" in result.stderr


def test_emulator_on_a_busy_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["emulator", "--port", str(port)])
    _clean_failure(result)
    assert result.stderr.startswith(f"error: the emulator could not start on 127.0.0.1:{port}")


def test_a_spec_error_with_json_is_reported_once_per_stream(tmp_path: Path):
    result = CliRunner().invoke(cli, ["status", str(tmp_path / "nope.yaml"), "--json"])
    _clean_failure(result)
    (line,) = result.stdout.splitlines()
    assert json.loads(line)["error"] == "SpecError"
    assert "nope.yaml" in result.stderr and "nothing was run" in result.stderr


def _group_with(failure: BaseException) -> click.Group:
    @click.group(cls=LapsefileGroup)
    def group() -> None:
        pass

    @group.command()
    def boom() -> None:
        raise failure

    return group


def test_a_bug_is_exit_3_with_a_crash_log(monkeypatch, tmp_path: Path):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    result = CliRunner().invoke(_group_with(RuntimeError("a bug")), ["boom"])
    _clean_failure(result, 3)
    match = re.search(r"details are in (\S+)\. Please", result.stderr)
    assert match, result.stderr
    log = Path(match.group(1)).read_text(encoding="utf-8")
    assert "RuntimeError: a bug" in log and "Traceback" in log


def test_the_crash_log_holds_no_secret(monkeypatch, tmp_path: Path):
    token = "nv-secret-token-0123456789"
    monkeypatch.setenv("NEMO_TOKEN", token)
    monkeypatch.setattr("sys.argv", ["lapsefile", "boom", f"--api-url=https://u:{token}@x"])
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    result = CliRunner().invoke(_group_with(RuntimeError(f"failed with {token}")), ["boom"])
    _clean_failure(result, 3)
    (log,) = tmp_path.glob("lapsefile-crash-*.log")
    text = log.read_text(encoding="utf-8")
    assert token not in text and "<NEMO_TOKEN>" in text and "RuntimeError" in text


def test_an_interrupt_is_exit_130():
    result = CliRunner().invoke(_group_with(KeyboardInterrupt()), ["boom"])
    _clean_failure(result, 130)
    assert "interrupted" in result.stderr
