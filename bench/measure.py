"""What every benchmark here measures the same way: a whole process's wall and CPU time."""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path


def measured(command: list[str], cwd: Path, says: str | None = None) -> tuple[float, float]:
    """Run ``command`` as a whole process: (wall seconds, CPU seconds of it and its children).
    A failure ends the benchmark with the command's stderr; so does output without ``says``
    (a run that did something else than the one being timed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed (exit {done.returncode}):\n{done.stderr}")
    if says is not None and says not in done.stdout:
        sys.exit(f"{' '.join(command)} did not say {says!r}:\n{done.stdout[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def round_robin(names: Sequence[str], run: Callable[[str], tuple[float, float]], rounds: int,
                cpu_label: str = "CPU") -> dict[str, tuple[float, float]]:
    """``run(name)`` (a measured (wall, CPU)) for every name, ``rounds`` times, the order
    rotated each round so that no command always follows another and a busy moment slows
    them alike; each round printed; the medians of (wall, CPU) by name."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for n in range(rounds):
        shift = n % len(names)
        for name in [*names[shift:], *names[:shift]]:
            times[name].append(run(name))
        print(f"round {n + 1}: " + ", ".join(
            f"{name} {times[name][-1][0]:.2f} s wall {times[name][-1][1]:.2f} s {cpu_label}"
            for name in names), flush=True)
    return {name: (statistics.median(t[0] for t in ts), statistics.median(t[1] for t in ts))
            for name, ts in times.items()}


@contextmanager
def work_folder(name: str, keep: bool) -> Iterator[Path]:
    """A fresh temporary folder for the benchmark ``name``, removed at the end unless ``keep``
    (then its path is printed, to look at what was made)."""
    work = Path(tempfile.mkdtemp(prefix=f"lapsefile-{name}-bench-"))
    try:
        yield work
    finally:
        if keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, to print beside the figures."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())
