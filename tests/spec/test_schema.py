"""The schema itself: valid 2020-12, strict everywhere, documented everywhere, shipped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from lapsefile.spec import schema, schema_text
from lapsefile.spec.schema_file import path_text, published_schema, walk_properties

REPO = Path(__file__).resolve().parents[2]
TOP_LEVEL = REPO / "schemas" / "lapse.schema.json"
PROPERTIES = list(walk_properties())


def _objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every subschema that describes a mapping."""
    if isinstance(node, dict):
        if node.get("type") == "object":
            yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value)


def test_schema_is_valid_2020_12() -> None:
    data = schema()
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert data["$id"]
    Draft202012Validator.check_schema(data)


def test_every_mapping_forbids_unknown_keys() -> None:
    objects = list(_objects(schema()))
    assert len(objects) >= 12
    for node in objects:
        assert node.get("additionalProperties") is False, node.get("title") or node


def test_property_walk_sees_the_whole_schema() -> None:
    paths = {path_text(p.path) for p in PROPERTIES}
    assert {"version", "frames.include", "timing.fps", "look.deflicker.mode",
            "overlays.titles[].fade_in", "overlays.logo.opacity", "music.fit",
            "outputs[].allow_outside", "cloud.proxy_max_edge"} <= paths
    assert len(paths) == len(PROPERTIES) >= 60


@pytest.mark.parametrize("prop", PROPERTIES, ids=[path_text(p.path) for p in PROPERTIES])
def test_every_property_is_documented_with_valid_examples(prop: Any) -> None:
    node = prop.schema
    assert len(str(node.get("description", ""))) > 15
    assert node.get("examples"), "no examples"
    checker = Draft202012Validator({**node, "$defs": schema()["$defs"]})
    for example in node["examples"]:
        assert not list(checker.iter_errors(example)), example
    if "default" in node:
        assert not list(checker.iter_errors(node["default"])), node["default"]


def test_enums_cover_the_model() -> None:
    from lapsefile.spec.model import ASPECTS, POSITIONS

    defs = schema()["$defs"]
    assert tuple(defs["position"]["enum"]) == POSITIONS
    assert defs["output"]["properties"]["aspect"]["enum"] == list(ASPECTS)


def test_shipped_schema_is_the_top_level_file() -> None:
    assert schema_text() == TOP_LEVEL.read_text(encoding="utf-8")
    assert json.loads(schema_text()) == published_schema()  # lapsefile checks with schema()
    packaged = REPO / "lapsefile" / "lapse.schema.json"
    if packaged.is_symlink():  # a source checkout: the package links to the single source
        assert packaged.resolve() == TOP_LEVEL.resolve()


def test_schema_returns_a_private_copy() -> None:
    first = schema()
    first["properties"].clear()
    assert schema()["properties"]
