"""What shapes an output, as plain data: hashed into fingerprints, stored in the lock, diffed
into "spec changed: overlays.titles[0].text" reasons."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .. import overlays
from ..backends import registry
from ..chunking import chunk_count
from ..project.model import InputFile, Project
from ..spec.model import Output

if TYPE_CHECKING:
    from .instructions import Instruction

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
    if isinstance(value, Mapping):  # the look: its options that are on
        return dict(value)
    raise TypeError(f"not JSON-able: {type(value).__name__}")


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()


def plain(value: Any) -> Any:
    """``value`` as JSON data (dataclasses to dicts, tuples to lists)."""
    return json.loads(canonical(value))


def output_files(project: Project, output: Output) -> list[InputFile]:
    """The inputs an output depends on, in a stable order: photos, then assets it uses."""
    return list(project.frames) + output_assets(project, output)


def output_inputs_digest(project: Project, output: Output) -> str:
    """The digest of ``output_files`` (each file's path and sha256), the photos read from
    their columns (``FrameFiles``: a re-plan served by the snapshot makes no object a photo)."""
    assets = output_assets(project, output)
    return _digest_of(project.frames.relpaths() + [a.relpath for a in assets],
                      project.frames.sha256s() + [a.sha256 for a in assets])


def output_assets(project: Project, output: Output) -> list[InputFile]:
    """The fonts, logo and music ``output`` shows, as the project read them."""
    used = overlays.reads(project.spec, output.name)
    return [project.assets[r] for r in used if r in project.assets]


def _digest_of(relpaths: list[str], sha256s: list[str]) -> str:
    # Not canonical JSON: at 10,000 photos plain joining is several times faster.
    return hashlib.sha256("".join(f"{r}\0{s}\n" for r, s in zip(relpaths, sha256s))
                          .encode("utf-8")).hexdigest()


# Spec fields that shape no output's pictures or sound, with why. Everything else in the spec
# is hashed: output_settings walks the Spec's fields, so a field added to the model is in every
# fingerprint unless it is declared here. Paths are the model's attributes, "[]" for any item
# of a tuple; a path covers everything under it. tests/plan/test_fingerprint_coverage.py checks
# both halves: every other field changes the fingerprints of the steps that use it.
NOT_SHAPING: Mapping[str, str] = {
    "path": "where the spec is; outputs and inputs are named relative to it",
    "version": "the spec format's version, checked when it is loaded",
    "frames.include": "source locations: the photos they select are hashed one by one "
                      "(inputs_digest)",
    "frames.exclude": "source locations, as frames.include",
    "locations": "where each key is written, for messages",
    "raw": "the document as written; its meaning is the normalized fields",
}

# Fields that shape outputs only on some backends: backend -> path -> why. A top-level field
# listed here is left out of that backend's settings; a deeper one stays in the settings (so a
# change is still named in the lock) but no step of that backend is fingerprinted by it.
NOT_SHAPING_ON: Mapping[str, Mapping[str, str]] = {
    "local": {"cloud": "settings of cloud sessions"},
    # A cloud step is fingerprinted by what its instruction states (cloud_steps.py), and the
    # service places overlays without our margins and styles the timestamp its own way.
    "nemo": {"render": "the service renders the export in one piece",
             "titles[].style.margin": "not stated in the title instruction",
             "timestamp.style.margin": "not stated in the timestamp instruction",
             "timestamp.style.box": "not stated in the timestamp instruction",
             "timestamp.style.box_color": "not stated in the timestamp instruction",
             "logo.margin": "not stated in the logo instruction",
             "motion": "refused before planning: a camera move is local-only (motion.py)",
             # spec/formats.py: anything else is refused before planning
             "outputs[].codec": "the export is always H.264",
             "outputs[].poster": "the export is the video alone"},
}

# Sections added after fingerprints were first kept: absent when None (off), so that projects
# that do not use them keep their fingerprints.
_ABSENT_WHEN_NONE = {"motion", "render"}
# Solved timing that follows from the hashed fields or from the photos (themselves hashed).
_DERIVED_TIMING = {"photo_count", "frame_count", "speedup", "interval"}
# Timing added after fingerprints were first kept: absent when 0, so that projects that do not
# use it keep their fingerprints (and their cloud sessions).
_UNSET_WHEN_ZERO = {"hold_start", "hold_end"}
# Digits kept of solved floats: the solver's float noise must not make outputs stale.
_TIMING_DIGITS = {"duration": 6, "hold": 9}

def output_settings(project: Project, output: Output, backend: str,
                    instructions: Sequence[Instruction] = ()) -> dict[str, Any]:
    """Everything in the spec that shapes ``output``, with solved timing, as JSON data; for a
    backend that sends instructions, also their texts as rendered (a template edit changes
    them).

    Each field of the Spec becomes a section, whole, unless :data:`NOT_SHAPING` says it shapes
    nothing; a few sections are seen per output (below) rather than as written."""
    spec = project.spec
    overlay_fields = {kind.setting for kind in overlays.KINDS}
    settings: dict[str, Any] = {}
    for spec_field in dataclasses.fields(spec):
        name = spec_field.name
        if name in NOT_SHAPING or name in NOT_SHAPING_ON.get(backend, {}):
            continue
        if name in overlay_fields:  # titles, timestamp, logo: those this output shows
            settings["overlays"] = overlays.settings(spec, output.name)
        elif name in _SECTIONS:
            section = _SECTIONS[name][1](project, output, backend)
            if section is not None or name not in _ABSENT_WHEN_NONE:
                settings[_SECTIONS[name][0]] = section
        elif not (name in _ABSENT_WHEN_NONE and getattr(spec, name) is None):
            settings[name] = getattr(spec, name)
    if registry.get(backend).instructed:
        settings["instructions"] = [i.text for i in instructions]
    return plain(settings)


def _frames(project: Project, output: Output, backend: str) -> dict[str, Any]:
    section = _without(plain(project.spec.frames), "frames")
    return {**section, "capture_times": _capture_times(project, output)}


def _timing(project: Project, output: Output, backend: str) -> dict[str, Any]:
    # The solved timing, not the request: "fps and duration" and "fps and hold" saying the same
    # thing make the same video.
    # This output's: its own timing, or the spec's.
    solved = plain(project.timing_for(output.name))
    return {k: round(v, _TIMING_DIGITS[k]) if k in _TIMING_DIGITS else v
            for k, v in solved.items() if k not in _DERIVED_TIMING
            and not (k in _UNSET_WHEN_ZERO and v == 0)}


def _output(project: Project, output: Output, backend: str) -> dict[str, Any]:
    # An output's own timing request is in the timing section, solved.
    return {k: v for k, v in plain(output).items() if k != "timing"}


def _without(section: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {k: v for k, v in section.items() if f"{prefix}.{k}" not in NOT_SHAPING}


def _render(project: Project, output: Output, backend: str) -> dict[str, Any] | None:
    """The chunks the output is cut into (``chunking.py``), only when it is cut: one chunk is
    the ordinary render, the same bytes, so outputs that are never cut keep their
    fingerprints. The planner hands the count to the backend in the step's params."""
    timing = project.timing_for(output.name)
    count = chunk_count(timing.frame_count, timing.fps, output.codec, project.spec.render.chunks)
    return {"chunks": count} if count > 1 else None


# Spec fields seen other than as written: field -> (settings key, how).
_Section = Callable[[Project, Output, str], Any]
_SECTIONS: Mapping[str, tuple[str, _Section]] = {
    "frames": ("frames", _frames),
    "timing": ("timing", _timing),
    "outputs": ("output", _output),  # only this one
    "backend": ("backend", lambda project, output, backend: backend),  # --backend wins
    "render": ("render", _render),
}


def _capture_times(project: Project, output: Output) -> str | None:
    # Timestamps are part of the picture only when the output shows them.
    if not overlays.uses_capture_times(project.spec, output.name):
        return None
    return digest([when.isoformat() if when else None
                   for when, _source in project.frames.captures()])


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
