"""The lapse.yaml reference, generated from the schema so the two never drift apart.

It describes each key's own form, as lapsefile checks it (:func:`.schema_file.schema`): the
``${VAR}`` alternative the published schema gives editors on every key is said once, in the
introduction, rather than on every key.

``python -m lapsefile.spec.reference`` prints it as Markdown (the README embeds it).
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from .schema_file import Property, describe, path_text, resolve, schema, walk_properties

_TYPE_NAMES = {"string": "string", "integer": "integer", "number": "number",
               "boolean": "boolean", "object": "mapping", "array": "list"}


def markdown(level: int = 1) -> str:
    """The whole reference: an introduction, then one section per property, in schema order.

    ``level`` is the heading level of the title, so the text can sit inside another document
    (the README embeds it at level 2)."""
    root = schema()
    h = "#" * level
    lines = [f"{h} lapse.yaml reference", "", str(root.get("description", "")), "",
             f"Format version: {root['properties']['version']['const']}. Generated from "
             f"`schemas/lapse.schema.json` (JSON Schema 2020-12); editors that read a "
             f"`# yaml-language-server: $schema=` line complete and check these keys (see "
             f"[Editors](#editors)), and take a `${{VAR}}` in any of them, as lapsefile does.",
             ""]
    for prop in walk_properties():
        if len(prop.path) == 1:
            lines += [f"{h}# `{prop.path[0]}`", ""]
        else:
            lines += [f"{h}## `{path_text(prop.path)}`", ""]
        lines += _section(prop)
    return "\n".join(lines).rstrip() + "\n"


def _section(prop: Property) -> list[str]:
    node = prop.schema
    lines = [str(node.get("description", "")), ""]
    facts = [f"- **Type:** {' or '.join(_types(node))}"]
    if prop.required:
        parent = path_text(prop.path[:-1])
        facts.append(f"- **Required**{f' in `{parent}`' if parent else ''}.")
    if "default" in node:
        facts.append(f"- **Default:** `{_inline(node['default'])}`")
    allowed = _allowed(node)
    if allowed:
        facts.append(f"- **Allowed values:** {allowed}")
    if "const" in node:
        facts.append(f"- **Must be:** `{_inline(node['const'])}`")
    accepts = describe(node)
    if not allowed and not accepts.startswith(("text", "a mapping", "true/false", "exactly")):
        facts.append(f"- **Accepts:** {accepts}")
    lines += facts + [""]
    examples = node.get("examples", [])
    if examples:
        key = prop.path[-1]
        snippets = "\n# or\n".join(_yaml({key: example}) for example in examples)
        lines += ["Example:" if len(examples) == 1 else "Examples:", "", "```yaml", snippets,
                  "```", ""]
    return lines


def _types(node: dict[str, Any]) -> list[str]:
    """The JSON types a property takes, through $refs and shorthand branches."""
    node = resolve(node)
    if "enum" in node:
        return sorted({_TYPE_NAMES.get(type(v).__name__.replace("str", "string"), "string")
                       for v in node["enum"]})
    if "anyOf" in node:
        found: list[str] = []
        for branch in node["anyOf"]:
            found += [t for t in _types(branch) if t not in found]
        return found
    types = node.get("type", [])
    names = [_TYPE_NAMES.get(t, t) for t in ([types] if isinstance(types, str) else types)]
    if "list" in names and isinstance(node.get("items"), dict):
        items = " or ".join(_types(node["items"]))
        names = [f"list of {items}" if n == "list" else n for n in names]
    return names or ["any"]


def _allowed(node: dict[str, Any]) -> str:
    node = resolve(node)
    if "enum" in node:
        return ", ".join(f"`{v}`" for v in node["enum"])
    values: list[str] = []
    for branch in node.get("anyOf", []):
        inner = _allowed(branch)
        if inner:
            values.append(inner)
    return ", ".join(values)


def _inline(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def _yaml(value: dict[str, Any]) -> str:
    """Block style, with short innermost lists and mappings on one line."""
    nested = any(isinstance(v, (dict, list)) for v in value.values())
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True,
                          default_flow_style=None if nested else False, width=100).rstrip()


if __name__ == "__main__":
    print(markdown(), end="")
