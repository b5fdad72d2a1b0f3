"""Atomic file writes: readers see the old file or the new one, never a mix or a truncated file.

Every file lapsefile writes in place (``lapse.lock``, ``lapse.yaml`` from ``init``, the stat
cache, cached proxies, the credentials cache, downloaded exports, rendered videos) goes through
this module, so the recipe lives in one place:

1. the new content goes to a hidden temp file in the *destination folder* (``os.replace`` is
   only atomic within one file system, and a temp in /tmp may be on another one);
2. the temp gets its final mode before any byte is written (so a private file such as the
   token cache is never readable by others, not even briefly);
3. it is flushed and fsynced before the rename, so a power cut after the rename cannot leave
   an empty or partial file under the final name;
4. ``os.replace`` swaps it in (atomic, and it replaces an existing file on Windows too);
5. the folder is fsynced so the rename itself survives a power cut;
6. on *any* exception, KeyboardInterrupt included, the temp is removed and the destination is
   left untouched.

Temp names follow one scheme, ``.<name>.<random><suffix>`` beside ``<name>``, so a leftover of
a killed writer (SIGKILL runs no cleanup) is recognisable: see ``remove_stale_temps``.

A write the file system refuses (disk full, a size limit, a folder where the file should be,
a read-only disk) raises ``StorageError`` naming the destination, what happened and how to fix
it: this is the one place such OS errors of lapsefile's writes are put into words. It is still
an ``OSError``, so callers that treat a write as optional keep catching it.
This module is a leaf: the standard library and ``errors`` only, importable from every layer.
"""

from __future__ import annotations

import errno
import glob
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .errors import WRITE_ERRNOS, StorageError, storage_error

TEMP_SUFFIX = ".tmp"


def temp_prefix(path: Path) -> str:
    """The start of every temp file name used while writing ``path``: ``.<name>.``."""
    return f".{path.name}."


def new_file_mode(path: Path) -> int:
    """The mode ``path`` keeps when replaced, or that a new file gets (0666 less the umask).

    Temp files are created 0600 (``new_temp``, as ``mkstemp`` does); without this a replaced
    file would silently lose its group/other permissions and a new one would not get what
    ``open()`` gives.
    """
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~_current_umask()


def _current_umask() -> int:
    # Linux reports it without changing it; elsewhere it can only be read by setting it and
    # setting it straight back, which briefly affects files other threads create.
    try:
        # Bytes: a text file would import the ascii codec for this one line.
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    umask = os.umask(0)
    os.umask(umask)
    return umask


# What tempfile.mkstemp opens with: created here or failing, never through a symlink, not
# inherited by the processes lapsefile starts (ffmpeg), binary on Windows.
_TEMP_FLAGS = (os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOINHERIT", 0)
               | getattr(os, "O_BINARY", 0))


def new_temp(path: Path, suffix: str = TEMP_SUFFIX) -> tuple[int, str]:
    """A new empty file beside ``path``, ``.<name>.<random><suffix>``, mode 0600, opened for
    writing: its descriptor and absolute path.

    What ``tempfile.mkstemp`` makes, without importing tempfile: it brings shutil, random,
    bz2 and lzma (4 to 5 ms), which a fresh ``validate`` would pay for its one cache write.
    """
    for _ in range(100):
        tmp = os.path.abspath(os.path.join(path.parent, temp_prefix(path)
                                           + os.urandom(6).hex() + suffix))
        try:
            return os.open(tmp, _TEMP_FLAGS, 0o600), tmp
        except FileExistsError:
            continue  # 48 random bits already taken (a leftover): draw again
    raise FileExistsError(errno.EEXIST, "no unused temp file name", str(path.parent))


@contextmanager
def atomic_file(path: Path, *, mode: int | None = None,
                suffix: str = TEMP_SUFFIX) -> Iterator[BinaryIO]:
    """Write ``path`` through a binary file handle; it is replaced only if the block succeeds.

    ``mode`` is the final file's mode; by default the mode ``path`` has now, or the one a new
    file gets under the umask (``new_file_mode``). ``suffix`` ends the temp file's name (a
    download uses ``.part``). If the block raises, or the flush, fsync or rename fails, the
    temp file is removed, ``path`` is left as it was, and the exception propagates.
    """
    final_mode = new_file_mode(path) if mode is None else mode
    try:
        fd, tmp = new_temp(path, suffix)
    except OSError as exc:
        raise write_error(exc, path) from exc
    try:
        # Before any byte is written: a 0600 file must never be wider, even for a moment.
        os.chmod(tmp, final_mode)
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        # BaseException: a Ctrl-C mid-write must not leave the temp behind either.
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError) and _about(exc, tmp, path):
            raise write_error(exc, path) from exc
        raise
    fsync_dir(path.parent)


def _about(exc: OSError, tmp: str, path: Path) -> bool:
    """Whether ``exc`` is the file system refusing this write (rather than something the
    caller's block did with another file, or an error with no errno, such as Pillow's)."""
    if isinstance(exc, StorageError) or exc.errno is None:
        return False
    if exc.filename is None:  # a write through the handle, or something the block read
        return exc.errno in WRITE_ERRNOS  # a block's other failures keep their own type
    return exc.filename in (tmp, str(path))


def write_error(exc: OSError, path: Path) -> StorageError:
    """A refused write of ``path`` in words; the file it replaces is unchanged."""
    error = storage_error(exc, "write it", path)
    if path.is_file():
        error.hint = f"{error.hint}; the previous {path.name} is unchanged" if error.hint \
            else f"the previous {path.name} is unchanged"
    return error


def write_atomic(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` atomically and durably (see ``atomic_file``)."""
    with atomic_file(path, mode=mode) as fh:
        fh.write(data)


def fixed_temp_path(path: Path, suffix: str = ".part") -> Path:
    """``.<name>.part`` beside ``path``: the fixed temp name renders used before they took a
    fresh name each (a killed run's ffmpeg may still hold its file); kept so the next run can
    remove such leftovers.
    """
    return path.with_name(temp_prefix(path) + suffix.lstrip("."))


def replace_durably(temp: Path, path: Path) -> None:
    """Move a finished ``temp`` (written and fsynced by someone else, e.g. ffmpeg) to ``path``.

    ``temp`` must be in ``path``'s folder (``os.replace`` is atomic only within one file
    system). The folder is fsynced so the rename survives a power cut. Removing ``temp`` when
    something fails before this point is the writer's job: only it knows when it is done.
    """
    try:
        os.replace(temp, path)
    except OSError as exc:
        raise write_error(exc, path) from exc
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable, where the platform allows it."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # folders cannot be opened on every platform (Windows); the rename is still atomic
    try:
        os.fsync(dir_fd)
    except OSError:
        pass  # some file systems refuse fsync on a folder; nothing better can be done
    finally:
        os.close(dir_fd)


def remove_stale_temps(folder: Path, pattern: str, suffix: str = TEMP_SUFFIX) -> None:
    """Remove temp files a killed writer left in ``folder`` while writing a file whose name
    matches the glob ``pattern`` (``"lapse.lock"``, ``"*.lock"``).

    Only call this while no other process can be writing such a file (for locks: while holding
    the run lock), or a live writer's temp is deleted under it.
    """
    for leftover in folder.glob(f".{pattern}.*{glob.escape(suffix)}"):
        try:
            leftover.unlink()
        except OSError:
            pass
