"""What a cache keeps of a file to tell whether it changed, and how it is read from the disk.

A leaf (the standard library only): any layer may use it.
"""

from __future__ import annotations

import os

# What is kept of a file to tell whether it changed: size, mtime, inode and device.
Row = tuple[int, int, int, int]


def stat_row(path: str) -> Row | None:
    """``path``'s :data:`Row` now (the stat follows symlinks), or None when it cannot be
    stat'ed (missing, a dangling link, no permission)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):  # ValueError: a NUL in a hand-edited cache's path
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)
