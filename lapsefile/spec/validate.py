"""JSON Schema validation whose errors read like advice.

jsonschema reports what failed in schema terms ("is not valid under any of the given schemas");
this module turns each error into a :class:`Diagnostic` that names the place, says what was
expected in words taken from the schema, and suggests the nearest valid key or value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from .. import units
from ..errors import Diagnostic, Location
from .document import Document
from .paths import DocPath, dotted, nearest
from .schema_file import def_name, describe, path_text, resolve, validator, walk_properties
from .suggest import did_you_mean, type_words, value_words

if TYPE_CHECKING:  # annotations only; `validator()` imports jsonschema when it is used
    from jsonschema.exceptions import ValidationError

_PRESET_SIZES = ("720p", "1080p", "1440p", "4k")
_UNIT_PARSERS: dict[str, Callable[[Any], float]] = {
    "duration": units.parse_duration, "positive_duration": units.parse_duration,
    "fraction": units.parse_fraction, "speedup": units.parse_speedup}
_REQUIRED_HINTS = {
    "version": "add `version: 1` as the first line",
    "frames": "add the photos, for example `frames: \"photos/*.jpg\"`",
    "outputs": "add an output, for example:\noutputs:\n  - path: out/timelapse.mp4",
}


@dataclass(frozen=True)
class _Context:
    document: Document
    data: Any

    def value_at(self, path: DocPath) -> Location | None:
        return nearest(self.document.values, path)

    def key_at(self, path: DocPath) -> Location | None:
        return self.document.keys.get(path) or self.value_at(path)


def check_schema(data: Any, document: Document, skip: Collection[DocPath] = ()
                 ) -> tuple[list[Diagnostic], set[DocPath]]:
    """Every schema error in ``data`` as a diagnostic, and the document paths they are at.

    Errors at ``skip`` paths are dropped: those values were already reported (an unset
    environment variable) and checking what is left of them would only repeat the news.
    """
    context = _Context(document, data)
    found: dict[tuple[str, str], Diagnostic] = {}
    broken: set[DocPath] = set()
    skipped = {dotted(p) for p in skip}
    # A wrong type says it all: other complaints about the same value would be noise.
    errors = sorted(validator().iter_errors(data), key=lambda e: e.validator != "type")
    mistyped: set[str] = set()
    for error in errors:
        for path, diagnostic in _diagnose(error, context):
            if error.validator == "type":
                mistyped.add(diagnostic.path)
            elif diagnostic.path in mistyped:
                continue
            if diagnostic.path not in skipped:
                if path is not None:
                    broken.add(path)
                found.setdefault((diagnostic.path, diagnostic.message), diagnostic)
    return sorted(found.values(), key=Diagnostic.sort_key), broken


# jsonschema types an error's schema, instance and keyword value as possibly unset (and the
# schema as possibly a bare boolean): an error from iter_errors always has all three, and the
# keywords handled below (anyOf, additionalProperties, required, pattern, ...) only ever sit
# in a schema object.
def _schema(error: ValidationError) -> dict[str, Any]:
    return cast("dict[str, Any]", error.schema)


def _instance(error: ValidationError) -> Any:
    return cast(Any, error.instance)


def _keyword_value(error: ValidationError) -> Any:
    return cast(Any, error.validator_value)


# The path a problem makes unusable, or None when the value around it can still be used
# (an unknown key is only ignored).
Finding = tuple[DocPath | None, Diagnostic]


def _diagnose(error: ValidationError, context: _Context) -> list[Finding]:
    if error.validator in ("anyOf", "oneOf"):
        return _best_branch(error, context)
    if error.validator == "additionalProperties":
        return _unknown_keys(error, context)
    if error.validator == "required":
        return _missing_keys(error, context)
    if error.validator is None and "dependentSchemas" in error.schema_path:
        return _conflicting_keys(error, context)
    path = tuple(error.absolute_path)
    handler = _HANDLERS.get(str(error.validator), _fallback)
    message, hint = handler(error, _name(path))
    if error.validator == "type" and path[-1:] == ("size",) and path[:1] == ("outputs",):
        message, hint = _misread_size(context.document.written.get(path), message, hint)
    expected = describe(error.schema) if isinstance(error.schema, dict) else None
    return [(path, Diagnostic(message, path=dotted(path), location=context.value_at(path),
                              expected=expected, hint=hint))]


def _best_branch(error: ValidationError, context: _Context) -> list[Finding]:
    """Report the shorthand the user evidently meant, not "none of the forms matched".

    A branch whose type matches the value is the intended one; among several, the one whose
    errors reach deepest into the value got furthest.
    """
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context or []:
        branches.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
    viable = [errors for errors in branches.values()
              if not any(e.validator == "type" and not e.relative_path for e in errors)]
    if viable:
        best = max(viable, key=lambda errors: (max(len(e.absolute_path) for e in errors),
                                               -len(errors)))
        return [d for sub in best for d in _diagnose(sub, context)]
    path = tuple(error.absolute_path)
    message = f"{_name(path)} cannot be {value_words(error.instance)}"
    return [(path, Diagnostic(message, path=dotted(path), location=context.value_at(path),
                              expected=describe(_schema(error)),
                              hint=_empty_hint(error.instance)))]


def _unknown_keys(error: ValidationError, context: _Context) -> list[Finding]:
    path = tuple(error.absolute_path)
    allowed = list(_schema(error).get("properties", {}))
    where = f" in {dotted(path)}" if path else ""
    diagnostics: list[Finding] = []
    for key in _instance(error):
        if key in allowed:
            continue
        hint = did_you_mean(key, allowed) or _belongs_elsewhere(key, path)
        diagnostics.append((None, Diagnostic(
            f"unknown key '{key}'{where}", path=dotted(path + (key,)),
            location=context.key_at(path + (key,)),
            expected="one of: " + ", ".join(allowed), hint=hint)))
    return diagnostics


def _belongs_elsewhere(key: str, path: DocPath) -> str | None:
    here = path_text(tuple("[]" if isinstance(p, int) else p for p in path))
    homes = list(dict.fromkeys(path_text(parent) for parent in _property_parents(key)
                               if path_text(parent) != here))
    if not homes:
        return None
    return f"'{key}' belongs under {' or '.join(homes[:3])}"


def _property_parents(key: str) -> list[tuple[str, ...]]:
    return [prop.path[:-1] for prop in walk_properties()
            if prop.path[-1] == key and len(prop.path) > 1]


def _missing_keys(error: ValidationError, context: _Context) -> list[Finding]:
    path = tuple(error.absolute_path)
    properties = _schema(error).get("properties", {})
    instance = _instance(error)
    where = f" in {dotted(path)}" if path else ""
    return [(path + (key,), Diagnostic(
        f"missing required key '{key}'{where}", path=dotted(path + (key,)),
        location=context.value_at(path), expected=describe(properties.get(key, {})),
        hint=_REQUIRED_HINTS.get(key) if not path else None))
        for key in _keyword_value(error) if key not in instance]


def _conflicting_keys(error: ValidationError, context: _Context) -> list[Finding]:
    path = tuple(error.absolute_path)
    # absolute_schema_path, not schema_path: inside a shorthand's oneOf branch the relative
    # path starts at the branch, and following it from the root would walk the wrong nodes.
    schema_path = list(error.absolute_schema_path)
    trigger = schema_path[len(schema_path) - 1 - schema_path[::-1].index("dependentSchemas") + 1]
    owner = _get(context.data, path)
    dependent = _follow(validator().schema, schema_path[:-1])
    clashes = [key for key, sub in dependent.get("properties", {}).items()
               if sub is False and isinstance(owner, dict) and key in owner]
    return [(path + (key,), Diagnostic(
        f"'{key}' cannot be used together with '{trigger}'", path=dotted(path + (key,)),
        location=context.key_at(path + (key,)),
        hint=f"'{trigger}' sets both ends: use '{trigger}' alone, or only fade_in and fade_out"))
        for key in clashes]


def _follow(node: Any, keys: list[Any]) -> dict[str, Any]:
    for key in keys:
        node = resolve(node)[key] if isinstance(node, dict) else node[key]
    return node if isinstance(node, dict) else {}


def _get(data: Any, path: DocPath) -> Any:
    for key in path:
        data = data[key]
    return data


def _name(path: DocPath) -> str:
    return dotted(path) or "the document"


def _empty_hint(instance: Any) -> str | None:
    return "give it a value, or remove the key" if instance is None else None


def _type(error: ValidationError, name: str) -> tuple[str, str | None]:
    expected = type_words(_keyword_value(error))
    hint = _empty_hint(error.instance)
    if name.endswith("size") and isinstance(error.instance, int):
        hint = did_you_mean(f"{error.instance}p", _PRESET_SIZES)
    elif isinstance(error.instance, str) and "number" in expected \
            and _looks_numeric(error.instance):
        hint = "write the number without quotes"
    if error.instance is None:
        return f"{name} is empty", hint
    return f"{name} must be {expected}, not {value_words(error.instance)}", hint


def _misread_size(written: str | None, message: str, hint: str | None
                  ) -> tuple[str, str | None]:
    """``size: 0x10`` is the hexadecimal number 16 to YAML; say so, and how to write it."""
    if written is None or not re.fullmatch(r"0[xX][0-9a-fA-F_]+", written):
        return message, hint
    number = int(written.replace("_", ""), 16)
    return (f"{written} was read as the number {number} (YAML reads 0x... as a hexadecimal "
            "number), not as a size", f"write sizes like \"1920x1080\" in quotes: "
            f"size: \"{written.lower()}\" is read as a size")


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _enum(error: ValidationError, name: str) -> tuple[str, str | None]:
    options = _keyword_value(error)
    return (f"{error.instance!r} is not an allowed value for {name}",
            did_you_mean(error.instance, options))


def _pattern(error: ValidationError, name: str) -> tuple[str, str | None]:
    kind = def_name(_schema(error))
    value = _instance(error)
    if kind in _UNIT_PARSERS:
        return _unit_problem(kind, value, name)
    if name.endswith(".size"):
        fixed = re.sub(r"\s*[*×X,]\s*", "x", value)
        guess = fixed if re.match(_keyword_value(error), fixed) else None
        hint = f"did you mean '{guess}'?" if guess else did_you_mean(value, _PRESET_SIZES, 0.5)
        return f"{value!r} is not a size", hint
    if name.endswith(".path"):
        stem = re.sub(r"\.[A-Za-z0-9]{1,4}$", "", value)
        return (f"{value!r} does not end in .mp4, .mov, .webm or .gif",
                f"the extension chooses the format: name it '{stem}.mp4' to share, .mov to "
                f"edit, .webm for the web, .gif for a silent loop")
    if kind == "colour":
        return f"{value!r} is not a colour", "write a colour name such as white, or #RRGGBB"
    if kind == "output_name":
        return (f"{value!r} is not a valid output name",
                "use letters, digits, '.', '_' and '-', starting with a letter or digit")
    return f"{value!r} is not valid for {name}", None


def _unit_problem(kind: str, value: Any, name: str) -> tuple[str, str | None]:
    """The unit parser's own explanation, split into the problem and the fix."""
    try:
        _UNIT_PARSERS[kind](value)
    except ValueError as exc:
        message, _, hint = str(exc).rpartition("; ")
        return (message, hint) if message else (hint, None)
    return f"{name} must be more than 0, not {value!r}", None


def _bound(error: ValidationError, name: str) -> tuple[str, str | None]:
    kind = def_name(_schema(error))
    if kind in _UNIT_PARSERS:
        return _unit_problem(kind, error.instance, name)
    words = {"minimum": "at least", "exclusiveMinimum": "more than",
             "maximum": "at most", "exclusiveMaximum": "less than"}[str(error.validator)]
    return f"{name} must be {words} {error.validator_value}, not {error.instance}", None


def _min_items(error: ValidationError, name: str) -> tuple[str, str | None]:
    if name == "outputs":
        return "at least one output is required", _REQUIRED_HINTS["outputs"]
    return f"{name} needs at least {error.validator_value} item(s)", None


def _const(error: ValidationError, name: str) -> tuple[str, str | None]:
    return f"{name} must be {error.validator_value!r}, not {error.instance!r}", None


def _fallback(error: ValidationError, name: str) -> tuple[str, str | None]:
    return f"{name}: {error.message}", None


_HANDLERS: dict[str, Callable[[ValidationError, str], tuple[str, str | None]]] = {
    "type": _type, "enum": _enum, "pattern": _pattern, "const": _const,
    "minimum": _bound, "exclusiveMinimum": _bound, "maximum": _bound, "exclusiveMaximum": _bound,
    "minItems": _min_items,
    "minLength": lambda error, name: (f"{name} must not be empty", None),
    "uniqueItems": lambda error, name: (f"{name} lists the same value twice", None),
}
