"""``${VAR}`` and ``${VAR:-default}`` in string values, expanded before validation.

``$$`` is a literal ``$``; a ``$`` followed by anything else stays as written. ``:-`` uses the
default when the variable is unset *or empty*, as in the shell. A value written unquoted in the
YAML (``fps: ${FPS:-24}``) is read again after expansion, so a whole number, decimal number or
true/false becomes that type, just as YAML would have read it; a quoted value (``text: "${YEAR}"``)
always stays text. Keys are never expanded.

Secrets are refused. Every value of lapse.yaml is written somewhere (``lapse.lock`` records
titles, paths and the instructions built from them; ``plan``, ``status`` and ``run`` show them,
as text and ``--json``; diagnostics quote them), and no field takes a secret: the cloud token
is read from ``NEMO_TOKEN`` by the backend itself. So a reference to a secret variable is an
error naming the variable and the field, never the value. A variable is secret when its
name, upper-cased, has ``TOKEN``, ``SECRET`` or ``APIKEY`` as one of its ``_``-separated
words, ends in the word ``KEY``, or contains ``PASSWORD`` or ``PASSWD`` (``NEMO_TOKEN``,
``CLIENT_SECRET``, ``AWS_SECRET_ACCESS_KEY``, ``DB_PASSWORD``), whether or not it is set. A
variable with an innocent name whose value carries a secret's value (``TITLE="$NEMO_TOKEN"``)
is refused too. :func:`redact` blanks secrets' values in text lapsefile writes for itself
(the crash log).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import Diagnostic
from .document import Document
from .paths import DocPath, dotted

_REFERENCE = re.compile(r"\$(?:(\$)|\{([^}]*)\})")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")
_SECRET_WORDS = frozenset({"TOKEN", "SECRET", "APIKEY"})  # anywhere among the name's words
_SECRET_PARTS = ("PASSWORD", "PASSWD")  # anywhere in the name: DBPASSWORD, PASSWORD_FILE
# Shorter secret values are not looked for inside other variables' values: "1" or "yes" in
# a secret variable would match innocent text everywhere.
MIN_SECRET_LENGTH = 8
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False,
          "FALSE": False}


class ExpansionError(ValueError):
    """A reference that cannot be expanded; ``hint`` says how to fix it."""

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
    if is_secret_name(name):
        raise ExpansionError(
            f"${{{name}}} names a secret (a variable named like *_TOKEN, *_SECRET, *_KEY or "
            "*PASSWORD*): lapse.yaml values are written to lapse.lock and shown by plan, "
            "status and run, so a secret cannot be used in one",
            _SECRET_HINT)
    value = env.get(name)
    if value:
        _refuse_carried_secret(name, value, env)
        return value
    if has_default:
        return default
    if value is not None:
        return value  # set but empty, and no default: empty is what was asked for
    raise ExpansionError(f"environment variable {name} is not set",
                         f"set it (for example `export {name}=...` before running lapsefile), "
                         f"or give a default: ${{{name}:-value}}")


_SECRET_HINT = ("no lapse.yaml field takes a secret (the cloud backend reads NEMO_TOKEN "
                "itself): remove the reference; if the variable holds nothing secret, give it "
                "a name that does not look like a secret's")


def is_secret_name(name: str) -> bool:
    """Whether the variable ``name`` holds a secret, by the rule in the module's docstring."""
    upper = name.upper()
    words = upper.split("_")
    return (words[-1] == "KEY" or not _SECRET_WORDS.isdisjoint(words)
            or any(part in upper for part in _SECRET_PARTS))


def secret_values(env: Mapping[str, str]) -> dict[str, str]:
    """Secret variable name -> its value, for values long enough to look for in text."""
    return {name: value.strip() for name, value in env.items()
            if is_secret_name(name) and len(value.strip()) >= MIN_SECRET_LENGTH}


def redact(text: str, env: Mapping[str, str]) -> str:
    """``text`` with every secret variable's value replaced by ``<NAME>``."""
    # Longest first: a secret that contains another is blanked whole, not half.
    for name, value in sorted(secret_values(env).items(), key=lambda item: -len(item[1])):
        text = text.replace(value, f"<{name}>")
    return text


def _refuse_carried_secret(name: str, value: str, env: Mapping[str, str]) -> None:
    """Refuse ``${name}`` when its value carries a secret variable's value (a copied token)."""
    carried = sorted(secret for secret, secret_value in secret_values(env).items()
                     if secret_value in value)
    if carried:
        raise ExpansionError(
            f"the value of ${{{name}}} contains the value of the secret variable "
            f"{carried[0]}: lapse.yaml values are written to lapse.lock and shown by plan, "
            "status and run, so a secret cannot be used in one", _SECRET_HINT)


def retype(text: str) -> Any:
    """An expanded unquoted value as YAML would read it: number, true/false, or text."""
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return _BOOLS.get(text, text)


def referenced(data: Any) -> set[str]:
    """The names of the variables the string values of ``data`` reference (well-formed or
    not: what an expansion of it would look up)."""
    if isinstance(data, dict):
        return set().union(*map(referenced, data.values()))
    if isinstance(data, list):
        return set().union(*map(referenced, data))
    if not isinstance(data, str) or "$" not in data:
        return set()
    return {match.group(2).partition(":-")[0] for match in _REFERENCE.finditer(data)
            if match.group(2) is not None}


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
