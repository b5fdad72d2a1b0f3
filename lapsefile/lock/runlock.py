"""One run at a time per project: an OS file lock, and a note saying who holds it."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..atomic import remove_stale_temps as _remove_stale_temps
from ..atomic import write_atomic
from ..errors import LockBusyError, storage_error
from ..oslock import LockTimeout, OsLock
from ..paths import ensure_state_dir


def _host() -> str:
    """This machine's name (``os.uname``: the socket module is a few ms to import)."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()


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
    lock = OsLock(folder / "run.lock")
    try:
        lock.acquire(timeout=wait)
    except LockTimeout:
        raise LockBusyError(
            f"another run holds this project: {_describe_holder(folder)}. Wait for it to "
            "finish, or stop it", str(project_root / "lapse.lock")) from None
    except OSError as exc:
        raise storage_error(exc, "take the run lock", folder / "run.lock") from exc
    _remove_stale_temps(folder, "run.holder")  # a killed run's half-written note
    try:
        # Atomic: a full disk fails here, before any work, with the file named
        # (write_atomic says what happened), rather than after a long render.
        write_atomic(_holder_note(folder), json.dumps({
            "pid": os.getpid(), "host": _host(), "command": command,
            "started": time.time()}).encode("utf-8"))
        yield
    finally:
        try:
            _holder_note(folder).unlink()
        except OSError:
            pass
        lock.release()
