"""The schema as editors and strict validators see it: a stable address, a SchemaStore catalog
entry, ``${VAR}`` accepted wherever lapsefile takes one, and ajv's strict mode."""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from lapsefile.errors import LapsefileError, SpecError
from lapsefile.spec import load_spec, schema, schema_text
from lapsefile.spec.defaults import WHEN_TRUE
from lapsefile.spec.formats import DEFAULT_BY_CONTAINER
from lapsefile.spec.schema_file import (
    ENV_DEF,
    path_text,
    published_schema,
    schema_id,
    walk_properties,
)

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "schemas"
SCHEMA = SCHEMAS / "lapse.schema.json"
CATALOG_ENTRY = SCHEMAS / "schemastore-catalog-entry.json"
ANNOTATIONS = SCHEMAS / "ajv-annotations.cjs"

# A spec an editor flagged before the schema took ${VAR}: valid to lapsefile with FPS and
# BLEND set (or FPS unset, for its default).
ENV_SPEC = """version: 1
frames: photos/*.jpg
timing:
  fps: ${FPS:-24}
  duration: ${LENGTH:-30s}
look:
  blend: ${BLEND}
  deflicker: ${DEFLICKER:-true}
overlays:
  titles:
    - text: Sunset
      position: ${TITLE_AT:-bottom}
      size: ${TITLE_SIZE:-6%}
outputs:
  - path: out/${NAME:-sunset}.mp4
    size: ${SIZE:-720p}
    quality: ${QUALITY:-draft}
    allow_outside: ${OUTSIDE:-false}
"""

# JSON Schema 2020-12's keywords, every vocabulary (core, applicator, unevaluated, validation,
# meta-data, format, content): what ajv's strict mode knows without being told.
KEYWORDS_2020_12 = frozenset("""
$schema $id $ref $defs $comment $anchor $dynamicRef $dynamicAnchor $vocabulary
allOf anyOf oneOf not if then else dependentSchemas prefixItems items contains properties
patternProperties additionalProperties propertyNames unevaluatedItems unevaluatedProperties
type const enum multipleOf maximum exclusiveMaximum minimum exclusiveMinimum maxLength
minLength pattern maxItems minItems uniqueItems maxContains minContains maxProperties
minProperties required dependentRequired title description default deprecated readOnly
writeOnly examples format contentEncoding contentMediaType contentSchema""".split())
# Keywords that apply to one JSON type only: ajv's strictTypes wants that type stated.
TYPED_KEYWORDS = {
    "minimum": "number", "maximum": "number", "exclusiveMinimum": "number",
    "exclusiveMaximum": "number", "multipleOf": "number", "minLength": "string",
    "maxLength": "string", "pattern": "string", "items": "array", "minItems": "array",
    "maxItems": "array", "uniqueItems": "array", "properties": "object",
    "additionalProperties": "object", "required": "object", "minProperties": "object",
    "dependentSchemas": "object",
}
SCHEMA_MAPS = ("properties", "$defs", "dependentSchemas", "patternProperties")
SCHEMA_LISTS = ("anyOf", "allOf", "oneOf", "prefixItems")
SCHEMA_VALUES = ("items", "additionalProperties", "not", "if", "then", "else", "contains",
                 "propertyNames")


def _subschemas(node: dict[str, Any], where: str = "#",
                parent: dict[str, Any] | None = None
                ) -> Iterator[tuple[str, dict[str, Any], dict[str, Any] | None]]:
    """Every schema object in ``node`` (not the property names around them), with its parent."""
    yield where, node, parent
    for key, value in node.items():
        if key in SCHEMA_MAPS:
            for name, sub in value.items():
                if isinstance(sub, dict):
                    yield from _subschemas(sub, f"{where}/{key}/{name}", node)
        elif key in SCHEMA_LISTS:
            for index, sub in enumerate(value):
                yield from _subschemas(sub, f"{where}/{key}/{index}", node)
        elif key in SCHEMA_VALUES and isinstance(value, dict):
            yield from _subschemas(value, f"{where}/{key}", node)


def _types(node: dict[str, Any], defs: dict[str, Any]) -> set[str]:
    """The JSON types ``node`` admits, through $refs and anyOf branches."""
    if "$ref" in node:
        return _types(defs[node["$ref"].removeprefix("#/$defs/")], defs)
    if "enum" in node or "const" in node:
        values = node.get("enum", [node.get("const")])
        return {"boolean" if isinstance(v, bool) else "number" if isinstance(v, (int, float))
                else "string" for v in values}
    if "anyOf" in node:
        return set().union(*(_types(branch, defs) for branch in node["anyOf"]))
    declared = node.get("type", [])
    return {"number" if t == "integer" else t
            for t in ([declared] if isinstance(declared, str) else declared)}


def _published_properties(node: dict[str, Any], defs: dict[str, Any], prefix: tuple[str, ...] = ()
                          ) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    """Every property of the published schema with its own subschema (as written)."""
    if "$ref" in node:
        node = defs[node["$ref"].removeprefix("#/$defs/")]
    for name, sub in node.get("properties", {}).items():
        if isinstance(sub, dict):
            yield prefix + (name,), sub
            yield from _published_children(sub, defs, prefix + (name,))


def _published_children(node: dict[str, Any], defs: dict[str, Any], prefix: tuple[str, ...]
                        ) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    if "$ref" in node:
        node = defs[node["$ref"].removeprefix("#/$defs/")]
    for branch in node.get("anyOf", []):
        yield from _published_children(branch, defs, prefix)
    yield from _published_properties(node, defs, prefix)
    if isinstance(node.get("items"), dict):
        yield from _published_children(node["items"], defs, prefix + ("[]",))


def _check_jsonschema(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


# --- the address and the catalog entry ---


def test_schema_id_is_a_stable_https_address() -> None:
    assert schema_id() == published_schema()["$id"] == schema()["$id"]
    assert schema_id().startswith("https://") and schema_id().endswith(".json")
    assert "lapsefile" in schema_id()


def test_catalog_entry_points_at_the_schema_for_lapse_yaml() -> None:
    entry = json.loads(CATALOG_ENTRY.read_text(encoding="utf-8"))
    assert set(entry) == {"name", "description", "fileMatch", "url"}
    assert entry["url"] == schema_id()
    assert entry["fileMatch"] == ["lapse.yaml", "lapse.yml"]
    assert entry["name"] and len(entry["description"]) > 20
    for name in ("lapse.yaml", "lapse.yml"):  # lapsefile's default spec name and its variant
        assert any(fnmatch.fnmatch(name, pattern) for pattern in entry["fileMatch"]), name
    for name in ("lapse.json", "other.yaml", "lapse.yaml.bak"):
        assert not any(fnmatch.fnmatch(name, pattern) for pattern in entry["fileMatch"]), name


def test_the_shipped_schema_is_the_published_one() -> None:
    """`lapsefile schema` and the package print what editors are given: ${VAR} included."""
    assert json.loads(schema_text()) == published_schema()
    assert ENV_DEF in published_schema()["$defs"] and ENV_DEF not in schema()["$defs"]


# --- ${VAR} wherever lapsefile takes it ---


def test_check_jsonschema_accepts_env_references(tmp_path: Path) -> None:
    spec = tmp_path / "lapse.yaml"
    spec.write_text(ENV_SPEC, encoding="utf-8")
    result = _check_jsonschema("--schemafile", SCHEMA, spec)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_jsonschema_still_rejects_what_is_wrong(tmp_path: Path) -> None:
    spec = tmp_path / "lapse.yaml"
    spec.write_text(ENV_SPEC.replace("${BLEND}", "banana").replace("${FPS:-24}", "FPS"),
                    encoding="utf-8")
    result = _check_jsonschema("--schemafile", SCHEMA, spec)
    assert result.returncode == 1
    assert "banana" in result.stdout and "'FPS'" in result.stdout


def test_lapsefile_reads_the_same_spec_with_its_variables(tmp_path: Path) -> None:
    spec = tmp_path / "lapse.yaml"
    spec.write_text(ENV_SPEC, encoding="utf-8")
    loaded = load_spec(spec, env={"BLEND": "3", "OUTSIDE": "false"})
    assert loaded.timing.fps == 24 and loaded.look.get("blend") == 3
    assert loaded.outputs[0].path == "out/sunset.mp4"
    with pytest.raises(LapsefileError, match="environment variable BLEND is not set"):
        load_spec(spec, env={})


@pytest.mark.parametrize("written", ['"$${FPS}"', '"${NOT_REPLACED"'])
def test_a_reference_left_as_text_is_still_an_error(tmp_path: Path, written: str) -> None:
    """lapsefile checks the replaced value without the editors' ${VAR} alternative."""
    spec = tmp_path / "lapse.yaml"
    spec.write_text(f"version: 1\nframes: p/*.jpg\ntiming:\n  fps: {written}\noutputs:\n"
                    "  - path: a.mp4\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec(spec, env={})
    messages = [d.message for d in caught.value.diagnostics]
    if written == '"$${FPS}"':
        assert messages == ["timing.fps must be a number, not the text '${FPS}'"]
    else:
        assert any("never closed" in m for m in messages), messages


def test_every_value_that_is_not_free_text_takes_a_reference() -> None:
    """A key added without the ${VAR} branch fails here (strict keys only, not free text)."""
    published = published_schema()
    defs = published["$defs"]
    strict = {path_text(p.path): p.schema for p in walk_properties()}
    mine = dict(_published_properties(published, defs))
    assert {path_text(path) for path in mine} == set(strict)
    scalar = {"string", "number", "boolean"}
    checked = 0
    for path, node in mine.items():
        name = path_text(path)
        if not _types(strict[name], schema()["$defs"]) & scalar:
            continue  # a mapping or list: a reference always stands for text or a scalar
        validator = Draft202012Validator({**node, "$defs": defs})
        for value in ("${LAPSE_VALUE}", "${LAPSE_VALUE:-1}", "out/${NAME}.mp4"):
            assert validator.is_valid(value), f"{name} refuses {value}"
        checked += 1
    assert checked >= 60


def test_env_reference_is_a_reference_not_any_text() -> None:
    validator = Draft202012Validator(published_schema()["$defs"][ENV_DEF])
    for good in ("${FPS}", "${FPS:-24}", "${A_1:-}", "x-${B}-y"):
        assert validator.is_valid(good), good
    for bad in ("24", "$FPS", "${}", "${1A}", "{FPS}", 24):
        assert not validator.is_valid(bad), bad


# --- ajv's strict mode ---


def test_no_type_unions() -> None:
    for where, node, _parent in _subschemas(published_schema()):
        assert not isinstance(node.get("type"), list), where


def test_only_known_keywords() -> None:
    """2020-12's own, and the x- annotations lapsefile reads (which ajv is told of)."""
    custom: set[str] = set()
    for where, node, _parent in _subschemas(published_schema()):
        unknown = set(node) - KEYWORDS_2020_12
        assert all(key.startswith("x-") for key in unknown), (where, unknown)
        custom |= unknown
    assert custom == {WHEN_TRUE, DEFAULT_BY_CONTAINER}


def test_type_specific_keywords_state_their_type() -> None:
    """ajv's strictTypes: `minimum` beside no `type: number` (here or in the parent) is refused."""
    for where, node, parent in _subschemas(published_schema()):
        stated = {t for n in (node, parent or {})
                  for t in ([n["type"]] if isinstance(n.get("type"), str) else n.get("type", []))}
        if "integer" in stated:
            stated.add("number")
        for keyword, needs in TYPED_KEYWORDS.items():
            if keyword in node and needs not in stated:
                pytest.fail(f"{where}: {keyword} without type {needs}")


def _ajv() -> str | None:
    return os.environ.get("LAPSEFILE_AJV") or shutil.which("ajv")


needs_ajv = pytest.mark.skipif(
    _ajv() is None, reason="ajv not found: `npm install ajv-cli@5` and put its ajv on PATH or "
    "in LAPSEFILE_AJV (the Python checks above hold the same rules)")


def _run_ajv(*args: str | Path) -> subprocess.CompletedProcess[str]:
    ajv = _ajv()
    assert ajv is not None
    return subprocess.run([ajv, "--spec=draft2020", "--strict=true", *map(str, args)],
                          capture_output=True, text=True, timeout=120, cwd=REPO)


@needs_ajv
def test_ajv_strict_compiles_the_schema() -> None:
    result = _run_ajv("compile", "-c", ANNOTATIONS, "-s", SCHEMA)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_ajv
def test_ajv_strict_is_strict_without_the_declared_annotations() -> None:
    result = _run_ajv("compile", "-s", SCHEMA)
    assert result.returncode != 0 and "unknown keyword" in result.stdout + result.stderr


@needs_ajv
def test_ajv_validates_a_spec_with_env_references(tmp_path: Path) -> None:
    spec = tmp_path / "lapse.yaml"
    spec.write_text(ENV_SPEC, encoding="utf-8")
    result = _run_ajv("validate", "-c", ANNOTATIONS, "-s", SCHEMA, "-d", spec)
    assert result.returncode == 0, result.stdout + result.stderr
    spec.write_text(ENV_SPEC.replace("${BLEND}", "banana"), encoding="utf-8")
    assert _run_ajv("validate", "-c", ANNOTATIONS, "-s", SCHEMA, "-d", spec).returncode != 0
