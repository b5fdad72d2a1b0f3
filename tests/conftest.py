"""Fixtures shared by every test folder: tiny photo projects and emulators on loopback.

Plain helpers that tests import are in ``tests/support.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lapsefile.emulator.config import EmulatorConfig
from lapsefile.emulator.faults import FaultPlan
from lapsefile.emulator.server import EmulatorServer
from lapsefile.lock.lockfile import Lock
from lapsefile.project.resolve import resolve_project

from .support import FAST, EmulatorSettings, write_photo


@pytest.fixture
def photo():
    return write_photo


@pytest.fixture
def project_dir(tmp_path):
    for i in range(1, 7):
        write_photo(tmp_path / "photos" / f"IMG_{i}.jpg", shade=i * 30)
    return tmp_path


@pytest.fixture
def resolve():
    def _resolve(spec):
        project, _warnings = resolve_project(spec)
        return project
    return _resolve


@pytest.fixture
def empty_lock(tmp_path):
    return Lock(tmp_path / "lapse.lock")


@pytest.fixture
def emulator_settings() -> EmulatorSettings:
    """FAST servers handed back as they are; a folder's conftest may override this."""
    return EmulatorSettings(FAST)


@pytest.fixture
def start_emulator(tmp_path: Path,
                   emulator_settings: EmulatorSettings) -> Iterator[Callable[..., Any]]:
    """Start emulators, each stopped after the test and with its own data folder under
    tmp_path: ``emulator_settings`` overridden by keyword arguments. ``faults`` may be a
    FaultPlan or its rules as data."""
    servers: list[EmulatorServer] = []

    def start(**overrides: Any) -> Any:
        faults = overrides.get("faults")
        if faults is not None and not isinstance(faults, FaultPlan):
            overrides["faults"] = FaultPlan.from_data(faults)
        config = EmulatorConfig(**{**emulator_settings.config,
                                   "data_dir": tmp_path / f"emulator-{len(servers)}",
                                   **overrides})
        server = EmulatorServer(config)
        servers.append(server.start())
        return emulator_settings.wrap(server)

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def emulator(start_emulator: Callable[..., Any]) -> Any:
    return start_emulator()
