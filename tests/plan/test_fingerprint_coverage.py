"""Every field of the spec is in the fingerprints of the steps it shapes, or declared not to be.

The walk below reaches every field of every dataclass under ``Spec`` (through nested
dataclasses and tuples of them), changes it to another valid value and plans again, on both
built-in backends. A field that changes no step's fingerprint must be in
``plan/fingerprint.py``'s ``NOT_SHAPING`` (or ``NOT_SHAPING_ON[backend]``): otherwise a change
to it would leave outputs silently stale.
"""

from __future__ import annotations

import dataclasses
import shutil
import typing
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import lapsefile.engine
from lapsefile import looks
from lapsefile.lock.lockfile import Lock
from lapsefile.looks.deflicker import Deflicker
from lapsefile.plan.fingerprint import NOT_SHAPING, NOT_SHAPING_ON
from lapsefile.project.resolve import resolve_project
from lapsefile.spec.defaults import filled
from lapsefile.spec.model import (
    Cloud,
    Frames,
    Logo,
    Look,
    Motion,
    Music,
    Output,
    Poster,
    Spec,
    Timestamp,
    TimingRequest,
    Title,
    View,
    look_names,
    text_style,
)
from lapsefile.spec.schema_file import walk_properties

from ..support import make_plan, write_photo

Path_ = tuple[str | int, ...]  # attribute names and tuple indexes from the Spec down

# Changes that need a companion change to stay valid: path -> the changed spec.
_SPEC_CHANGES: dict[str, Callable[[Spec], Spec]] = {
    # Timing takes any two of fps, duration, hold and speedup: another one replaces speedup.
    "timing.duration": lambda s: dataclasses.replace(
        s, timing=dataclasses.replace(s.timing, duration=9.0, speedup=None)),
    "timing.hold": lambda s: dataclasses.replace(
        s, timing=dataclasses.replace(s.timing, hold=1.5, speedup=None)),
    # Holds are rendered into an uploaded clip (the cloud cannot hold photos sent one by one).
    "timing.hold_start": lambda s: dataclasses.replace(
        s, timing=dataclasses.replace(s.timing, hold_start=0.5), timestamp=None,
        cloud=dataclasses.replace(s.cloud, upload="clip")),
    "timing.hold_end": lambda s: dataclasses.replace(
        s, timing=dataclasses.replace(s.timing, hold_end=0.5), timestamp=None,
        cloud=dataclasses.replace(s.cloud, upload="clip")),
    # The other backend; nemo refuses a camera move (local-only), so it goes.
    "backend": lambda s: dataclasses.replace(
        s, backend="nemo" if s.backend == "local" else "local", motion=None),
    # One uploaded clip carries no capture times to stamp.
    "cloud.upload": lambda s: dataclasses.replace(
        s, timestamp=None, cloud=dataclasses.replace(s.cloud, upload="clip")),
}
# Values that must stay well formed (colours, files that exist, names): path -> new value.
_VALUES: dict[str, Any] = {
    "timing.interval": 60.0,  # a tiny interval would give each photo less than a frame
    "titles[].style.color": "red", "titles[].style.box_color": "blue@0.5",
    "timestamp.style.color": "red", "timestamp.style.box_color": "blue@0.5",
    "titles[].style.font": "fonts/other.ttf", "timestamp.style.font": "fonts/other.ttf",
    "timestamp.format": "%H:%M:%S", "logo.file": "other-logo.png", "music.file": "other.wav",
    "outputs[].name": "renamed", "outputs[].path": "out/renamed.mp4", "outputs[].aspect": "4:5",
    "cloud.templates": "wording",
    # views the zoom can reach (1.5 reaches 0.333 to 0.667)
    "motion.from_.zoom": 1.25, "motion.to.zoom": 2.0,
    "motion.from_.center": (0.45, 0.55), "motion.to.center": (0.4, 0.35),
    "outputs[].timing": TimingRequest(fps=10, duration=6.0),
    "outputs[].poster": Poster(1.0),
    "render.chunks": 3,  # 120 frames at 10 fps: six keyframe intervals, cut in three
}


def _project(root: Path) -> None:
    """Photos shot two minutes apart (EXIF), a logo, music, fonts and a templates folder."""
    start = datetime(2024, 6, 1, 18, 0)
    for i in range(1, 7):
        write_photo(root / "photos" / f"IMG_{i}.jpg", shade=i * 30,
                    when=start + timedelta(minutes=2 * i))
    for name in ("logo.png", "other-logo.png"):
        Image.new("RGBA", (8, 8), (255, 0, 0, 128)).save(root / name)
    for name in ("music.wav", "other.wav"):
        (root / name).write_bytes(b"RIFF")
    font = Path(lapsefile.engine.__file__).parent / "fonts" / "DejaVuSans.ttf"
    (root / "fonts").mkdir()
    for name in ("main.ttf", "other.ttf"):
        shutil.copy(font, root / "fonts" / name)
    (root / "wording").mkdir()


def _full_spec(root: Path, backend: str) -> Spec:
    """Every section set: titles, timestamp, logo, music, a look with deflicker, two outputs,
    cloud."""
    return Spec(
        path=root / "lapse.yaml", version=1,
        frames=Frames(include=("photos/*.jpg",), exclude=("photos/skip-*.jpg",)),
        timing=TimingRequest(fps=10, speedup=60.0),  # 120 s apart: 2 s each, 12 s in all
        look=Look(deflicker=Deflicker(5, "am"), blend=2),
        titles=(Title("Golden Hour", 0.5, 3.5, dataclasses.replace(
            text_style("overlays.titles[]"), font="fonts/main.ttf"), 0.5, 0.5,
            outputs=("main",)),),
        timestamp=Timestamp("%H:%M"),
        logo=Logo("logo.png"),
        music=Music("music.wav", volume=0.35, fade_in=0.5, fade_out=1.5),
        outputs=(Output("main", "out/main.mp4", 64, 36, "16:9"),
                 Output("square", "out/square.mp4", 36, 36, "1:1", quality="draft")),
        backend=backend,  # type: ignore[arg-type]
        cloud=Cloud(language="en", upload="frames"),
        # a camera move is local-only: nemo refuses it before planning
        motion=Motion(View(1.0, (0.5, 0.5)), View(1.5, (0.6, 0.4)), "ease-in-out")
        if backend == "local" else None,
    )


def _joined(path: Path_) -> str:
    out = ""
    for part in path:
        out += "[]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _fields(value: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any, Any]]:
    """(path, value, type) of every field under ``value``, dataclasses included as fields of
    their own (they may be set to None) before their own fields."""
    hints = typing.get_type_hints(type(value))
    for field in dataclasses.fields(value):
        item, here = getattr(value, field.name), (*path, field.name)
        if isinstance(item, Look):  # each option, on or off (lapsefile/looks/)
            for name in look_names():
                yield (*here, name), item.get(name), Look
            continue
        yield here, item, hints[field.name]
        if dataclasses.is_dataclass(item):
            yield from _fields(item, here)
        elif _is_section(item):
            for index, element in enumerate(item):
                yield from _fields(element, (*here, index))


def _is_section(value: Any) -> bool:
    return dataclasses.is_dataclass(value) or (
        isinstance(value, tuple) and bool(value) and dataclasses.is_dataclass(value[0]))


def _declared(key: str, backend: str) -> bool:
    tables = (NOT_SHAPING, NOT_SHAPING_ON.get(backend, {}))
    return any(key == d or key.startswith(f"{d}.") or key.startswith(f"{d}[")
               for table in tables for d in table)


def _alternative(key: str, value: Any, hint: Any) -> Any:
    """Another valid value of a field."""
    if key in _VALUES:
        return _VALUES[key]
    options = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) is typing.Literal:
        return next(a for a in options if a != value)
    if value is None:
        kinds = {typing.get_origin(a) or a for a in options}
        if kinds == {tuple}:  # an overlay's outputs: shown in one output only
            return ("main",)
        if kinds <= {float, int}:
            return 0.25
        raise AssertionError(f"{key}: teach this test a value for None")
    if isinstance(value, tuple):  # an overlay's outputs: every output
        return None
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 2  # sizes stay even
    if isinstance(value, float):
        return value / 2 if value else 0.25
    if isinstance(value, str):
        return f"{value} again"
    raise AssertionError(f"{key}: teach this test another value of {type(value).__name__}")


def _look_value(name: str, spec: Spec) -> Any:
    """Another value of look option ``name``, on: the first of the schema's examples that
    differs from the spec's."""
    node = next(p.schema for p in walk_properties() if p.path == ("look", name))
    for example in node.get("examples", []):
        value = looks.parse(name, filled(f"look.{name}", example))
        if value is not None and value != spec.look.get(name):
            return value
    raise AssertionError(f"look.{name}: the schema needs an example that turns it on")


def _replace_at(obj: Any, path: Path_, change: Callable[[Any], Any]) -> Any:
    """``obj`` with the value at ``path`` replaced by ``change(value)``."""
    if not path:
        return change(obj)
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        items = list(obj)
        items[head] = _replace_at(items[head], rest, change)
        return tuple(items)
    return dataclasses.replace(obj, **{head: _replace_at(getattr(obj, head), rest, change)})


def _variant(spec: Spec, path: Path_, key: str, hint: Any) -> Spec:
    """``spec`` with the field at ``path`` changed (an optional section: dropped)."""
    if key in _SPEC_CHANGES:
        return _SPEC_CHANGES[key](spec)
    if hint is Look:
        name = str(path[-1])
        return dataclasses.replace(spec, look=Look({**spec.look, name: _look_value(name, spec)}))
    return _replace_at(spec, path, lambda value: None if dataclasses.is_dataclass(value)
                       else _alternative(key, value, hint))


def _fingerprints(spec: Spec, lock: Lock) -> list[tuple[str, ...]]:
    """Each output's step fingerprints, by the output's position."""
    project, _warnings = resolve_project(spec)
    plan = make_plan(project, lock, {})
    return [tuple(s.fingerprint for s in plan.for_output(o.name)) for o in spec.outputs]


@pytest.mark.parametrize("backend", ["local", "nemo"])
def test_every_spec_field_is_fingerprinted_or_declared(tmp_path: Path, backend: str) -> None:
    _project(tmp_path)
    spec = _full_spec(tmp_path, backend)
    lock = Lock(tmp_path / "lapse.lock")
    base = _fingerprints(spec, lock)
    walked, missed = set(), []
    for path, value, hint in _fields(spec):
        key = _joined(path)
        walked.add(key)
        if _declared(key, backend):
            continue
        if _is_section(value) and type(None) not in typing.get_args(hint):
            continue  # always there (a section, a list of them): walked field by field
        after = _fingerprints(_variant(spec, path, key, hint), lock)
        # A field of one output must change that output's steps; any other field, some step.
        if path[0] == "outputs":
            changed = after[int(path[1])] != base[int(path[1])]
        else:
            changed = after != base
        if not changed:
            missed.append(key)
    assert not missed, (f"{backend}: changing these leaves every fingerprint as it was; hash them "
                        f"(plan/fingerprint.py) or declare them in NOT_SHAPING: {missed}")
    declared = set(NOT_SHAPING) | set(NOT_SHAPING_ON.get(backend, {}))
    assert declared <= walked, f"declared fields the spec does not have: {declared - walked}"
