"""The project's local state folder, ``.lapsefile/`` beside the spec: one name, one creator.

It holds what is local to one checkout and never committed: the run lock and its holder note,
and ``cache/``: every cache (file hashes, folder listings, checked specs, decoded photos,
proxies and clips), each only an accelerator that a missing or damaged file costs time, not
correctness. The folder ignores itself for git (a ``.gitignore``
holding ``*``), so users need not add it to their own ignore file.
"""

from __future__ import annotations

from pathlib import Path

from .atomic import write_atomic
from .errors import StorageError, storage_error

STATE_DIR = ".lapsefile"
CHUNKS_DIR = "chunks"  # chunks of renders in progress: <state>/chunks/<output name>/
CACHE_DIR = "cache"  # below STATE_DIR
_IGNORE_ALL = b"# lapsefile's local state; never committed\n*\n"


def state_dir(root: Path) -> Path:
    """``<root>/.lapsefile``; nothing is created (see ``ensure_state_dir``)."""
    return root / STATE_DIR


def cache_file(root: Path, name: str) -> Path:
    """``<root>/.lapsefile/cache/<name>``; nothing is created (``ensure_state_dir(root,
    CACHE_DIR)`` makes the folder)."""
    return state_dir(root) / CACHE_DIR / name


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


def read_cache(root: Path, name: str) -> bytes | None:
    """The bytes of the cache file ``name``, or None when it cannot be read: a cache is only
    an accelerator, so a missing or unreadable one is simply rebuilt."""
    try:
        return cache_file(root, name).read_bytes()
    except OSError:
        return None


def write_cache(root: Path, name: str, data: bytes) -> bool:
    """Write the cache file ``name`` atomically (a stopped run leaves the previous one, never
    a torn one); False when the project folder refuses it (read-only: it still plans, just
    without the cache next time)."""
    try:
        ensure_state_dir(root, CACHE_DIR)
        write_atomic(cache_file(root, name), data)
    except OSError:
        return False
    return True
