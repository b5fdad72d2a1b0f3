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
from ..errors import LockError, LockVersionError

LOCK_VERSION = 1


@dataclass
class Lock:
    path: Path
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)  # relpath -> sha256 at the last write
    backends: dict[str, dict[str, Any]] = field(default_factory=dict)
    exists: bool = False

    def step(self, output: str, step_id: str) -> dict[str, Any] | None:
        return self.outputs.get(output, {}).get("steps", {}).get(step_id)

    def to_json(self) -> str:
        data = {
            "lockfile_version": LOCK_VERSION,
            "generated_by": f"lapsefile {__version__}",
            "outputs": self.outputs,
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
    except OSError as exc:
        raise LockError(f"cannot read the lock file: {exc.strerror}", str(path)) from None
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
    problem = _shape_problem(data)
    if problem:
        raise LockError(f"damaged: {problem}. Restore it from version control, or delete it to "
                        "start over (finished outputs are then re-made)", str(path))
    return Lock(path, data["outputs"], data["inputs"], data.get("backends", {}), exists=True)


def _shape_problem(data: dict[str, Any]) -> str | None:
    """What is wrong with the structure the rest of lapsefile relies on, if anything."""
    def mapping(value: Any, where: str) -> str | None:
        return None if isinstance(value, dict) else f"{where} should be a mapping"

    for key in ("outputs", "inputs", "backends"):
        if key in data and (bad := mapping(data[key], key)):
            return bad
    for name, output in data["outputs"].items():
        if bad := mapping(output, f"outputs.{name}") or mapping(output.get("steps", {}),
                                                                f"outputs.{name}.steps"):
            return bad
        for step_id, record in output.get("steps", {}).items():
            if bad := mapping(record, f"outputs.{name}.steps.{step_id}"):
                return bad
            artifact = record.get("artifact")
            if artifact is not None and not (isinstance(artifact, dict)
                                             and isinstance(artifact.get("path"), str)):
                return f"outputs.{name}.steps.{step_id}.artifact should name a path"
    if not all(isinstance(v, str) for v in data["inputs"].values()):
        return "inputs should map paths to sha256 strings"
    return None


def remove_stale_temps(folder: Path) -> None:
    """Temp files left by a killed lock writer. Only call while holding the run lock.

    Every lock in the folder (``lapse.lock``, ``other.lock``), since all specs in one folder
    share its run lock; older versions named every lock's temps ``.lapse.lock.*.tmp``, which
    this covers too.
    """
    _remove_stale_temps(folder, "*.lock")
