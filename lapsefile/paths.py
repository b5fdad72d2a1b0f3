"""The project's local state folder, ``.lapsefile/`` beside the spec: one name, one creator.

It holds what is local to one checkout and never committed: the run lock and its holder note,
the stat cache, cached proxies and clips. The folder ignores itself for git (a ``.gitignore``
holding ``*``), so users need not add it to their own ignore file.
"""

from __future__ import annotations

from pathlib import Path

from .atomic import write_atomic
from .errors import StorageError, storage_error

STATE_DIR = ".lapsefile"
CHUNKS_DIR = "chunks"  # chunks of renders in progress: <state>/chunks/<output name>/
_IGNORE_ALL = b"# lapsefile's local state; never committed\n*\n"


def state_dir(root: Path) -> Path:
    """``<root>/.lapsefile``; nothing is created (see ``ensure_state_dir``)."""
    return root / STATE_DIR


def ensure_state_dir(root: Path, *subfolders: str) -> Path:
    """Create the state folder (ignoring itself for git) and ``subfolders`` below it; return
    the deepest. Raises StorageError (an OSError) when it cannot be made: a file in its
    place, a full disk, a project folder that is not writable."""
    folder = state_dir(root)
    _make_folder(folder)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        # Atomic, so two processes creating the folder at once cannot leave a torn file.
        write_atomic(ignore, _IGNORE_ALL)
    for name in subfolders:
        folder = folder / name
        _make_folder(folder)
    return folder


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(exist_ok=True)
    except FileExistsError:  # exist_ok covers folders only: this is a file (or a dead link)
        raise StorageError(
            folder, "this is a file, but lapsefile keeps its local state (run lock, caches) in "
            "a folder of this name", "move or delete the file, then run again") from None
    except OSError as exc:
        raise storage_error(exc, "create lapsefile's state folder", folder) from exc


def chunk_dir(root: Path, output_name: str) -> Path:
    """Where the chunks of ``output_name``'s render wait to be joined (created, ignored by
    git); output names are plain (letters, digits, ``._-``), so they name a folder safely."""
    return ensure_state_dir(root, CHUNKS_DIR, output_name)
