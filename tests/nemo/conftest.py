"""Fixtures for the nemo backend's tests: a real emulator on loopback (``start_emulator`` and
``emulator`` come from tests/conftest.py, handing back an :class:`Emulator`), a small real
project.

Every test gets its own config folder (the token cache) under tmp_path, never the user's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ..support import FAST, EmulatorSettings
from .helpers import Emulator, write_project


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "config"
    monkeypatch.setenv("LAPSEFILE_CONFIG_DIR", str(config))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    for name in ("NEMO_TOKEN", "NEMO_API_URL", "LAPSEFILE_FFMPEG"):
        monkeypatch.delenv(name, raising=False)
    return config


@pytest.fixture
def emulator_settings() -> EmulatorSettings:
    return EmulatorSettings(FAST, wrap=Emulator)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "project")
