"""Fixtures for the emulator's tests: a server per test on loopback (``start_emulator`` and
``emulator`` come from tests/conftest.py) and a client for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lapsefile.emulator.server import EmulatorServer

from ..support import FAST, EmulatorSettings
from .helpers import Api


@pytest.fixture
def emulator_settings() -> EmulatorSettings:
    """FAST with a slower heartbeat; tests get the EmulatorServer itself."""
    return EmulatorSettings({**FAST, "heartbeat_interval": 0.05})


@pytest.fixture
def api(emulator: EmulatorServer) -> Iterator[Api]:
    client = Api(emulator.url or "")
    yield client
    client.http.close()
