"""``${VAR}`` and ``${VAR:-default}`` in string values, expanded before validation.

``$$`` is a literal ``$``; a ``$`` followed by anything else stays as written. ``:-`` uses the
default when the variable is unset *or empty*, as in the shell. A value written unquoted in the
YAML (``fps: ${FPS:-24}``) is read again after expansion, so a whole number, decimal number or
true/false becomes that type, just as YAML would have read it; a quoted value (``text: "${YEAR}"``)
always stays text. Keys are never expanded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import Diagnostic
from .loader import Document
from .paths import DocPath, dotted

_REFERENCE = re.compile(r"\$(?:(\$)|\{([^}]*)\})")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False,
          "FALSE": False}


class ExpansionError(ValueError):
    def __init__(self, message: str, hint: str):
        self.hint = hint
        super().__init__(message)


def expand(text: str, env: Mapping[str, str]) -> str:
    """``text`` with its references replaced; raises :class:`ExpansionError`."""
    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return "$"
        return _lookup(match.group(2), env)

    expanded = _REFERENCE.sub(replace, text)
    leftover = _REFERENCE.sub("", text)
    if "${" in leftover:
        raise ExpansionError("a '${' is never closed with '}'",
                             "write ${NAME} or ${NAME:-default}; for a literal '$' write '$$'")
    return expanded


def _lookup(inner: str, env: Mapping[str, str]) -> str:
    name, has_default, default = inner.partition(":-")
    if not _NAME.match(name):
        raise ExpansionError(f"'${{{inner}}}' is not a variable reference",
                             "write ${NAME} or ${NAME:-default} (NAME: letters, digits, '_'); "
                             "for a literal '$' write '$$'")
    value = env.get(name)
    if value:
        return value
    if has_default:
        return default
    if value is not None:
        return value  # set but empty, and no default: empty is what was asked for
    raise ExpansionError(f"environment variable {name} is not set",
                         f"set it (for example `export {name}=...` before running lapsefile), "
                         f"or give a default: ${{{name}:-value}}")


def retype(text: str) -> Any:
    """An expanded unquoted value as YAML would read it: number, true/false, or text."""
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return _BOOLS.get(text, text)


def expand_document(document: Document, env: Mapping[str, str]
                    ) -> tuple[Any, list[Diagnostic], set[DocPath]]:
    """The expanded data, a diagnostic per bad reference, and the paths that failed."""
    diagnostics: list[Diagnostic] = []
    failed: set[DocPath] = set()

    def walk(value: Any, path: DocPath) -> Any:
        if isinstance(value, dict):
            return {key: walk(item, path + (key,)) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item, path + (index,)) for index, item in enumerate(value)]
        if not isinstance(value, str) or "$" not in value:
            return value
        try:
            expanded = expand(value, env)
        except ExpansionError as exc:
            failed.add(path)
            diagnostics.append(Diagnostic(str(exc), path=dotted(path), hint=exc.hint,
                                          location=document.values.get(path)))
            return value
        uses_variable = any(m.group(2) is not None for m in _REFERENCE.finditer(value))
        if uses_variable and path in document.plain:
            return retype(expanded)
        return expanded

    return walk(document.data, ()), diagnostics, failed
