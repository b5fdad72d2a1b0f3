"""Fixtures for the CLI's tests (the shared ones are in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from lapsefile.emulator.server import EmulatorServer


@pytest.fixture
def emulator(start_emulator: Callable[..., EmulatorServer], tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    """A FAST emulator, with the token cache under tmp_path and no NEMO_TOKEN from outside."""
    monkeypatch.setenv("LAPSEFILE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("NEMO_TOKEN", raising=False)
    return start_emulator()
