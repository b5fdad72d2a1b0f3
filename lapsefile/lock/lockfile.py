"""``lapse.lock``: what was done, next to what was asked.

Committed to version control, so it holds no secrets and no absolute paths, and it is written
deterministically (sorted keys, fixed indentation) so diffs show real changes only. Every write
is atomic: a crash or Ctrl-C leaves either the old lock or the new one, never a mix.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..atomic import remove_stale_temps as _remove_stale_temps
from ..atomic import write_atomic
from ..errors import LockError, LockVersionError, storage_error
from .records import OutputRecord, StepRecord, damaged

LOCK_VERSION = 1


@dataclass
class Lock:
    """``lapse.lock`` as read: per output its record, the inputs' hashes at the last write,
    each backend's own section; ``exists`` is False for a lock not written yet."""

    path: Path
    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)  # relpath -> sha256 at the last write
    backends: dict[str, dict[str, Any]] = field(default_factory=dict)
    exists: bool = False

    def step(self, output: str, step_id: str) -> StepRecord | None:
        entry = self.outputs.get(output)
        return entry.step(step_id) if entry is not None else None

    def to_json(self) -> str:
        data = {
            "lockfile_version": LOCK_VERSION,
            "generated_by": f"lapsefile {__version__}",
            "outputs": {name: entry.to_dict() for name, entry in self.outputs.items()},
            "inputs": self.inputs,
            "backends": self.backends,
        }
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def save(self) -> None:
        # Atomic (lapsefile.atomic): a crash leaves the old lock or the new one. The file keeps
        # the mode it has (or a new file's umask mode): it is committed, nothing private.
        write_atomic(self.path, self.to_json().encode("utf-8"))
        self.exists = True


def lock_path_for(spec_path: Path) -> Path:
    """``lapse.yaml`` -> ``lapse.lock``; ``other.yaml`` -> ``other.lock``, beside the spec."""
    return spec_path.with_suffix(".lock")


def load_lock(path: Path) -> Lock:
    """Read a lock; a missing file is an empty lock. The format version is checked first."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return Lock(path)
    except OSError as exc:  # a folder in its place, no permission, a failing disk
        raise storage_error(exc, "read the lock file", path) from None
    except UnicodeDecodeError:
        raise LockError("not UTF-8 text; it is damaged. Restore it from version control, or "
                        "delete it to start over", str(path)) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise LockError(
            f"not valid JSON (line {exc.lineno if hasattr(exc, 'lineno') else '?'}); it may have "
            "been edited by hand or hit by a merge conflict. Restore it from version control, or "
            "delete it to start over (finished outputs are then re-made)", str(path)) from None
    version = data.get("lockfile_version") if isinstance(data, dict) else None
    if not isinstance(version, int):
        raise LockError("this is not a lapsefile lock (no lockfile_version)", str(path))
    if version > LOCK_VERSION:
        writer = data.get("generated_by", "a newer lapsefile")
        raise LockVersionError(
            f"written by {writer} in lock format {version}; this lapsefile ({__version__}) reads "
            f"format {LOCK_VERSION}. Upgrade lapsefile (pip install -U lapsefile)", str(path))
    if "outputs" not in data or "inputs" not in data:
        raise LockError("the lock is missing its outputs or inputs section", str(path))
    for key in ("outputs", "inputs", "backends"):
        if key in data and not isinstance(data[key], dict):
            raise damaged(f"{key} should be a mapping", str(path))
    try:
        outputs = {name: OutputRecord.from_dict(entry, f"outputs.{name}")
                   for name, entry in data["outputs"].items()}
    except LockError as exc:
        raise LockError(str(exc), str(path)) from None
    if not all(isinstance(v, str) for v in data["inputs"].values()):
        raise damaged("inputs should map paths to sha256 strings", str(path))
    return Lock(path, outputs, data["inputs"], data.get("backends", {}), exists=True)


def remove_stale_temps(folder: Path) -> None:
    """Temp files left by a killed lock writer. Only call while holding the run lock.

    Every lock in the folder (``lapse.lock``, ``other.lock``), since all specs in one folder
    share its run lock; older versions named every lock's temps ``.lapse.lock.*.tmp``, which
    this covers too.
    """
    _remove_stale_temps(folder, "*.lock")
