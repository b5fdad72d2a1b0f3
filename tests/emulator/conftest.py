"""Fixtures for the emulator's tests: a server per test on loopback and a client for it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lapsefile.emulator.config import EmulatorConfig
from lapsefile.emulator.server import EmulatorServer

from .helpers import Api

FAST = {"heartbeat_interval": 0.05, "render_delay": 0.0, "render_steps": 2,
        "silent_close_rate": 0.0, "spurious_issue_rate": 0.0}


@pytest.fixture
def start_emulator(tmp_path: Path) -> Iterator[Callable[..., EmulatorServer]]:
    """Start an emulator with FAST settings overridden by keyword arguments."""
    servers: list[EmulatorServer] = []

    def start(**overrides: Any) -> EmulatorServer:
        data_dir = tmp_path / f"emulator-data-{len(servers)}"
        server = EmulatorServer(EmulatorConfig(**{**FAST, "data_dir": data_dir, **overrides}))
        servers.append(server.start())
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def emulator(start_emulator: Callable[..., EmulatorServer]) -> EmulatorServer:
    return start_emulator()


@pytest.fixture
def api(emulator: EmulatorServer) -> Iterator[Api]:
    client = Api(emulator.url or "")
    yield client
    client.http.close()
