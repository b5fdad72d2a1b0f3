"""A cache of file hashes keyed by (size, mtime_ns, inode), kept out of version control.

It lives in ``<project>/.lapsefile/statcache.json`` (the folder ignores itself for git), so
re-planning an unchanged folder costs one ``stat`` per file instead of reading every photo.
The cache is only an accelerator: a missing, stale or corrupt cache is rebuilt, never trusted
over the file system, and losing it costs time, not correctness.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..atomic import write_atomic
from ..paths import ensure_state_dir, state_dir
from .exif import read_capture

CACHE_NAME = "statcache.json"
CACHE_VERSION = 1
_CHUNK = 1 << 20


@dataclass
class Entry:
    size: int
    mtime_ns: int
    inode: int
    sha256: str
    # None: never looked; "": looked, the photo has none; otherwise an ISO timestamp
    captured: str | None = None
    # the EXIF data was damaged and the capture time fell back (see exif.CaptureRead); stored
    # only when true, so caches written before this field existed read unchanged
    exif_damaged: bool = False

    def row(self) -> list:
        row = [self.size, self.mtime_ns, self.inode, self.sha256, self.captured]
        return row + [True] if self.exif_damaged else row


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


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
                cache.entries = {k: Entry(*v) for k, v in data["files"].items()}
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

    def lookup(self, relpath: str, st: os.stat_result) -> Entry | None:
        entry = self.entries.get(relpath)
        if entry and (entry.size, entry.mtime_ns, entry.inode) == (st.st_size, st.st_mtime_ns,
                                                                   st.st_ino):
            return entry
        return None

    def hash_files(self, files: Iterable[tuple[str, os.stat_result]],
                   on_progress: Callable[[int, int], None] | None = None,
                   workers: int = 4) -> dict[str, Entry]:
        """Entries for ``files`` (paths relative to the root), hashing only those whose stat
        changed since last time."""
        result: dict[str, Entry] = {}
        misses: list[tuple[str, Path, os.stat_result]] = []
        for relpath, st in files:
            entry = self.lookup(relpath, st)
            if entry is None:
                misses.append((relpath, self.root / relpath, st))
            else:
                result[relpath] = entry
        if misses:
            # hashlib releases the GIL on large buffers, so threads overlap reads and hashing.
            with ThreadPoolExecutor(max_workers=workers) as pool:
                digests = pool.map(lambda item: sha256_file(item[1]), misses)
                for n, ((relpath, _path, st), digest) in enumerate(zip(misses, digests), 1):
                    entry = Entry(st.st_size, st.st_mtime_ns, st.st_ino, digest)
                    self.entries[relpath] = result[relpath] = entry
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
