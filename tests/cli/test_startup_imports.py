"""Start-up stays light: a command imports only what it uses (issue 13, target 1).

Each check runs the real command in a fresh interpreter with ``-X importtime``, which lists
every module the process imported, and fails on a heavy one: a top-level import of the runner
in ``cli/main.py``, of jsonschema in ``spec/``, or of a library's package in a light module
would each make ``--version`` or ``schema`` pay for it again.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from lapsefile.backends import registry
from lapsefile.cli.main import cli

# Libraries that take tens of milliseconds to import, and lapsefile's layers that pull them in.
HEAVY = ("jsonschema", "referencing", "httpx", "jinja2", "PIL", "numpy", "rawpy", "pillow_heif",
         "starlette", "uvicorn", "fontTools", "filelock", "watchfiles", "lapsefile.runner",
         "lapsefile.checking", "lapsefile.backends", "lapsefile.engine", "lapsefile.plan.planner",
         "lapsefile.status", "lapsefile.scaffold")
# The spec alone is read and checked against the schema (`checking` is validate's library):
# jsonschema is its whole point.
SCHEMA_ONLY_ALLOWED = ("jsonschema", "referencing", "lapsefile.checking")

SPEC = """version: 1
frames: {include: ["photos/*.jpg"]}
timing: {fps: 24}
outputs:
  - {path: out/a.mp4, size: 1280x720}
"""


def imported_modules(args: list[str], cwd: Path) -> set[str]:
    """Every module ``python -m lapsefile ARGS`` imported, read from ``-X importtime``."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "lapsefile", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
            if line.startswith("import time:") and "[us]" not in line}


def heavy_among(modules: set[str], allowed: tuple[str, ...] = ()) -> list[str]:
    """The modules of ``modules`` that are, or are inside, a heavy package not allowed."""
    return sorted(name for name in modules
                  for heavy in HEAVY if heavy not in allowed
                  if name == heavy or name.startswith(heavy + "."))


@pytest.mark.parametrize("args", [["--version"], ["schema"], ["--help"]],
                         ids=["version", "schema", "help"])
def test_a_light_command_imports_no_heavy_module(args: list[str], tmp_path: Path) -> None:
    modules = imported_modules(args, tmp_path)
    assert "click" in modules and "lapsefile.cli.main" in modules  # the listing is real
    assert heavy_among(modules) == []


def test_validate_schema_only_imports_jsonschema_but_not_the_runner(tmp_path: Path) -> None:
    (tmp_path / "lapse.yaml").write_text(SPEC, encoding="utf-8")
    modules = imported_modules(["validate", "--schema-only", "lapse.yaml"], tmp_path)
    assert "jsonschema" in modules  # the check happened
    assert heavy_among(modules, SCHEMA_ONLY_ALLOWED) == []


def test_backend_choices_are_the_registry_names_read_when_used(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The names are read when an option is parsed, so a plug-in installed after the CLI
    was imported is offered, and an unknown name is refused with the list."""
    import importlib.metadata

    point = importlib.metadata.EntryPoint(name="later", value="some.module:ENTRY",
                                          group=registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda: [point])
    result = CliRunner().invoke(cli, ["plan", "--backend", "nope"])
    assert result.exit_code == 2
    assert "'local', 'nemo', 'later'" in result.output
    help_text = CliRunner().invoke(cli, ["plan", "--help"]).output
    assert "[local|nemo|later]" in help_text
