"""A cache of file hashes keyed by (size, mtime_ns, inode), kept out of version control.

It lives in ``<project>/.lapsefile/cache/stat.json`` (the folder ignores itself for git), so
re-planning an unchanged folder costs one ``stat`` per file instead of reading every photo.
The cache is only an accelerator: a missing, stale or corrupt cache is rebuilt, never trusted
over the file system, and losing it costs time, not correctness.

Photos are also inspected while they are hashed (``integrity.Inspector``: the bytes are read
anyway), and the verdict is kept with the hash, so an unchanged photo is not inspected again.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..paths import cache_file, read_cache, state_dir, write_cache

if TYPE_CHECKING:
    from .integrity import Inspector

CACHE_NAME = "stat.json"  # in the state folder's cache/ (paths.cache_file)
# The files a run made (runner: the outputs the lock names), kept apart from the photos': a
# no-op run looks up a few outputs and should not read 10,000 photos' rows to do it.
OUTPUTS_CACHE_NAME = "stat-outputs.json"
# Where releases before the compact cache kept the photos' (in the state folder itself):
# removed once the new one is written, so an upgraded project carries no dead copy of every
# photo's hash.
OLD_CACHE_FILE = "statcache.json"
# 2: rows carry the photo's integrity verdict. Bump it whenever the inspection finds more, so
# verdicts of an older inspection are not trusted (an older cache is simply rebuilt).
# 3: TIFF, HEIF and camera RAW photos are judged (before, they were "not an image").
# 4: columns rather than a row per file (read in milliseconds at 10,000 photos); rows of files
# changed in the same mtime tick as the cache was written are not trusted (git's racy rule).
CACHE_VERSION = 4
_CHUNK = 1 << 20
_BUFFERS = threading.local()  # each hashing thread's read buffer (``_buffer``)


@dataclass
class Entry:
    """A file's row in the stat cache: its stat when hashed, its hash, and for a photo its
    capture time and integrity verdict."""

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


def _read(path: Path | str, inspector: Inspector | None) -> str:
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


def _hash_and_inspect(path: Path | str, inspect: bool) -> tuple[str, str | None]:
    """(sha256, verdict): the verdict is None when not asked for. A photo that cannot be read
    is a verdict (sha256 ""), not an exception: it is reported with the other broken photos."""
    if not inspect:
        return _read(path, None), None
    # Here, not at the top: a check whose photos are all known (validate after an edit of
    # the spec) reads no photo, so needs no JPEG inspection (integrity.py, formats.py).
    from .integrity import Inspector

    inspector = Inspector()
    try:
        digest = _read(path, inspector)
    except OSError as exc:
        return "", f"cannot be read ({exc.strerror or exc})"
    return digest, inspector.verdict()


class _Rows(Mapping[str, Entry]):
    """The cached rows, by path: kept as the columns they were read from, an Entry made only
    for a row that is asked for (a re-plan of 10,000 unchanged photos asks for none)."""

    def __init__(self, columns: dict[str, Any] | None = None):
        self._made: dict[str, Entry] = {}  # rows asked for or set, as Entries
        self._made_here: set[str] = set()  # rows set by this process
        self._columns = columns or {}
        self._index = dict(zip(self._columns.get("paths", ()), itertools.count()))

    def __getitem__(self, relpath: str) -> Entry:
        entry = self._made.get(relpath)
        if entry is None:
            i = self._index[relpath]  # KeyError for a path never cached
            columns = self._columns
            size, mtime_ns, inode = columns["stats"][3 * i:3 * i + 3]
            row = (size, mtime_ns, inode, columns["sha256"][64 * i:64 * i + 64],
                   columns["captured"][i], i in columns["damaged"], columns["problem"][i])
            # A row of the wrong type is not trusted: a hand-edited verdict must not pass a
            # broken photo, or print a number as its problem. Checked when asked for.
            if not all(isinstance(value, kind) for value, kind in zip(row, _ROW_TYPES)) or \
                    _DIGEST.fullmatch(row[3]) is None:
                raise KeyError(relpath)
            entry = self._made[relpath] = Entry(*row)
        return entry

    def __setitem__(self, relpath: str, entry: Entry) -> None:
        self._made[relpath] = entry
        self._made_here.add(relpath)
        self._index.setdefault(relpath, -1)  # -1: not in the columns

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def was_read(self, relpath: str) -> bool:
        """Whether the row came from the file (not hashed by this process)."""
        return self._index.get(relpath, -1) >= 0 and relpath not in self._made_here



    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, relpath: object) -> bool:
        return relpath in self._index


def _columns(data: object) -> dict[str, Any] | None:
    """The columns of a cache this version wrote, or None: an older version, or columns of
    the wrong shape, are not trusted, and the cache is rebuilt (each row's values are checked
    when it is asked for)."""
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
        return None
    paths, stats, sha = data.get("paths"), data.get("stats"), data.get("sha256")
    captured, problem, damaged = data.get("captured"), data.get("problem"), data.get("damaged")
    if not (isinstance(paths, list) and isinstance(stats, list) and isinstance(sha, str)
            and isinstance(captured, list) and isinstance(problem, list)
            and isinstance(damaged, list)):
        return None
    n = len(paths)
    if (len(stats) != 3 * n or len(sha) != 64 * n or len(captured) != n or len(problem) != n
            or not all(type(p) is str for p in paths)):
        return None
    return {"paths": paths, "stats": stats, "sha256": sha, "captured": captured,
            "problem": problem, "damaged": set(damaged)}


_OPTIONAL_STR = (str, type(None))
_ROW_TYPES: tuple[type | tuple[type, ...], ...] = (int, int, int, str, _OPTIONAL_STR, bool,
                                                   _OPTIONAL_STR)
_DIGEST = re.compile(r"[0-9a-f]{64}")


class StatCache:
    def __init__(self, root: Path, entries: Mapping[str, Entry] | None = None,
                 name: str = CACHE_NAME):
        self.root, self.name = root, name
        self.entries = _Rows()
        for relpath, entry in (entries or {}).items():
            self.entries[relpath] = entry
        self.dirty = False
        # Rows read of files whose mtime is at or after this are not trusted (``load``).
        self.racy_from = 0

    @property
    def path(self) -> Path:
        return cache_file(self.root, self.name)

    @classmethod
    def load(cls, root: Path, name: str = CACHE_NAME) -> StatCache:
        cache = cls(root, name=name)
        raw = read_cache(root, name)
        try:
            data = json.loads(raw) if raw is not None else None
        except ValueError:  # not JSON, or not UTF-8
            data = None
        columns = _columns(data)
        try:
            written_ns = os.stat(cache.path).st_mtime_ns
        except OSError:
            columns = None
        if columns is not None:
            cache.entries = _Rows(columns)
            # git's racy rule: a file changed in the same tick of its file system's clock as
            # the cache was written (its mtime not older than the cache's) may have changed
            # again after it was hashed, keeping its size and mtime: its row is not trusted.
            # Compared with the cache file's own mtime, the rule holds at any granularity.
            cache.racy_from = written_ns
        return cache

    def save(self) -> None:
        """Write the cache if anything changed (atomically; a read-only project folder still
        plans, it just hashes again next time)."""
        if not self.dirty:
            return
        # A row read that was not trusted (racy) and was not hashed again is dropped: the new
        # file's later mtime would vouch for it.
        kept = {p: e for p in self.entries if (e := self.entries.get(p)) is not None
                and (not self.entries.was_read(p) or e.mtime_ns < self.racy_from)}
        paths = sorted(kept)
        rows = [kept[p] for p in paths]
        data = {"version": CACHE_VERSION, "paths": paths,
                "stats": [v for e in rows for v in (e.size, e.mtime_ns, e.inode)],
                "sha256": "".join(e.sha256 for e in rows),
                "captured": [e.captured for e in rows], "problem": [e.problem for e in rows],
                "damaged": [i for i, e in enumerate(rows) if e.exif_damaged]}
        if write_cache(self.root, self.name, json.dumps(data, separators=(",", ":"))
                       .encode("utf-8")):
            self.dirty = False
            if self.name == CACHE_NAME:
                try:
                    (state_dir(self.root) / OLD_CACHE_FILE).unlink(missing_ok=True)
                except OSError:
                    pass  # only space is lost

    def lookup(self, relpath: str, st: os.stat_result, inspect: bool = False) -> Entry | None:
        """The cached entry while the file's stat is unchanged (and, with ``inspect``, only one
        that holds an integrity verdict)."""
        entry = self.entries.get(relpath)
        if entry is None or (self.entries.was_read(relpath) and entry.mtime_ns >= self.racy_from):
            return None  # not cached, or changed too close to when it was hashed
        if (entry.size, entry.mtime_ns, entry.inode) == (st.st_size, st.st_mtime_ns,
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
        misses: list[tuple[str, str, os.stat_result]] = []
        for relpath, st in files:
            entry = self.lookup(relpath, st, inspect)
            if entry is None:
                misses.append((relpath, os.path.join(self.root, relpath), st))
            else:
                result[relpath] = entry
        if misses:
            from concurrent.futures import ThreadPoolExecutor  # only when there is reading

            # hashlib releases the GIL on large buffers, so threads overlap reads and hashing.
            from ..pools import in_order

            with ThreadPoolExecutor(max_workers=workers) as pool:
                read = in_order(pool, lambda item: _hash_and_inspect(item[1], inspect), misses,
                                ahead=4 * workers)
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
            from .exif import read_capture  # Pillow, only for a spec that needs the times

            read = read_capture(path)
            entry.captured = read.when.isoformat() if read.when else ""
            entry.exif_damaged = read.damaged
            self.dirty = True
        return datetime.fromisoformat(entry.captured) if entry.captured else None
