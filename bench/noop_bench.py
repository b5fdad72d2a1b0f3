"""A no-op ``lapsefile run`` of an unchanged 10,000-photo project, against the bare interpreter
and the first plan, as whole processes measured side by side.

    python bench/noop_bench.py [--frames 10000] [--runs 9]

Makes a project of small generated JPEGs (one 320x180 output with a title, rendered once,
untimed), then times, round-robin so that a busy moment slows every command alike:

- ``python -c pass``: the bare interpreter's start;
- ``lapsefile run`` with everything up to date: the no-op;
- ``lapsefile plan`` with ``.lapsefile/`` removed first (every cache, wherever a version of
  lapsefile kept it): the first plan, which lists, hashes and inspects every photo (the OS's
  file cache is warm: this is lapsefile's own work).

Prints each median and the ratios. Targets (issue 13): no-op <= 10x the bare interpreter, and
the first plan >= 8x the no-op. The children run with bytecode caching on (as an installed
lapsefile has its ``.pyc`` files): ``PYTHONDONTWRITEBYTECODE`` is dropped from their
environment, and one untimed round writes the caches.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from startup_bench import child_env, lapsefile_command, machine, time_once

SPEC = """version: 1
frames: {include: ["photos/*.jpg"]}
timing: {fps: 30}
overlays:
  titles: [{text: "Bench", start: 0s, end: 2s}]
outputs:
  - {path: out/bench.mp4, size: 320x180}
"""
NOOP_TARGET = 10.0  # the most a no-op may take, in bare interpreter starts
FIRST_TARGET = 8.0  # the least the first plan must take, in no-ops


def make_project(root: Path, frames: int) -> Path:
    """``frames`` small distinct JPEGs in photos/ and the spec (Pillow here: no lapsefile)."""
    from PIL import Image

    photos = root / "photos"
    photos.mkdir()
    base = Image.linear_gradient("L").resize((160, 90)).convert("RGB")
    for i in range(frames):
        img = base.copy()
        img.paste(((i * 37) % 256, 255 - (i * 37) % 256, (i * 11) % 256), (0, 0, 40, 22))
        img.save(photos / f"IMG_{i + 1}.jpg", "JPEG", quality=85)
    spec = root / "lapse.yaml"
    spec.write_text(SPEC)
    return spec



def measure(root: Path, runs: int) -> dict[str, float]:
    lapsefile = lapsefile_command()
    state = root / ".lapsefile"
    timed = {
        "python -c pass": ([sys.executable, "-c", "pass"], None),
        "no-op lapsefile run": ([*lapsefile, "run"], None),
        "first lapsefile plan": ([*lapsefile, "plan"], ["rm", "-rf", str(state)]),
    }
    samples: dict[str, list[float]] = {name: [] for name in timed}
    for round_number in range(runs + 1):  # round 0 warms up: bytecode, the OS's file cache
        names = list(timed)
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            argv, before = timed[name]
            seconds = time_once(argv, root, before)
            if round_number:
                samples[name].append(seconds)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=9, help="timed rounds (default 9)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_project(root, args.frames)
        # The outputs, made once (untimed), so that `run` has nothing to do; and a pause, so
        # that no photo is as recent as the caches (files.RACY_NS: those are not trusted).
        time.sleep(2.5)
        subprocess.run([*lapsefile_command(), "run", "--quiet"], cwd=root, env=child_env(),
                       check=True)
        medians = measure(root, args.runs)
        shutil.rmtree(root / ".lapsefile", ignore_errors=True)
    bare, noop = medians["python -c pass"], medians["no-op lapsefile run"]
    first = medians["first lapsefile plan"]
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f}")
    print(f"{args.frames} photos; medians of {args.runs} rounds, interleaved:")
    for name, seconds in medians.items():
        print(f"  {name:<22} {seconds * 1000:8.1f} ms  {seconds / bare:6.2f}x bare")
    print(f"no-op / bare:  {noop / bare:5.2f}x  (target <= {NOOP_TARGET:g}x: "
          f"{'met' if noop / bare <= NOOP_TARGET else 'MISSED'})")
    print(f"first / no-op: {first / noop:5.2f}x  (target >= {FIRST_TARGET:g}x: "
          f"{'met' if first / noop >= FIRST_TARGET else 'MISSED'})")


if __name__ == "__main__":
    main()
