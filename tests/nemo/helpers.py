"""Helpers for the nemo backend's tests: the emulator's inspection endpoints, a small real
project, and running it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from lapsefile.emulator.faults import FaultPlan
from lapsefile.emulator.server import EmulatorServer
from lapsefile.engine.testing import make_frames, make_logo, make_tone
from lapsefile.events import Collector, Emit, Event
from lapsefile.runner import RunSummary, run_project

QUICK_OPTIONS = {"poll_interval": 0.01, "unchanged_polls": 3, "render_poll_interval": 0.02,
                 "rate_limit_wait": 0.05, "retry_backoff": 0.01}
FRAMES = 10
SPEC = """\
version: 1
frames: "photos/*.jpg"
timing: {{fps: 10, duration: 1s}}
overlays:
  titles:
    - text: "{title}"
      start: 0s
      end: 0.5s
  logo:
    file: logo.png
music:
  file: music.wav
  volume: 35%
outputs:
  - path: out/main.mp4
    size: "160x90"
backend: nemo
cloud:
  upload: {upload}
"""


class Emulator:
    """A running emulator and its inspection endpoints."""

    def __init__(self, server: EmulatorServer):
        self.server = server
        self.url = server.url or ""

    def calls(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        calls = httpx.get(self.url + "/_emulator/calls", timeout=10).json()
        return [c for c in calls if endpoint is None or c["endpoint"] == endpoint]

    def state(self) -> dict[str, Any]:
        return httpx.get(self.url + "/_emulator/state", timeout=10).json()

    def faults(self, rules: list[dict[str, Any]]) -> None:
        self.server.state.set_faults(FaultPlan.from_data(rules))

    def applied(self) -> dict[str, int]:
        """Instruction text -> how many times the agent applied it."""
        counts: dict[str, int] = {}
        for call in self.calls("run_sse"):
            if call.get("outcome") == "applied":
                counts[call["instruction"]] = counts.get(call["instruction"], 0) + 1
        return counts

    def completed_renders(self) -> list[dict[str, Any]]:
        return [r for r in self.state()["renders"] if r["status"] == "completed"]


def write_project(root: Path, *, title: str = "Sunset", upload: str = "frames") -> Path:
    make_frames(root / "photos", FRAMES, size=(64, 36))
    make_logo(root / "logo.png")
    make_tone(root / "music.wav", 2.0, rate=8000)
    spec = root / "lapse.yaml"
    spec.write_text(SPEC.format(title=title, upload=upload), encoding="utf-8")
    return spec


def run(spec: Path, emulator: Emulator, emit: Emit | None = None,
        **options: Any) -> RunSummary:
    return run_project(spec, options={"api_url": emulator.url, **QUICK_OPTIONS, **options},
                       emit=emit or Collector())


def read_lock(spec: Path) -> dict[str, Any]:
    return json.loads(spec.with_suffix(".lock").read_text(encoding="utf-8"))


def cached_token(config: Path) -> str:
    data = json.loads((config / "nemo-credentials.json").read_text(encoding="utf-8"))
    (entry,) = data["tokens"].values()
    return entry["token"]


class StopAt:
    """An event sink that raises KeyboardInterrupt (Ctrl-C) at the chosen event."""

    def __init__(self, kind: str, step: str, occurrence: int = 1):
        self.kind, self.step, self.left = kind, step, occurrence
        self.fired = False

    def __call__(self, event: Event) -> None:
        if event.kind == self.kind and event.step == self.step and not self.fired:
            self.left -= 1
            if self.left == 0:
                self.fired = True
                raise KeyboardInterrupt
