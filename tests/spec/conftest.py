from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pytest

from lapsefile.errors import Diagnostic, SpecError
from lapsefile.spec import load_spec

MakeSpec = Callable[..., Path]


@pytest.fixture
def make_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MakeSpec:
    """Write ``lapse.yaml`` (dedented) and tiny stand-in files into a fresh project folder,
    which becomes the working directory so locations read ``lapse.yaml:L:C``."""
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)

    def make(text: str, files: Iterable[str] = (), name: str = "lapse.yaml") -> Path:
        for relpath in files:
            target = project / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(b"stand-in")
        spec = project / name
        spec.parent.mkdir(parents=True, exist_ok=True)
        spec.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return spec

    return make


def spec_errors(path: Path | str, env: Mapping[str, str] | None = None) -> list[Diagnostic]:
    """The error diagnostics of a spec that must fail to load."""
    with pytest.raises(SpecError) as info:
        load_spec(path, env=env if env is not None else {})
    return [d for d in info.value.diagnostics if d.severity == "error"]
