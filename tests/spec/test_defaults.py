"""The schema is the one source of defaults: model, normalizer and schema agree.

Forward: for every schema property with a default, a minimal lapse.yaml normalizes to that value
at the corresponding model field. Reverse: every dataclass field default in ``spec/model.py`` is
read from the schema, or is listed below with the reason it is not.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
from collections.abc import Callable
from typing import Any

import pytest

from lapsefile import units
from lapsefile.looks.deflicker import Deflicker
from lapsefile.looks.exposure import Exposure
from lapsefile.looks.stabilize import Stabilize
from lapsefile.spec import load_spec, model
from lapsefile.spec.defaults import WHEN_TRUE, SchemaDefault, default, defaults, when_true
from lapsefile.spec.model import (
    PRESET_HEIGHTS,
    Cloud,
    Frames,
    Logo,
    Look,
    Music,
    Output,
    Render,
    Spec,
    TextStyle,
    Timestamp,
    TimingRequest,
    Title,
    look_names,
    text_style,
)
from lapsefile.spec.normalize import preset_dimensions
from lapsefile.spec.schema_file import path_text, walk_properties

from .conftest import MakeSpec

MINIMAL = "version: 1\nframes: photos/*.jpg\noutputs:\n  - path: out.mp4\n"
# Every optional section present with only its required keys, so its own defaults apply.
SECTIONS = """\
version: 1
frames: {include: photos/*.jpg}
look: {deflicker: {}, stabilize: {}, exposure: {}}
overlays:
  titles: [{text: Hi}]
  timestamp: {}
  logo: {file: logo.png}
music: {file: song.mp3}
motion: {to: {}}
cloud: {}
outputs:
  - path: out.mp4
"""
FILES = ("logo.png", "song.mp3")
# Defaults that live inside a section MINIMAL leaves out are read from SECTIONS.
IN_SECTIONS = ("look.deflicker.", "look.stabilize.", "look.exposure.", "overlays.titles[].",
               "overlays.timestamp.", "overlays.logo.", "music.", "motion.")

# Schema paths whose model field has another name or shape. Every other path maps by name:
# "overlays." is dropped (Spec has titles, timestamp, logo), "[]" is the first item, and a text
# overlay's style keys are under `.style`.
FIELD_OF: dict[str, Callable[[Spec], Any]] = {
    "outputs[].size": lambda spec: _preset(spec.outputs[0]),  # resolved to width and height
    # `from` is a Python keyword: the field is `from_`; a center is a tuple in the model
    "motion.from.zoom": lambda spec: spec.motion.from_.zoom,
    "motion.from.center": lambda spec: list(spec.motion.from_.center),
    "motion.to.center": lambda spec: list(spec.motion.to.center),
    # `fade` is a shorthand for both fades: it has no field of its own
    "overlays.titles[].fade": lambda spec: _same(spec.titles[0].fade_in, spec.titles[0].fade_out),
    "music.fade": lambda spec: spec.music and _same(spec.music.fade_in, spec.music.fade_out),
    "overlays.titles": lambda spec: list(spec.titles),
}

# Reverse direction: model fields whose default is not read from the schema, and why.
# Optional keys: not written means None (or nothing), and the schema gives no default.
OPTIONAL: dict[str, str] = {
    "Frames.exclude": "frames.exclude",
    "TimingRequest.fps": "timing.fps",
    "TimingRequest.duration": "timing.duration",
    "TimingRequest.hold": "timing.hold",
    "TimingRequest.speedup": "timing.speedup",
    "TimingRequest.interval": "timing.interval",
    "Title.end": "overlays.titles[].end",
    "Title.outputs": "overlays.titles[].outputs",
    "TextStyle.font": "overlays.titles[].font",
    "Timestamp.outputs": "overlays.timestamp.outputs",
    "Logo.outputs": "overlays.logo.outputs",
    "Cloud.templates": "cloud.templates",
    "Spec.motion": "motion",
    "Output.poster": "outputs[].poster",
    "Output.timing": "outputs[].timing",
}
# The schema's value, spelled otherwise in the model.
SPELLED: dict[str, tuple[str, Any, Any]] = {}
# Built from the schema's defaults by a factory (checked against the normalizer below).
BUILT: dict[str, Callable[[], Any]] = {
    "Title.style": lambda: text_style("overlays.titles[]"),
    "Timestamp.style": lambda: text_style("overlays.timestamp"),
    "Spec.cloud": Cloud,
    "Spec.render": Render,
    "View.center": lambda: tuple(default("motion.from.center")),  # hashable
}
# Not set from lapse.yaml at all.
NOT_USER_FACING: dict[str, str] = {
    "TextStyle.position": "a bare TextStyle is made by code only; overlays get text_style()",
    "TextStyle.size": "as TextStyle.position",
    "Spec.locations": "diagnostics",
    "Spec.raw": "the document as written",
    "Poster.share": "how `poster` is written: a percentage of the length, or a time",
}

WITH_DEFAULTS = [p for p in walk_properties() if "default" in p.schema]
IDS = [path_text(p.path) for p in WITH_DEFAULTS]


def _same(first: float, second: float) -> float | None:
    return first if first == second else None


def _preset(output: Output) -> str | None:
    """The preset size an output was made from (at its aspect), if any."""
    return next((preset for preset in PRESET_HEIGHTS if preset_dimensions(preset, output.aspect)
                 == (output.width, output.height)), None)


def _in_model_units(node: dict[str, Any], value: Any) -> Any:
    """Written independently of lapsefile.spec.defaults, so the test checks it too."""
    if isinstance(value, str) and value.endswith("%"):
        return units.parse_fraction(value, maximum=10.0)
    if isinstance(value, str) and "duration" in str(node.get("title", "")):
        return units.parse_duration(value)
    return value


def _model_value(spec: Spec, path: str) -> Any:
    if path in FIELD_OF:
        return FIELD_OF[path](spec)
    style_keys = {f.name for f in dataclasses.fields(TextStyle)}
    value: Any = spec
    for part in path.replace("[]", ".[]").split("."):
        if part == "overlays":
            continue
        if part == "[]":
            value = value[0]
            continue
        if isinstance(value, (Title, Timestamp)) and part in style_keys:
            value = value.style
        value = getattr(value, part)
    return value


@pytest.fixture
def specs(make_spec: MakeSpec) -> dict[str, Spec]:
    return {"minimal": load_spec(make_spec(MINIMAL, name="minimal.yaml")),
            "sections": load_spec(make_spec(SECTIONS, files=FILES, name="sections.yaml"))}


@pytest.mark.parametrize("prop", WITH_DEFAULTS, ids=IDS)
def test_normalized_minimal_spec_has_each_schema_default(prop: Any,
                                                        specs: dict[str, Spec]) -> None:
    path = path_text(prop.path)
    spec = specs["sections" if path.startswith(IN_SECTIONS) else "minimal"]
    expected = _in_model_units(prop.schema, prop.schema["default"])
    if prop.path[0] == "look" and len(prop.path) == 2:
        assert prop.path[1] in look_names()
        assert prop.path[1] not in spec.look, f"{path} at its default must be off (absent)"
    else:
        assert _model_value(spec, path) == expected, path
    assert default(path) == expected, path


def test_every_default_is_reached() -> None:
    """Nothing in the schema's defaults is left out of the walk above."""
    assert set(defaults()) == set(IDS) and len(IDS) >= 40


def test_box_true_means_the_schema_colour(make_spec: MakeSpec) -> None:
    for overlay in ("overlays.titles[]", "overlays.timestamp"):
        node = next(p.schema for p in walk_properties() if path_text(p.path) == f"{overlay}.box")
        assert f"true ({node[WHEN_TRUE]})" in node["description"]  # the README shows it
        assert when_true(f"{overlay}.box") == node[WHEN_TRUE]
    spec = load_spec(make_spec("version: 1\nframes: p/*.jpg\noverlays:\n  titles:\n"
                               "    - {text: Hi, box: true}\n  timestamp: {box: true}\n"
                               "outputs:\n  - path: o.mp4\n"))
    assert spec.titles[0].style.box_color == when_true("overlays.titles[].box")
    assert spec.timestamp is not None
    assert spec.timestamp.style.box_color == when_true("overlays.timestamp.box")


def test_model_made_without_arguments_equals_the_normalized_minimal_sections(
        specs: dict[str, Spec]) -> None:
    """Covers the factories in BUILT, and the shorthand `deflicker: true`."""
    minimal, sections = specs["minimal"], specs["sections"]
    assert minimal.frames == Frames(include=("photos/*.jpg",))
    assert minimal.timing == TimingRequest()
    assert minimal.look == Look()
    assert minimal.cloud == Cloud() and sections.cloud == Cloud()
    assert sections.look == Look(deflicker=Deflicker(), stabilize=Stabilize(),
                                 exposure=Exposure())
    assert sections.titles == (Title(text="Hi"),)
    assert sections.timestamp == Timestamp()
    assert sections.logo == Logo(file="logo.png")
    assert sections.music == Music(file="song.mp3")
    assert TextStyle().color == sections.titles[0].style.color
    assert (TextStyle().box, TextStyle().box_color, TextStyle().margin) == (
        sections.titles[0].style.box, sections.titles[0].style.box_color,
        sections.titles[0].style.margin)


def _model_fields() -> list[tuple[str, dataclasses.Field[Any]]]:
    """Fields with defaults of the model's dataclasses and of each look option's."""
    modules = [model, *(importlib.import_module(f"lapsefile.looks.{name}")
                        for name in look_names())]
    classes = [cls for module in modules for _, cls in inspect.getmembers(module, inspect.isclass)
               if dataclasses.is_dataclass(cls) and cls.__module__ == module.__name__]
    assert len(classes) >= 11
    return [(f"{cls.__name__}.{f.name}", f) for cls in classes for f in dataclasses.fields(cls)
            if f.default is not dataclasses.MISSING
            or f.default_factory is not dataclasses.MISSING]


def test_every_model_default_comes_from_the_schema_or_is_listed() -> None:
    listed = {**OPTIONAL, **SPELLED, **BUILT, **NOT_USER_FACING}
    properties = {path_text(p.path): p.schema for p in walk_properties()}
    seen = set()
    for name, field in _model_fields():
        seen.add(name)
        factory = field.default_factory
        if isinstance(factory, SchemaDefault):
            assert name not in listed, f"{name} reads the schema: take it off the list"
            assert factory.path in properties, f"{name}: no {factory.path} in the schema"
            assert factory.keyword in properties[factory.path], f"{name}: {factory!r}"
            continue
        assert name in listed, (f"{name} has a default written in model.py: read it from the "
                                f"schema (_schema(...)) or list it in this test with a reason")
        if name in OPTIONAL:
            node = properties[OPTIONAL[name]]
            assert "default" not in node, f"{name}: the schema has a default; use _schema()"
            assert field.default in (None, ()), name
        elif name in SPELLED:
            path, written, spelled = SPELLED[name]
            assert (properties[path]["default"], field.default) == (written, spelled), name
        elif name in BUILT:
            assert field.default_factory is not dataclasses.MISSING
            assert field.default_factory() == BUILT[name](), name
    assert set(listed) <= seen, f"stale entries: {set(listed) - seen}"
