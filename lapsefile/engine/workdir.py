"""The folder a render works in: list files, text files and links under plain names.

ffmpeg runs with this folder as its working directory, so the filter graph refers to files by
these names only: no user path ever needs escaping inside a graph, and the arguments recorded
in the lockfile hold no absolute paths.

Work folders live in the system temp folder (``lapsefile-render-*``) and are removed when the
render ends; a killed lapsefile (SIGKILL) cannot do that, so each folder holds an OS lock on
its ``owner.lock`` for its whole life: the kernel drops it when the owner dies, and
``remove_stale_workdirs`` (called at the start of every run) removes folders nobody holds.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from ..errors import RenderError, StorageError, storage_error
from ..oslock import OsLock

PREFIX = "lapsefile-render-"
OWNER = "owner.lock"
GRACE_SECONDS = 60.0  # younger folders are left alone: their owner may not hold the lock yet


def _temp_error(exc: OSError, doing: str) -> StorageError:
    """The temp folder refused a write: say which, and that TMPDIR can move it."""
    error = storage_error(exc, doing)
    error.hint = (f"{error.hint}; or set TMPDIR to a folder with room (render work folders "
                  f"go in {tempfile.gettempdir()})")
    return error


class Workdir:
    def __init__(self) -> None:
        try:
            self.path = Path(tempfile.mkdtemp(prefix=PREFIX))
        except OSError as exc:
            raise _temp_error(exc, "create a render work folder") from exc
        self._links: dict[Path, str] = {}
        self._owner = OsLock(self.path / OWNER)
        try:
            self._owner.acquire(timeout=5)
        except BaseException:
            shutil.rmtree(self.path, ignore_errors=True)
            raise

    def write(self, name: str, text: str) -> str:
        try:
            (self.path / name).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise _temp_error(exc, "write a render work file") from exc
        return name

    def link(self, source: Path, stem: str) -> str:
        """A plain name in the work folder for ``source`` (the same name for the same file)."""
        source = Path(source).resolve()
        if source in self._links:
            return self._links[source]
        if not source.is_file():
            raise RenderError(f"file not found: {source}")
        name = f"{stem}-{len(self._links)}{source.suffix.lower()}"
        try:
            os.symlink(source, self.path / name)
        except OSError:  # no symlinks here (some Windows setups): a copy reads the same
            try:
                shutil.copyfile(source, self.path / name)
            except OSError as exc:
                raise _temp_error(exc, "copy a file into the render work folder") from exc
        self._links[source] = name
        return name

    def remove(self) -> None:
        self._owner.release()
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self) -> Workdir:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def remove_stale_workdirs(folder: Path | None = None) -> None:
    """Remove the work folders of dead lapsefile processes from ``folder`` (the temp folder).

    Only folders named ``lapsefile-render-*`` that hold an ``owner.lock`` nobody holds, and
    that are older than ``GRACE_SECONDS``, so a live render of any project is never touched.
    """
    base = Path(folder or tempfile.gettempdir())
    try:
        candidates = [p for p in base.glob(PREFIX + "*") if (p / OWNER).is_file()]
    except OSError:
        return
    now = time.time()
    for path in candidates:
        try:
            if now - path.stat().st_mtime < GRACE_SECONDS:
                continue
            owner = OsLock(path / OWNER)
            owner.acquire(timeout=0)
        except OSError:  # LockTimeout is one
            continue  # alive, or not ours to judge
        owner.release()  # before removing: Windows cannot delete a file that is open
        shutil.rmtree(path, ignore_errors=True)
