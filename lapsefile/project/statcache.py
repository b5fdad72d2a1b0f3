"""A cache of file hashes keyed by (size, mtime_ns, inode), kept out of version control.

It lives in ``<project>/.lapsefile/statcache.json`` (the folder ignores itself for git), so
re-planning an unchanged folder costs one ``stat`` per file instead of reading every photo.
The cache is only an accelerator: a missing, stale or corrupt cache is rebuilt, never trusted
over the file system, and losing it costs time, not correctness.

Photos are also inspected while they are hashed (``integrity.Inspector``: the bytes are read
anyway), and the verdict is kept with the hash, so an unchanged photo is not inspected again.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..atomic import write_atomic
from ..paths import ensure_state_dir, state_dir
from .exif import read_capture
from .integrity import Inspector

CACHE_NAME = "statcache.json"
# 2: rows carry the photo's integrity verdict. Bump it whenever the inspection finds more, so
# verdicts of an older inspection are not trusted (an older cache is simply rebuilt).
# 3: TIFF, HEIF and camera RAW photos are judged (before, they were "not an image").
CACHE_VERSION = 3
_CHUNK = 1 << 20
_BUFFERS = threading.local()  # each hashing thread's read buffer (``_buffer``)


@dataclass
class Entry:
    size: int
    mtime_ns: int
    inode: int
    sha256: str
    # None: never looked; "": looked, the photo has none; otherwise an ISO timestamp
    captured: str | None = None
    # the EXIF data was damaged and the capture time fell back (see exif.CaptureRead)
    exif_damaged: bool = False
    # None: never inspected (not a photo); "": a whole image; else what is wrong with it,
    # worded to follow the file's name (see integrity.Inspector.verdict)
    problem: str | None = None

    def row(self) -> list:
        return [self.size, self.mtime_ns, self.inode, self.sha256, self.captured,
                self.exif_damaged, self.problem]


def sha256_file(path: Path) -> str:
    return _read(path, None)


def _buffer() -> bytearray:
    """This thread's read buffer. Reading into one buffer, kept: a fresh 1 MiB per chunk (or
    per file) costs its zeroing and page faults each time, about half of sha256's time."""
    buffer: bytearray | None = getattr(_BUFFERS, "buffer", None)
    if buffer is None:
        buffer = _BUFFERS.buffer = bytearray(_CHUNK)
    return buffer


def _read(path: Path, inspector: Inspector | None) -> str:
    """sha256 of the file, its bytes also fed to ``inspector`` as they are read."""
    digest = hashlib.sha256()
    buffer = _buffer()
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as fh:
        while size := fh.readinto(buffer):
            chunk = view[:size]
            digest.update(chunk)
            if inspector is not None:
                inspector.feed(chunk)
    return digest.hexdigest()


def _hash_and_inspect(path: Path, inspect: bool) -> tuple[str, str | None]:
    """(sha256, verdict): the verdict is None when not asked for. A photo that cannot be read
    is a verdict (sha256 ""), not an exception: it is reported with the other broken photos."""
    if not inspect:
        return _read(path, None), None
    inspector = Inspector()
    try:
        digest = _read(path, inspector)
    except OSError as exc:
        return "", f"cannot be read ({exc.strerror or exc})"
    return digest, inspector.verdict()


_OPTIONAL_STR = (str, type(None))
_ROW_TYPES: tuple[type | tuple[type, ...], ...] = (int, int, int, str, _OPTIONAL_STR, bool,
                                                   _OPTIONAL_STR)


def _entry(row: object) -> Entry:
    """An Entry from a cached row; ValueError for a row this version did not write (a hand-
    edited verdict must not pass a broken photo, or print a number as its problem)."""
    if not isinstance(row, list) or len(row) != len(_ROW_TYPES) or not all(
            isinstance(value, kind) for value, kind in zip(row, _ROW_TYPES)):
        raise ValueError(f"not a stat cache row: {row!r}")
    return Entry(*row)


class StatCache:
    def __init__(self, root: Path, entries: dict[str, Entry] | None = None):
        self.root = root
        self.entries: dict[str, Entry] = entries or {}
        self.dirty = False

    @property
    def path(self) -> Path:
        return state_dir(self.root) / CACHE_NAME

    @classmethod
    def load(cls, root: Path) -> StatCache:
        cache = cls(root)
        try:
            data = json.loads(cache.path.read_text("utf-8"))
            if data.get("version") == CACHE_VERSION:
                cache.entries = {k: _entry(v) for k, v in data["files"].items()}
        except (OSError, ValueError, TypeError, KeyError):
            cache.entries = {}
        return cache

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            ensure_state_dir(self.root)
            data = {"version": CACHE_VERSION,
                    "files": {k: e.row() for k, e in sorted(self.entries.items())}}
            # Atomic: a run stopped mid-save leaves the previous cache, not a torn one.
            write_atomic(self.path, json.dumps(data, separators=(",", ":")).encode("utf-8"))
            self.dirty = False
        except OSError:
            # A read-only project folder still plans; it just hashes again next time.
            pass

    def lookup(self, relpath: str, st: os.stat_result, inspect: bool = False) -> Entry | None:
        """The cached entry while the file's stat is unchanged (and, with ``inspect``, only one
        that holds an integrity verdict)."""
        entry = self.entries.get(relpath)
        if entry and (entry.size, entry.mtime_ns, entry.inode) == (st.st_size, st.st_mtime_ns,
                                                                   st.st_ino):
            return None if inspect and entry.problem is None else entry
        return None

    def hash_files(self, files: Iterable[tuple[str, os.stat_result]],
                   on_progress: Callable[[int, int], None] | None = None,
                   workers: int = 4, inspect: bool = False) -> dict[str, Entry]:
        """Entries for ``files`` (paths relative to the root), hashing only those whose stat
        changed since last time. ``inspect``: they are photos; each entry's ``problem`` says
        whether it is whole (an unreadable one is returned but not cached)."""
        result: dict[str, Entry] = {}
        misses: list[tuple[str, Path, os.stat_result]] = []
        for relpath, st in files:
            entry = self.lookup(relpath, st, inspect)
            if entry is None:
                misses.append((relpath, self.root / relpath, st))
            else:
                result[relpath] = entry
        if misses:
            # hashlib releases the GIL on large buffers, so threads overlap reads and hashing.
            with ThreadPoolExecutor(max_workers=workers) as pool:
                read = pool.map(lambda item: _hash_and_inspect(item[1], inspect), misses)
                for n, ((relpath, _path, st), (digest, problem)) in enumerate(zip(misses, read),
                                                                               1):
                    entry = Entry(st.st_size, st.st_mtime_ns, st.st_ino, digest, problem=problem)
                    result[relpath] = entry
                    if digest:
                        self.entries[relpath] = entry
                    if on_progress:
                        on_progress(n, len(misses))
            self.dirty = True
        return result

    def capture_time(self, relpath: str, path: Path) -> datetime | None:
        """EXIF capture time, cached with the entry (hash_files must have seen the file)."""
        entry = self.entries[relpath]
        if entry.captured is None:
            read = read_capture(path)
            entry.captured = read.when.isoformat() if read.when else ""
            entry.exif_damaged = read.damaged
            self.dirty = True
        return datetime.fromisoformat(entry.captured) if entry.captured else None
