"""Helpers that tests in several folders import: tiny photos, a Spec to vary, and the emulator
settings the suites start from. Fixtures built on them live in ``tests/conftest.py``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import Image

from lapsefile.emulator.server import EmulatorServer
from lapsefile.lock.lockfile import Lock
from lapsefile.plan import planner
from lapsefile.plan.model import Plan
from lapsefile.plan.texts import PlanTexts
from lapsefile.project.model import Project
from lapsefile.spec.model import Frames, Look, Output, Spec, TextStyle, TimingRequest, Title


def write_photo(path: Path, shade: int = 128, when: datetime | None = None,
                subsec: str | None = None, size: tuple[int, int] = (16, 12)) -> Path:
    """A tiny JPEG, optionally with EXIF DateTimeOriginal (+ SubSecTimeOriginal)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new("RGB", size, (shade, shade, shade))
    exif = Image.Exif()
    if when is not None:
        sub = exif.get_ifd(0x8769)
        sub[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")
        if subsec is not None:
            sub[0x9291] = subsec
    img.save(path, "JPEG", exif=exif.tobytes())
    return path


def make_spec(root: Path, **changes) -> Spec:
    """A local Spec of photos/*.jpg with two outputs ("wide" shows a title), with ``changes``."""
    spec = Spec(
        path=root / "lapse.yaml", version=1,
        frames=Frames(include=("photos/*.jpg",)),
        timing=TimingRequest(fps=10),
        look=Look(),
        titles=(Title("Hello", 0.0, 0.5, TextStyle(position="center"), outputs=("wide",)),),
        timestamp=None, logo=None, music=None,
        outputs=(Output("wide", "out/wide.mp4", 64, 36, "16:9"),
                 Output("tall", "out/tall.mp4", 36, 64, "9:16")),
    )
    return replace(spec, **changes)


def make_plan(project: Project, lock: Lock, artifacts: Mapping[str, str | None], *,
              backend: str | None = None, **options: Any) -> Plan:
    """``planner.make_plan`` with the texts rendered first, as ``runner.prepare`` does."""
    texts = PlanTexts.load(project, backend or project.spec.backend)
    return planner.make_plan(project, lock, artifacts, texts, backend=backend, **options)


# An emulator without waits or random misbehaviour (EmulatorConfig keywords).
FAST: dict[str, Any] = {"heartbeat_interval": 0.02, "render_delay": 0.0, "render_steps": 2,
                        "silent_close_rate": 0.0, "spurious_issue_rate": 0.0}


def _server(server: EmulatorServer) -> Any:
    return server


@dataclass(frozen=True)
class EmulatorSettings:
    """How a folder's tests start emulators (override the ``emulator_settings`` fixture in its
    conftest): ``config``, the EmulatorConfig keywords under each test's own, and ``wrap``, what
    ``start_emulator`` hands back for a started server."""

    config: Mapping[str, Any]
    wrap: Callable[[EmulatorServer], Any] = _server


WIDE_AND_TALL = """version: 1
frames: {{include: ["photos/*.jpg"]}}
timing: {{fps: 12, duration: 1s}}
outputs:
  - {{path: out/wide.mp4, name: wide, size: "64x36"}}
  - {{path: out/tall.gif, name: tall, size: "36x64"{tall}}}
"""


def wide_and_tall(root: Path, tall: str = "") -> Path:
    """Four grey photos and two outputs, a 64x36 MP4 and a 36x64 GIF (``tall``: more keys of
    the GIF's, e.g. ``", poster: 50%"``); the project folder."""
    for i in range(1, 5):
        write_photo(root / "photos" / f"IMG_{i}.jpg", shade=i * 50, size=(64, 48))
    (root / "lapse.yaml").write_text(WIDE_AND_TALL.format(tall=tall), encoding="utf-8")
    return root
