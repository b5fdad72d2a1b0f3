"""Globs of the spec against the disk, noting every folder whose listing the answer read.

A pattern is walked part by part as ``glob.glob(pattern, root_dir=root, recursive=True)``
would (the same names, hidden names skipped the same way), except that a ``**`` walk never
enters a folder that is already above it: a symlink back up (``photos/loop -> ..``) is not
followed, where glob follows it until the OS refuses (40 levels, exponentially many paths
with two such links). The same folder linked twice is still walked under both names; the
resolver keeps each file once.

Every folder the walk lists (or looks into for a literal name) is noted in a :class:`Seen`
with its identity and modification time: a folder's mtime changes whenever a name is added
to it, removed or renamed, so while none of them changed, the walk would find the same names
(``snapshot.py`` re-uses the answer on that proof).
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..disk_looks import stat_row
from .files import Identity, identity, relpath

_MAGIC = re.compile(r"[*?[]")
_SEPARATORS = re.compile(r"[\\/]+" if os.altsep else r"/+")

# A folder as seen: (st_dev, st_ino, st_mtime_ns), or None when it could not be read.
FolderState = tuple[int, int, int] | None
STAT_FIELDS = 4  # a kept photo's stat: size, mtime_ns, inode, device (disk_looks.Row)


def folder_state(folder: str) -> FolderState:
    """What tells whether ``folder``'s names may have changed: its identity and mtime (the
    stat follows symlinks, as the walk does: a link pointed elsewhere is another folder)."""
    try:
        st = os.stat(folder)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns) if stat.S_ISDIR(st.st_mode) else None


def unchanged(root: str, folders: Sequence[Any], paths: Sequence[str],
              stats: Sequence[int]) -> bool:
    """Whether every folder read (``[folder, state]`` pairs) has the same identity and mtime
    and every photo (``paths`` below ``root``, four ``stats`` each: size, mtime, inode,
    device) the same stat: the proof that a resolve would give the same answer
    (``snapshot.py``; the whole-check cache, ``check_cache.py``, keeps the same proof)."""
    for folder, state in folders:
        if folder_state(folder) != (tuple(state) if state is not None else None):
            return False
    # Every photo hashed, not only those shown (``every``): a broken one is refused either way.
    base = os.path.join(root, "")
    return [stat_row(base + rel) for rel in paths] == stat_rows(stats)


def stat_rows(stats: Sequence[int]) -> list[tuple[int, ...]]:
    """The flat stats as one (size, mtime_ns, inode, device) row a photo."""
    return list(zip(*[iter(stats)] * STAT_FIELDS))


class Seen:
    """The folders a walk read, absolute path -> their state when first read."""

    def __init__(self) -> None:
        self.folders: dict[str, FolderState] = {}

    def note(self, folder: str) -> None:
        """Note ``folder`` before its names are read (a change after this is then a later
        mtime, or one within the same tick, which the racy rule catches)."""
        if folder not in self.folders:
            self.folders[folder] = folder_state(folder)


def _subdirs(folder: str, seen: Seen, hidden: bool = False
             ) -> Iterator[tuple[str, Identity | str]]:
    """Visible sub-folders of ``folder`` (symlinks followed, as glob does) with identities;
    hidden ones too with ``hidden`` (for a pattern part such as ``.*``, as glob does)."""
    seen.note(folder)
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith(".") and not hidden:
                    continue
                try:
                    if entry.is_dir():
                        st = os.stat(entry.path) if entry.is_symlink() else entry.stat()
                        yield entry.name, identity(st, entry.path)
                except OSError:
                    continue
    except OSError:
        return


def _lineage(folder: str) -> set[Identity | str]:
    """The identities of ``folder`` and every folder above it, really (symlinks resolved)."""
    found: set[Identity | str] = set()
    current = os.path.realpath(folder)
    while True:
        try:
            found.add(identity(os.stat(current), current))
        except OSError:
            pass
        parent = os.path.dirname(current)
        if parent == current:
            return found
        current = parent


def _parts(pattern: str) -> tuple[str, list[str]]:
    """Where the walk starts ("" for the root, the drive's top for an absolute pattern) and
    the pattern's parts (a run of ``**`` as one; a trailing ``**`` means every file below)."""
    drive, rest = os.path.splitdrive(pattern)
    start = drive + os.sep if os.path.isabs(pattern) else ""
    parts: list[str] = []
    for part in _SEPARATORS.split(rest):
        if part and not (part == "**" and parts and parts[-1] == "**"):
            parts.append(part)
    if parts and parts[-1] == "**":
        parts.append("*")  # "photos/**": every file below (folders are dropped by the caller)
    return start, parts


def walk_glob(root: Path, pattern: str, seen: Seen | None = None) -> Iterator[str]:
    """The names ``pattern`` matches below ``root`` (relative, or absolute for an absolute
    pattern), as the module's docstring says; the folders read are noted in ``seen``."""
    seen = seen if seen is not None else Seen()
    start, parts = _parts(pattern)
    base = str(root)

    def walk(rel: str, left: tuple[str, ...], above: frozenset) -> Iterator[str]:
        folder = os.path.join(base, rel) if rel else base
        head, rest = left[0], left[1:]
        if head == "**":
            above = above | _lineage(folder)
            yield from walk(rel, rest, above)
            for name, ident in _subdirs(folder, seen):
                if ident not in above:
                    yield from walk(os.path.join(rel, name), left, above | {ident})
        elif _MAGIC.search(head):
            if rest:
                names = [n for n, _ in _subdirs(folder, seen, hidden=head.startswith("."))]
            else:
                seen.note(folder)
                try:
                    names = os.listdir(folder)
                except OSError:
                    return
            if not head.startswith("."):
                names = [n for n in names if not n.startswith(".")]
            for name in fnmatch.filter(names, head):
                yield from (walk(os.path.join(rel, name), rest, above) if rest
                            else [os.path.join(rel, name)])
        elif rest:
            yield from walk(os.path.join(rel, head), rest, above)
        else:
            seen.note(folder)  # whether the name exists is its folder's listing
            if os.path.lexists(os.path.join(folder, head)):
                yield os.path.join(rel, head)

    if parts:
        yield from walk(start, tuple(parts), frozenset())


def glob_files(root: Path, pattern: str, seen: Seen | None = None
               ) -> dict[str, os.stat_result]:
    """Regular files matching ``pattern``: relative POSIX path -> stat, one stat per file.

    Names are yielded relative to the root: building and relativizing a Path per file costs
    more than the stat itself at 10,000 photos.
    """
    found: dict[str, os.stat_result] = {}
    absolute = os.path.isabs(pattern)
    for rel in walk_glob(root, pattern, seen):
        try:
            st = os.stat(os.path.join(root, rel))
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            # Inputs are recorded relative to the spec (the lock is committed): photos on
            # another drive become ../../media/card/IMG_1.jpg, not /media/card/IMG_1.jpg.
            found[relpath(Path(rel), root) if absolute else rel.replace(os.sep, "/")] = st
    return found
