"""Fixtures for the nemo backend's tests: a real emulator on loopback, a small real project.

Every test gets its own config folder (the token cache) under tmp_path, never the user's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lapsefile.emulator.config import EmulatorConfig
from lapsefile.emulator.faults import FaultPlan
from lapsefile.emulator.server import EmulatorServer

from .helpers import FAST, Emulator, write_project


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
def start_emulator(tmp_path: Path) -> Iterator[Callable[..., Emulator]]:
    servers: list[EmulatorServer] = []

    def start(faults: list[dict[str, Any]] | None = None, **overrides: Any) -> Emulator:
        config = EmulatorConfig(**{**FAST, "data_dir": tmp_path / f"emulator-{len(servers)}",
                                   **overrides, "faults": FaultPlan.from_data(faults or [])})
        server = EmulatorServer(config)
        servers.append(server.start())
        return Emulator(server)

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def emulator(start_emulator: Callable[..., Emulator]) -> Emulator:
    return start_emulator()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "project")
