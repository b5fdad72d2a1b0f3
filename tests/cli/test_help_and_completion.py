"""-h everywhere, examples in every command's help, and shell completion of output names."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.shell_completion import ShellComplete
from click.testing import CliRunner

from lapsefile.cli.boundary import HELP_OPTIONS, LapsefileCommand
from lapsefile.cli.main import cli

COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_answers_h_with_examples(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "-h"])
    assert result.exit_code == 0, result.output
    assert f"lapsefile {command}" in result.output.split("Options:")[0].split("Usage:")[1]
    assert "Example" in result.output


def test_the_group_answers_h() -> None:
    result = CliRunner().invoke(cli, ["-h"])
    assert result.exit_code == 0 and "lapsefile init photos/" in result.output


def _complete(args: list[str], incomplete: str) -> list[str]:
    completion = ShellComplete(cli, {}, "lapsefile", "_LAPSEFILE_COMPLETE")
    return [item.value for item in completion.get_completions(args, incomplete)]


SPEC = """\
version: 1
frames: photos/*.jpg
outputs:
  - {name: main, path: out/main.mp4}
  - {name: vertical, path: out/v.mp4, aspect: "9:16"}
  - {name: square, path: out/s.mp4, aspect: "1:1"}
"""


@pytest.mark.parametrize("command", ["run", "plan"])
def test_only_completes_the_specs_output_names(tmp_path: Path, command: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "lapse.yaml").write_text(SPEC, encoding="utf-8")  # no photos: the spec alone
    monkeypatch.chdir(tmp_path)
    assert _complete([command, "--only"], "") == ["main", "vertical", "square"]
    assert _complete([command, "--only"], "s") == ["square"]


def test_a_broken_spec_completes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "lapse.yaml").write_text("version: 1\noutputs: [", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert _complete(["run", "--only"], "") == []


@pytest.mark.parametrize(("shell", "marker"), [("bash", "complete -o"), ("zsh", "compdef"),
                                               ("fish", "complete --no-files")])
def test_the_readmes_completion_lines_print_a_script(shell: str, marker: str) -> None:
    result = CliRunner().invoke(cli, [], prog_name="lapsefile",
                                env={"_LAPSEFILE_COMPLETE": f"{shell}_source"})
    assert result.exit_code == 0 and marker in result.output, result.output


def test_the_emulator_says_how_to_install_its_server(monkeypatch: pytest.MonkeyPatch) -> None:
    from lapsefile.cli import emulator_cmd

    monkeypatch.setattr(emulator_cmd, "SERVER_PACKAGES", ("starlette", "no_such_web_server"))
    result = CliRunner().invoke(cli, ["emulator", "--port", "0"])
    assert result.exit_code == 1, result.output
    assert "pip install 'lapsefile[emulator]'" in result.output
    assert "no_such_web_server" in result.output and "Traceback" not in result.output


def test_h_works_for_a_command_on_its_own_and_through_a_group_afterwards() -> None:
    # Fault: click keeps a command's help option from the first context it is parsed in;
    # a command invoked on its own first (as tests and `python -c` do) answered only --help,
    # through the group too, for ever after (a test order made `lapsefile credits -h` fail).
    @click.command(cls=LapsefileCommand)
    def alone() -> None:
        """Example: lapsefile alone"""

    assert CliRunner().invoke(alone, ["-h"]).exit_code == 0
    group = click.Group(commands=[alone], context_settings=HELP_OPTIONS)
    assert CliRunner().invoke(group, ["alone", "-h"]).exit_code == 0
