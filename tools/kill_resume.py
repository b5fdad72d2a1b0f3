"""Kill `lapsefile run --backend nemo` at random moments until it finishes; count what was paid
for twice.

A real client process is killed with SIGKILL (no cleanup at all) at a random moment of each
attempt, against the emulator on loopback, until a run completes. Then the title is changed and
the same is done again (the edit path). Afterwards the emulator's call log says whether any
instruction was applied twice in one session, how many renders each pass started, and what the
title change cost.

Run: python tools/kill_resume.py [--seed 1] [--max-delay 2.5]
Everything lives in a temporary folder (the token cache included).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from lapsefile.emulator.config import EmulatorConfig
from lapsefile.emulator.server import EmulatorServer
from lapsefile.engine.testing import make_frames, make_logo, make_tone

SPEC = """\
version: 1
frames: "photos/*.jpg"
timing: {fps: 10, duration: 2s}
overlays:
  titles: [{text: "Sunset", start: 0s, end: 1s}]
  logo: {file: logo.png}
music: {file: music.wav, volume: 35%}
outputs: [{path: out/main.mp4, size: "160x90"}]
backend: nemo
"""


def attempt(spec: Path, url: str, env: dict[str, str], delay: float | None) -> int | None:
    """One `lapsefile run`; killed after ``delay`` seconds unless it finishes first."""
    process = subprocess.Popen([sys.executable, "-m", "lapsefile", "run", "-q", str(spec),
                                "--api-url", url], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return None
    if process.returncode:
        raise SystemExit(f"run failed: {process.stderr.read().decode() if process.stderr else ''}")
    return process.returncode


def until_done(spec: Path, url: str, env: dict[str, str], rng: random.Random,
               max_delay: float) -> int:
    kills = 0
    while attempt(spec, url, env, rng.uniform(0.05, max_delay) if kills < 40 else None) is None:
        kills += 1
        json.loads(spec.with_suffix(".lock").read_text(encoding="utf-8")) \
            if spec.with_suffix(".lock").exists() else None  # the lock is always whole
    return kills


def duplicates(calls: list[dict[str, Any]]) -> int:
    applied = collections.Counter((c["session_id"], c["instruction"]) for c in calls
                                  if c["endpoint"] == "run_sse" and c.get("outcome") == "applied")
    return sum(n - 1 for n in applied.values() if n > 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-delay", type=float, default=2.5)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = {**os.environ, "LAPSEFILE_CONFIG_DIR": str(root / "config")}
        config = EmulatorConfig(edit_delay=0.2, heartbeat_interval=0.05, render_delay=0.1,
                                silent_close_rate=0.0, spurious_issue_rate=0.2, seed=args.seed,
                                data_dir=root / "emulator")
        with EmulatorServer(config) as server:
            url = server.url or ""
            make_frames(root / "p" / "photos", 20, size=(64, 36))
            make_logo(root / "p" / "logo.png")
            make_tone(root / "p" / "music.wav", 2.0, rate=8000)
            spec = root / "p" / "lapse.yaml"
            spec.write_text(SPEC, encoding="utf-8")
            started = time.monotonic()
            first = until_done(spec, url, env, rng, args.max_delay)
            calls = httpx.get(url + "/_emulator/calls").json()
            renders_first = sum(1 for c in calls if c["endpoint"] == "render")
            credits = httpx.get(url + "/_emulator/state").json()["users"][0]["available"]
            spec.write_text(SPEC.replace("Sunset", "Golden hour"), encoding="utf-8")
            second = until_done(spec, url, env, rng, args.max_delay)
            calls = httpx.get(url + "/_emulator/calls").json()
            state = httpx.get(url + "/_emulator/state").json()
            print(json.dumps({
                "kills": {"first run": first, "title change": second},
                "duplicate instructions": duplicates(calls),
                "renders started": {"first run": renders_first,
                                    "title change": sum(1 for c in calls
                                                        if c["endpoint"] == "render")
                                    - renders_first},
                "sessions": len(state["sessions"]),
                "credits for the title change": credits - state["users"][0]["available"],
                "seconds": round(time.monotonic() - started, 1)}, indent=2))


if __name__ == "__main__":
    main()
