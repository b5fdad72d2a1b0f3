"""The shipped JSON Schema of lapse.yaml.

The single source of truth is ``schemas/lapse.schema.json`` at the top of the repository; the
package holds it as ``lapsefile/lapse.schema.json`` (a symlink in the source tree, a real file in
a wheel), so an installed lapsefile reads it through importlib.resources.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from .suggest import join_or, type_words

SCHEMA_NAME = "lapse.schema.json"
SUPPORTED_VERSION = 1


@lru_cache(maxsize=1)
def schema_text() -> str:
    """The schema file's text, exactly as shipped."""
    packaged = resources.files("lapsefile").joinpath(SCHEMA_NAME)
    try:
        return packaged.read_text(encoding="utf-8")
    except OSError:  # a source checkout whose symlink did not survive (e.g. a Windows clone)
        top_level = Path(__file__).resolve().parents[2] / "schemas" / SCHEMA_NAME
        return top_level.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_text())
    return loaded


def schema() -> dict[str, Any]:
    """The schema as data; a fresh copy, so callers may change it freely."""
    return copy.deepcopy(_schema())


@lru_cache(maxsize=1)
def validator() -> Draft202012Validator:
    return Draft202012Validator(_schema())


def resolve(subschema: dict[str, Any]) -> dict[str, Any]:
    """Follow a local ``$ref`` (``#/$defs/name``), merging the referring schema's own keywords."""
    ref = subschema.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
        return subschema
    target = _schema()["$defs"][ref.removeprefix("#/$defs/")]
    merged = {**resolve(target), **{k: v for k, v in subschema.items() if k != "$ref"}}
    return merged


def def_name(subschema: dict[str, Any]) -> str | None:
    """The ``$defs`` name of ``subschema`` when it is one of the shared definitions."""
    for name, definition in _schema()["$defs"].items():
        if definition is subschema or definition == subschema:
            return name
    return None


PropertyPath = tuple[str, ...]  # "[]" stands for "each item of the list"


@dataclass(frozen=True)
class Property:
    path: PropertyPath
    schema: dict[str, Any]  # resolved: a $ref's target merged with the property's own keywords
    required: bool


def walk_properties(node: dict[str, Any] | None = None, prefix: PropertyPath = ()
                    ) -> Iterator[Property]:
    """Every property the schema allows, depth first."""
    node = resolve(_schema() if node is None else node)
    required = set(node.get("required", []))
    for name, subschema in node.get("properties", {}).items():
        if not isinstance(subschema, dict):
            continue
        resolved = resolve(subschema)
        yield Property(prefix + (name,), resolved, name in required)
        yield from _children(resolved, prefix + (name,))


def _children(node: dict[str, Any], prefix: PropertyPath) -> Iterator[Property]:
    for branch in node.get("anyOf", []):
        yield from _children(resolve(branch), prefix)
    if "properties" in node:
        yield from walk_properties(node, prefix)
    if isinstance(node.get("items"), dict):
        yield from _children(resolve(node["items"]), prefix + ("[]",))


def path_text(path: PropertyPath) -> str:
    """``("outputs", "[]", "size")`` -> ``"outputs[].size"``."""
    return ".".join(path).replace(".[]", "[]")


def describe(subschema: dict[str, Any] | bool) -> str:
    """What a schema accepts, in words: ``"a whole number, at least 1"``."""
    if not isinstance(subschema, dict):
        return "nothing (this key is not allowed here)" if subschema is False else "anything"
    node = resolve(subschema)
    if "enum" in node:
        return "one of: " + ", ".join(str(value) for value in node["enum"])
    if "title" in node:
        return str(node["title"])
    if "const" in node:
        return f"exactly {node['const']}"
    if "anyOf" in node:
        return join_or([describe(branch) for branch in node["anyOf"]])
    words = type_words(node.get("type", []))
    if node.get("type") == "array" and isinstance(node.get("items"), dict):
        words = f"a list; each item: {describe(node['items'])}"
    limits = [f"{label} {node[key]}" for key, label in
              (("minimum", "at least"), ("exclusiveMinimum", "more than"),
               ("maximum", "at most"), ("exclusiveMaximum", "less than")) if key in node]
    return ", ".join([words] + limits) if words else "a value"
