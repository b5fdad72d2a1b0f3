"""An exclusive lock on a file, held until released or until the holding process dies.

The kernel's own advisory locks: ``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows.
The kernel drops them when the process dies, so a crashed holder never blocks the next one.
Each lock is per open file: a second :class:`OsLock` on the same path conflicts with the
first even in the same process, which is what a run lock wants. This is all lapsefile
needs of a lock library, in a module that imports only the standard library (a lock
library's import took 30 ms as ``python -X importtime`` counts it, paid by every ``run``,
``plan`` and ``status``).
"""

from __future__ import annotations

import errno
import os
import sys
import time
from pathlib import Path
from types import TracebackType

_BUSY = {errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK, errno.EDEADLK}
POLL_SECONDS = 0.05


class LockTimeout(TimeoutError):
    """Another holder kept the lock for the whole wait."""


class OsLock:
    """``with OsLock(path, timeout=5):`` or ``acquire(timeout)`` / ``release()``."""

    def __init__(self, path: str | os.PathLike[str], timeout: float = -1) -> None:
        self.path = Path(path)
        self.timeout = timeout  # for ``with``: seconds to wait, negative for ever
        self._fd: int | None = None

    @property
    def is_locked(self) -> bool:
        return self._fd is not None

    def acquire(self, timeout: float | None = None) -> None:
        """Take the lock, waiting up to ``timeout`` seconds (negative: for ever; 0: only
        if free now); raise :class:`LockTimeout` when another holder keeps it."""
        if self._fd is not None:
            return
        wait = self.timeout if timeout is None else timeout
        deadline = None if wait < 0 else time.monotonic() + wait
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            while not _try_lock(fd):
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise LockTimeout(f"{self.path} is held by another process")
                time.sleep(POLL_SECONDS if left is None else min(POLL_SECONDS, left))
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        """Let the lock go (closing the file releases it; the file stays, for the next)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            _unlock(fd)
            os.close(fd)

    def __enter__(self) -> OsLock:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.release()


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # the file's first byte
        except OSError as exc:
            if exc.errno in _BUSY:
                return False
            raise
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in _BUSY:
                return False
            raise
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
