"""The shipped JSON Schema of lapse.yaml.

The single source of truth is ``schemas/lapse.schema.json`` at the top of the repository; the
package holds it as ``lapsefile/lapse.schema.json`` (a symlink in the source tree, a real file in
a wheel), so an installed lapsefile reads it beside its modules (through importlib.resources
when the package is not plain files, e.g. zipped).

The file is the *published* schema, the one editors read (its ``$id`` is :func:`schema_id`): it
lets every key whose value is not free text also take a ``${VAR}`` reference
(``$defs/env_reference``, an ``anyOf`` branch beside the key's own form), because lapsefile
replaces references before it checks a spec. lapsefile checks the replaced values against
:func:`schema`, the same file without those branches, so ``fps: ${FPS:-24}`` is checked as
``24`` and a reference left unreplaced is still an error. Its type unions are written as
``anyOf`` of single types (ajv's strict mode refuses ``"type": [...]``) and read back here as
one ``type`` list, so lapsefile's checks and messages see the shape they were written for.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from .suggest import join_or, type_words

if TYPE_CHECKING:  # jsonschema is imported when a spec is validated, not to print the schema
    from jsonschema import Draft202012Validator

SCHEMA_NAME = "lapse.schema.json"
SUPPORTED_VERSION = 1
ENV_DEF = "env_reference"  # $defs name of the ${VAR} alternative (editors only)
ENV_BRANCH = {"$ref": f"#/$defs/{ENV_DEF}"}


@lru_cache(maxsize=1)
def schema_text() -> str:
    """The schema file's text, exactly as shipped."""
    # Read beside the package first: importlib.resources costs more to import than
    # `lapsefile schema` takes to run; it is the way for an install that is not plain files.
    try:
        return (Path(__file__).resolve().parents[1] / SCHEMA_NAME).read_text(encoding="utf-8")
    except OSError:
        pass
    from importlib import resources

    packaged = resources.files("lapsefile").joinpath(SCHEMA_NAME)
    try:
        return packaged.read_text(encoding="utf-8")
    except OSError:  # a source checkout whose symlink did not survive (e.g. a Windows clone)
        top_level = Path(__file__).resolve().parents[2] / "schemas" / SCHEMA_NAME
        return top_level.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _published() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_text())
    return loaded


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    checked = _without_env(_published())
    del checked["$defs"][ENV_DEF]
    return cast("dict[str, Any]", checked)


def schema() -> dict[str, Any]:
    """The schema lapsefile checks a spec against, once its ``${VAR}`` references are replaced
    (the published one without its ``${VAR}`` alternatives); a fresh copy, so callers may
    change it freely."""
    return copy.deepcopy(_schema())


def published_schema() -> dict[str, Any]:
    """The schema as shipped, for editors (``${VAR}`` accepted); a fresh copy."""
    return copy.deepcopy(_published())


def schema_id() -> str:
    """Where the published schema lives: its ``$id``, which an editor's
    ``# yaml-language-server: $schema=`` line and the SchemaStore catalog entry point at."""
    return str(_published()["$id"])


def _without_env(node: Any) -> Any:
    """``node`` with every ``anyOf`` branch that is a ``${VAR}`` reference taken out."""
    if isinstance(node, list):
        return [_without_env(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "anyOf" and ENV_BRANCH in value:
            rest = [_without_env(branch) for branch in value if branch != ENV_BRANCH]
            _merge_into(out, _one_schema(rest))
        else:
            out[key] = _without_env(value)
    return out


def _one_schema(branches: list[dict[str, Any]]) -> dict[str, Any]:
    """The branches left beside a ``${VAR}`` alternative, as one schema: a lone branch itself,
    single-type branches as one ``type`` list with each type's keywords (which apply to that
    type only, so the union means the same), anything else still an ``anyOf``."""
    if len(branches) == 1:
        return branches[0]
    simple = all(isinstance(b.get("type"), str) and "$ref" not in b and "anyOf" not in b
                 for b in branches)
    keywords = [key for b in branches for key in b if key != "type"]
    if not simple or len(keywords) != len(set(keywords)):
        return {"anyOf": branches}
    union: dict[str, Any] = {"type": [b["type"] for b in branches]}
    for branch in branches:
        union.update((key, value) for key, value in branch.items() if key != "type")
    return union


def _merge_into(target: dict[str, Any], keywords: dict[str, Any]) -> None:
    """Put an ``anyOf``'s replacement where the ``anyOf`` stood (the keyword order is kept, so
    errors come out in the order they always did); a keyword said twice is a schema bug."""
    clash = set(target) & set(keywords)
    if clash:
        raise ValueError(f"the schema says {sorted(clash)} both beside and inside an anyOf")
    target.update(keywords)


@lru_cache(maxsize=1)
def validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

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


class Property(NamedTuple):
    """A property the schema allows: its path, its schema (``$ref`` resolved) and whether
    its parent requires it."""

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
