"""What a check looked at on the disk, noted so that a kept verdict can be proved still true.

The spec's checks (``spec/semantic.py``) look at files the spec names (is the music a file?)
and at real paths (does a symlinked ``out/`` lead outside the project?), and its ``${VAR}``s
at the environment. A :class:`Looks` passed to them notes each: the paths whose kind or
content an answer depended on, each real path computed, each variable referenced.
``check_cache.py`` keeps a ``validate`` verdict with the stat of every noted path and every
real path, and answers from it only while all of them are unchanged.

A leaf (the standard library only): any layer may note what it looks at.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from typing import Any

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


def rows_hold(rows: Iterable[Sequence[Any]]) -> bool:
    """Whether every ``[path, row]`` kept (a row as JSON gives it back, or None: missing)
    matches the path's :data:`Row` now."""
    return all(stat_row(path) == (tuple(row) if row is not None else None)
               for path, row in rows)


class Looks:
    """The paths an answer depended on (in the order first looked at), the real paths
    computed (path -> real path) and the environment variables the spec references;
    ``spec_valid`` once the spec was read without an error (what a check looks at after
    that, the project, is not noted here)."""

    def __init__(self) -> None:
        self.paths: dict[str, None] = {}
        self.real: dict[str, str] = {}
        self.variables: set[str] = set()
        self.spec_valid = False

    def note(self, path: str | os.PathLike[str]) -> None:
        """An answer depends on what ``path`` is (a file, a folder, missing) or holds."""
        self.paths.setdefault(os.fspath(path), None)

    def realpath(self, path: str) -> str:
        """``os.path.realpath(path)``, noted: the answer depends on the symlinks on the way."""
        real = os.path.realpath(path)
        self.real.setdefault(path, real)
        return real


def imported_packages() -> list[str]:
    """The top-level packages imported in this process that neither Python nor lapsefile
    ships: the libraries an answer computed now was computed with."""
    tops = {name.partition(".")[0] for name in list(sys.modules)}
    return sorted(name for name in tops if name not in sys.stdlib_module_names
                  and name != "lapsefile" and not name.startswith("__"))


def package_files(names: Iterable[str]) -> list[str]:
    """The file each package of ``names`` is loaded from (its ``__init__``, or the module
    itself), found without importing it; those not installed, or without a file, are left
    out. Installing another version rewrites it, which changes its :data:`Row`: an answer
    kept with the files' rows is derived again under another PyYAML, jsonschema or Pillow."""
    import importlib.util

    files = []
    for name in names:
        origin = getattr(sys.modules.get(name), "__file__", None)
        if origin is None:
            try:
                found = importlib.util.find_spec(name)
            except (ImportError, ValueError):
                found = None
            origin = found.origin if found is not None and found.has_location else None
        if origin:
            files.append(origin)
    return files
