"""Every shipped example validates with an independent validator and loads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lapsefile.spec import load_spec

from .conftest import MakeSpec

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "schemas" / "lapse.schema.json"
EXAMPLES = sorted(REPO.glob("examples/*/lapse.yaml"))


def check_jsonschema(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 2


def test_schema_passes_check_jsonschema_metaschema() -> None:
    result = check_jsonschema("--check-metaschema", SCHEMA)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.parent.name for p in EXAMPLES])
def test_example_is_valid(example: Path) -> None:
    result = check_jsonschema("--schemafile", SCHEMA, example)
    assert result.returncode == 0, result.stdout + result.stderr
    spec = load_spec(example, env={})
    assert spec.outputs and spec.path == example


def test_check_jsonschema_rejects_what_lapsefile_rejects(make_spec: MakeSpec) -> None:
    path = make_spec("version: 1\nframes: p/*.jpg\noutputs:\n  - path: a.mp4\n    fit: crop\n")
    result = check_jsonschema("--schemafile", SCHEMA, path)
    assert result.returncode == 1 and "crop" in result.stdout
