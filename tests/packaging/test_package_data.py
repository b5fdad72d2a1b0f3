"""What the wheel ships: every file the package reads at run time is named by package-data.

A template folder added without its glob (edit/, remove/, look/ once were) works from a
checkout and fails for everyone who installs the wheel; this test sees that without building
one (building needs the network for setuptools).
"""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - 3.10
    import tomli as tomllib

import lapsefile

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(lapsefile.__file__).resolve().parent


def _shipped() -> set[Path]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["lapsefile"]
    return {path.resolve() for pattern in patterns for path in PACKAGE.glob(pattern)
            if path.is_file()}


def test_every_data_file_of_the_package_is_shipped() -> None:
    data = {path.resolve() for path in PACKAGE.rglob("*") if path.is_file()
            and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts}
    missing = sorted(str(path.relative_to(PACKAGE.resolve())) for path in data - _shipped())
    assert not missing, f"add these to [tool.setuptools.package-data] in pyproject.toml: {missing}"


def test_the_templates_every_instruction_needs_are_among_them() -> None:
    shipped = _shipped()
    for name in ("en/look.j2", "en/look/deflicker.j2", "zh/edit/title.j2", "en/remove/music.j2"):
        assert (PACKAGE / "plan" / "templates" / name).resolve() in shipped, name
