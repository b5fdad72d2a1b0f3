"""The photos a spec resolved to last time, re-used while the disk proves them unchanged.

Resolving 10,000 photos lists folders, matches names, stats, de-duplicates, looks every file
up in the stat cache and sorts them naturally: most of a re-plan. An unchanged project gets
the same answer, so the answer is kept (``.lapsefile/cache/frames.json``): the photos in
display order with the stat and hash of each, and every folder the globs read (``Seen``) with
its identity and mtime. It is used only when all of that still holds:

- the same ``frames`` settings, spec folder, lapsefile version and stat cache version (the
  key);
- every folder read has the same identity and mtime, so each listing would give the same
  names (a photo added or removed anywhere a ``**`` walked changes its folder's mtime);
- every photo has the same size, mtime, inode and device, so its hash and capture time hold;
- nothing in it changed within ``files.RACY_NS`` of the look (a change in the same tick of
  the clock would leave the mtime as it was): such a snapshot is not written at all.

Anything else, and a missing, damaged or old-format file, means the full resolve, which
writes a new one. A project whose photos raised warnings (EXIF) is not kept: its warnings
are found again each time.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from .. import __version__
from ..paths import read_cache, write_cache
from ..spec.model import Spec
from .files import RACY_NS
from .globbing import STAT_FIELDS, FolderState, stat_rows, unchanged
from .model import FrameFiles, InputFile
from .statcache import CACHE_VERSION

CACHE_NAME = "frames.json"
FORMAT = 1  # bump when what is stored, or how it is derived, changes


class Snapshot(NamedTuple):
    """The photos of a resolve, in display order, and the identities the output checks use."""

    frames: FrameFiles
    identities: dict[str, Any]  # relpath -> identity (files.identity) of every photo kept


def key(spec: Spec, capture_times: bool) -> str:
    """What the answer depends on besides the disk."""
    frames = spec.frames
    # The stat cache's version: what it judges of a photo (integrity) is part of the answer.
    return json.dumps([FORMAT, __version__, CACHE_VERSION, str(spec.root), list(frames.include),
                       list(frames.exclude), frames.sort, frames.every, capture_times])


def load(spec: Spec, capture_times: bool) -> Snapshot | None:
    """The last answer when the disk still proves it (module docstring); else None."""
    data = proven(spec, capture_times)
    if data is None:
        return None
    try:
        paths, rows = data["paths"], stat_rows(data["stats"])
        return Snapshot(_frames(spec, paths, rows, data["sha256"], data["captured"],
                                data["order"]),
                        {rel: (row[3], row[2]) if row[2] else os.path.realpath(
                            os.path.join(str(spec.root), rel)) for rel, row in zip(paths, rows)})
    except (ValueError, TypeError, KeyError, IndexError):
        return None  # damaged or hand-edited: resolved afresh, and written again


def proven(spec: Spec, capture_times: bool) -> dict[str, Any] | None:
    """The kept answer as stored (``folders``, ``paths``, ``stats``, ...) when its key is
    this spec's and the disk proves it now; else None. The whole-check cache keeps the same
    proof (``check_cache.py``)."""
    raw = read_cache(spec.root, CACHE_NAME)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("key") != key(spec, capture_times):
            return None
        return data if _well_formed(data) and unchanged(
            str(spec.root), data["folders"], data["paths"], data["stats"]) else None
    except (ValueError, TypeError, KeyError, IndexError):
        return None  # damaged or hand-edited: resolved afresh, and written again


def _well_formed(data: dict[str, Any]) -> bool:
    paths, stats, sha = data["paths"], data["stats"], data["sha256"]
    captured, shown = data["captured"], data["order"]
    n = len(paths)
    # The stats need no type check: they must equal the disk's (ints). A path that is no
    # text fails its stat.
    return (len(stats) == STAT_FIELDS * n and len(sha) == 64 * n and len(captured) == n
            and sha == sha.lower() and len(bytes.fromhex(sha)) == 32 * n
            and all(type(i) is int and 0 <= i < n for i in shown))


def _frames(spec: Spec, paths: Sequence[str], rows: Sequence[tuple[int, ...]], sha: str,
            captured: Sequence[Any], shown: Sequence[int]) -> FrameFiles:
    """The photos shown, in display order, as the resolve made them: kept as columns, no
    object a photo (``FrameFiles``)."""
    when: list[tuple[datetime | None, str]] | None = None
    if any(c is not None for c in captured):
        when = [_capture(captured[i]) for i in shown]
    return FrameFiles.from_columns(spec.root, [paths[i] for i in shown],
                               [rows[i][0] for i in shown], [rows[i][1] for i in shown],
                               [sha[64 * i:64 * i + 64] for i in shown], when)


def _capture(kept: Any) -> tuple[datetime | None, str]:
    """A photo's capture time as the snapshot keeps it (None, or [iso text, source])."""
    if kept is None:
        return None, "none"
    text, source = kept
    if not isinstance(text, (str, type(None))) or source not in ("exif", "mtime"):
        raise ValueError("not a capture time")
    return (datetime.fromisoformat(text) if text else None), source


def save(spec: Spec, capture_times: bool, files: Sequence[InputFile],
         frames: Sequence[InputFile], stats: Mapping[str, os.stat_result],
         folders: Mapping[str, FolderState], started_ns: int) -> None:
    """Keep this resolve's answer: ``files``, every photo hashed, and ``frames``, those shown
    in display order; unless something in it changed too recently to be sure of
    (``files.RACY_NS`` before ``started_ns``, when the resolve began to look)."""
    recent = started_ns - RACY_NS
    if any(state is None or state[2] >= recent for state in folders.values()):
        return  # a folder that could not be read, or changed within the racy window
    rows = [stats[f.relpath] for f in files]
    if any(st.st_mtime_ns >= recent for st in rows):
        return
    index = {f.relpath: i for i, f in enumerate(files)}
    data = {"key": key(spec, capture_times), "folders": sorted(folders.items()),
            "paths": [f.relpath for f in files],
            "stats": [v for st in rows for v in (st.st_size, st.st_mtime_ns, st.st_ino,
                                                 st.st_dev)],
            "sha256": "".join(f.sha256 for f in files),
            "captured": [[f.captured_at.isoformat() if f.captured_at else None,
                          f.capture_source] if f.capture_source != "none" else None
                         for f in files],
            "order": [index[f.relpath] for f in frames]}
    write_cache(spec.root, CACHE_NAME, json.dumps(data, separators=(",", ":")).encode())
