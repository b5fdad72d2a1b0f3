"""How the resolver names and tells apart files: relative POSIX names and file identities."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

Identity = tuple[int, int]


def relpath(path: str | Path, root: str | Path) -> str:
    """``path`` relative to ``root``, spelled with ``/`` (what the lock and messages show)."""
    return PurePosixPath(os.path.relpath(path, root)).as_posix()


def identity(st: os.stat_result, folder: str | Path, name: str = "") -> Identity | str:
    """What makes two paths the same file: (st_dev, st_ino), or the resolved path on file
    systems that report no inode numbers."""
    return (st.st_dev, st.st_ino) if st.st_ino else os.path.realpath(os.path.join(folder, name))

# How recent a modification time may be and still be trusted by a cache (git's "racily
# clean" rule). A file or folder changed within the same tick of its file system's clock as
# lapsefile looked at it could change again in that tick, keeping its size and mtime: what a
# cache recorded of it is not trusted until its mtime is older than the look by this margin
# (2 s: FAT's granularity, and more than any coarse kernel clock's tick).
RACY_NS = 2_000_000_000
