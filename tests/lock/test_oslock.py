"""The OS file lock: exclusive between holders, given up by a dead process, timed waits."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from lapsefile.oslock import LockTimeout, OsLock

HOLD = """
import sys, time
from lapsefile.oslock import OsLock
lock = OsLock(sys.argv[1]); lock.acquire(0)
print("held", flush=True)
time.sleep(60)
"""


def test_a_second_holder_waits_then_times_out(tmp_path: Path) -> None:
    first = OsLock(tmp_path / "a.lock")
    first.acquire(0)
    started = time.monotonic()
    with pytest.raises(LockTimeout):
        OsLock(tmp_path / "a.lock").acquire(0.2)
    assert 0.2 <= time.monotonic() - started < 2
    first.release()
    with OsLock(tmp_path / "a.lock", timeout=0) as second:
        assert second.is_locked
    assert not second.is_locked


def test_a_killed_holder_gives_the_lock_up(tmp_path: Path) -> None:
    path = tmp_path / "run.lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(LockTimeout):
            OsLock(path).acquire(0)  # another process holds it
        holder.kill()
        holder.wait()
        lock = OsLock(path)
        lock.acquire(5)  # the kernel released it with the process
        lock.release()
    finally:
        holder.kill()
        holder.wait()
