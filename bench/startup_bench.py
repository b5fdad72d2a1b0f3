"""Start-up: light commands as whole processes against the bare interpreter, side by side.

    python bench/startup_bench.py [--runs 21]

Runs ``python -c pass``, ``lapsefile --version``, ``lapsefile schema`` and ``lapsefile
validate`` of a small spec (three tiny photos, one output; the full check, photos and all),
``validate --schema-only`` of it and ``validate`` checking afresh (its kept verdict removed
before each run, untimed: what the first check after an edit costs), round-robin so that a
busy moment slows every command alike; prints each one's median wall time and its ratio to
the bare interpreter's median. For reference (not judged): ``import click`` and ``import
jsonschema`` alone.

Target (issue 13): ``--version``, ``schema`` and ``validate`` (kept or checked afresh) each at
most 4x the bare interpreter's start.

The children run with bytecode caching on, as an installed lapsefile has its ``.pyc`` files
(``PYTHONDONTWRITEBYTECODE`` is dropped from their environment; the warm-up round writes
them), and the project (its folder, once ``.lapsefile/`` is in it, the spec and the photos)
is older than the racy window of lapsefile's caches (``project/files.py``), as a project at
rest is: ``validate`` of an unchanged project is what is timed, its caches warm (the verdict
kept by ``check_cache.py`` answers it).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 4.0  # the most a light command may take, in bare interpreter starts

SPEC = """version: 1
frames: {include: ["photos/*.jpg"]}
timing: {fps: 24, duration: 2s}
outputs:
  - {path: out/small.mp4, size: 640x360}
"""


def make_project(root: Path) -> Path:
    """A spec and three tiny photos (written with Pillow here, so no lapsefile code runs)."""
    from PIL import Image

    photos = root / "photos"
    photos.mkdir()
    for i in range(3):
        Image.new("RGB", (64, 36), (40 * i, 90, 200 - 40 * i)).save(photos / f"IMG_{i + 1}.jpg")
    spec = root / "lapse.yaml"
    spec.write_text(SPEC)
    return spec


def at_rest(root: Path) -> None:
    """Every file and folder of the project, itself too, last changed an hour ago: older than
    the racy window, as a project between two edits is."""
    hour_ago = time.time_ns() - 3600 * 10**9
    for folder, _, files in os.walk(root):
        for name in files:
            os.utime(os.path.join(folder, name), ns=(hour_ago, hour_ago))
        os.utime(folder, ns=(hour_ago, hour_ago))


def lapsefile_command() -> list[str]:
    """The installed ``lapsefile`` script beside this interpreter, as users run it; else
    ``python -m lapsefile``."""
    script = Path(sys.executable).parent / "lapsefile"
    return [str(script)] if script.exists() else [sys.executable, "-m", "lapsefile"]


def commands(spec: Path, fresh: Path) -> dict[str, list[str]]:
    """What is timed, by the name printed; the bare interpreter first. ``fresh``: the same
    project elsewhere, whose kept verdicts are removed before each check of it."""
    lapsefile = lapsefile_command()
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "lapsefile --version": [*lapsefile, "--version"],
        "lapsefile schema": [*lapsefile, "schema"],
        "lapsefile validate": [*lapsefile, "validate", str(spec)],
        "lapsefile validate --schema-only": [*lapsefile, "validate", "--schema-only", str(spec)],
        # The full check without its kept verdict (FORGET runs first, untimed).
        FRESH: [*lapsefile, "validate", str(fresh)],
        # Not judged: what the parser and the schema checker cost to import on their own.
        "python -c 'import click'": [sys.executable, "-c", "import click"],
        "python -c 'import jsonschema'": [sys.executable, "-c", "import jsonschema"],
    }


FRESH = "lapsefile validate, checked afresh"
# Removes the fresh project's kept verdicts (check_cache.py's files), so that its next
# validate checks afresh.
FORGET = [sys.executable, "-c", "import glob, os; "
          "[os.remove(f) for f in glob.glob('fresh/.lapsefile/cache/check-*.json')]"]


def child_env() -> dict[str, str]:
    """This environment with bytecode caching on (see the module docstring)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def time_once(argv: list[str], cwd: Path, before: list[str] | None = None) -> float:
    """Wall time of one whole process; a failing command stops the bench. ``before``: a
    command run first, untimed."""
    if before:
        subprocess.run(before, cwd=cwd, check=True)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=child_env(), stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


def measure(timed: dict[str, list[str]], runs: int, cwd: Path) -> dict[str, float]:
    """Median seconds per command, the commands interleaved run by run (one warm-up round
    first: the first start of each fills the OS's file cache and Python's bytecode cache)."""
    samples: dict[str, list[float]] = {name: [] for name in timed}
    for round_number in range(runs + 1):
        names = list(timed)
        shift = round_number % len(names)  # rotate, so no command always follows another
        for name in names[shift:] + names[:shift]:
            seconds = time_once(timed[name], cwd, FORGET if name == FRESH else None)
            if round_number:
                samples[name].append(seconds)
    return {name: statistics.median(values) for name, values in samples.items()}


def machine() -> str:
    """The CPU model and count, the OS and Python: what the figures were measured on."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="timed runs of each (default 21)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "project").mkdir()
        (root / "fresh").mkdir()
        timed = commands(make_project(root / "project"), make_project(root / "fresh"))
        for name in ("lapsefile validate", FRESH):
            time_once(timed[name], root)  # makes .lapsefile/ in the project
        at_rest(root)
        medians = measure(timed, args.runs, root)
    bare = medians["python -c pass"]
    print(f"machine: {machine()}")
    print("load average (1, 5, 15 min) at the end: "
          + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"medians of {args.runs} runs, interleaved:")
    width = max(len(name) for name in medians)
    for name, seconds in medians.items():
        print(f"  {name:<{width}}  {seconds * 1000:7.1f} ms  {seconds / bare:5.2f}x")
    judged = [name for name in medians if name.startswith("lapsefile")]
    missed = [name for name in judged if medians[name] / bare > TARGET]
    print(f"target: each at most {TARGET:g}x the bare interpreter: "
          + ("met" if not missed else "MISSED by " + ", ".join(missed)))


if __name__ == "__main__":
    main()
