"""What every benchmark here measures the same way: a whole process's wall and CPU time."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
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
