"""What shapes an output, as plain data: hashed into fingerprints, stored in the lock, diffed
into "spec changed: overlays.titles[0].text" reasons."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from .. import overlays
from ..project.model import InputFile, Project
from ..spec.model import Output
from .instructions import render_instructions

# Each backend's engine revision (bumped when the meaning of a setting changes, so old outputs
# are re-made) is in its registry entry: lapsefile/backends/registry.py.


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_plain)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"not JSON-able: {type(value).__name__}")


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()


def plain(value: Any) -> Any:
    """``value`` as JSON data (dataclasses to dicts, tuples to lists)."""
    return json.loads(canonical(value))


def output_files(project: Project, output: Output) -> list[InputFile]:
    """The inputs an output depends on, in a stable order: photos, then assets it uses."""
    used = overlays.reads(project.spec, output.name)  # fonts, the logo, the music
    assets = [project.assets[r] for r in used if r in project.assets]
    return list(project.frames) + assets


def inputs_digest(files: list[InputFile]) -> str:
    # Not canonical JSON: at 10,000 photos plain joining is several times faster.
    return hashlib.sha256("".join(f"{f.relpath}\0{f.sha256}\n" for f in files)
                          .encode("utf-8")).hexdigest()


def output_settings(project: Project, output: Output, backend: str) -> dict[str, Any]:
    """Everything in the spec that shapes ``output``, with solved timing, as JSON data."""
    spec, timing = project.spec, project.timing
    settings: dict[str, Any] = {
        "backend": backend,
        "frames": {"sort": spec.frames.sort, "every": spec.frames.every,
                   "capture_times": _capture_times(project, output)},
        "timing": {"fps": timing.fps, "duration": round(timing.duration, 6),
                   "hold": round(timing.hold, 9)},
        "look": spec.look,
        "overlays": overlays.settings(spec, output.name),
        "music": spec.music,
        "output": output,
    }
    if backend == "nemo":
        settings["cloud"] = spec.cloud
        settings["instructions"] = [i.text for i in render_instructions(project, output)]
    return plain(settings)


def _capture_times(project: Project, output: Output) -> str | None:
    # Timestamps are part of the picture only when the output shows them.
    if not overlays.uses_capture_times(project.spec, output.name):
        return None
    return digest([f.captured_at.isoformat() if f.captured_at else None for f in project.frames])


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": [1]}} -> {"a.b[0]": 1}: leaves keyed by document path."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out or {prefix: {}}
    if isinstance(value, list):
        out = {}
        for i, item in enumerate(value):
            out.update(flatten(item, f"{prefix}[{i}]"))
        return out or {prefix: []}
    return {prefix: value}


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Changed settings, named as the spec's keys (``overlays.titles[0].size``)."""
    a, b = flatten(old), flatten(new)
    changed = (k for k in a.keys() | b.keys() if a.get(k, _MISSING) != b.get(k, _MISSING))
    return sorted({_spec_key(k) for k in changed})


def _spec_key(setting: str) -> str:
    # Text styles are nested in the model but written flat in lapse.yaml; an output's width
    # and height come from its `size`.
    key = setting.replace(".style.", ".")
    return re.sub(r"^output\.(width|height)$", "output.size", key)


def changed_files(old: Mapping[str, str], files: list[InputFile]) -> list[str]:
    """Describe how ``files`` differ from the lock's record of inputs."""
    current = {f.relpath: f.sha256 for f in files}
    relevant_old = {k: v for k, v in old.items() if k in current or _looks_like_frame(k, files)}
    added = [k for k in current if k not in relevant_old]
    removed = [k for k in relevant_old if k not in current]
    modified = [k for k in current if k in relevant_old and relevant_old[k] != current[k]]
    return ([f"{k} (modified)" for k in modified] + [f"{k} (new)" for k in added]
            + [f"{k} (removed)" for k in removed])


def _looks_like_frame(relpath: str, files: list[InputFile]) -> bool:
    # A removed photo is one from a folder the output still reads photos from.
    folder = relpath.rsplit("/", 1)[0] if "/" in relpath else ""
    return any((f.relpath.rsplit("/", 1)[0] if "/" in f.relpath else "") == folder for f in files)


_MISSING = object()
