"""One run at a time per project: an OS file lock, and a note saying who holds it."""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock

from ..errors import LockBusyError
from ..paths import ensure_state_dir


def _holder_note(folder: Path) -> Path:
    return folder / "run.holder"


def _describe_holder(folder: Path) -> str:
    try:
        info = json.loads(_holder_note(folder).read_text("utf-8"))
        started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info["started"]))
        return f"pid {info['pid']} on {info['host']} ({info['command']}), since {started}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another lapsefile process"


@contextmanager
def run_lock(project_root: Path, command: str = "lapsefile run",
             wait: float = 2.0) -> Iterator[None]:
    """Hold the project's run lock; raise LockBusyError naming the holder after ``wait`` s.

    The OS lock (not the note) is what excludes: it is released by the kernel when the holder
    dies, so a crashed run never blocks the next one. The note is written only while holding
    the lock, and in a separate file because lock libraries may truncate the lock file itself.
    """
    folder = ensure_state_dir(project_root)
    lock = filelock.FileLock(str(folder / "run.lock"))
    try:
        lock.acquire(timeout=wait)
    except filelock.Timeout:
        raise LockBusyError(
            f"another run holds this project: {_describe_holder(folder)}. Wait for it to "
            "finish, or stop it", str(project_root / "lapse.lock")) from None
    try:
        _holder_note(folder).write_text(json.dumps({
            "pid": os.getpid(), "host": socket.gethostname(), "command": command,
            "started": time.time()}), "utf-8")
        yield
    finally:
        try:
            _holder_note(folder).unlink()
        except OSError:
            pass
        lock.release()
