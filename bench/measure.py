"""What every benchmark here measures the same way: a whole process's wall and CPU time."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
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
