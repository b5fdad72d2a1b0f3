"""CI runs what the README tells a newcomer to run: the quick start and the test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _sh_blocks(text: str) -> list[list[str]]:
    """The command lines of each ```sh block of ``text``."""
    return [[line.strip() for line in block.splitlines() if line.strip()]
            for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S)]


def _ci_lines() -> list[str]:
    return [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]


def test_ci_runs_exactly_the_readmes_test_command():
    readme = (ROOT / "README.md").read_text()
    after = readme.split("The tests", 1)[1]
    (command,) = _sh_blocks(after)[0]
    assert command.startswith("pytest")
    assert command in _ci_lines()


def test_ci_runs_the_readmes_quick_start_example():
    readme = (ROOT / "README.md").read_text()
    quick_start = _sh_blocks(readme.split("## Quick start", 1)[1])[0]
    (example,) = [line for line in quick_start if line.startswith("lapsefile ")]
    assert example in _ci_lines()
