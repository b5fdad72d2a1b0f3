"""Words for diagnostics: "did you mean", and plain descriptions of values and types."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

TYPE_WORDS = {"string": "text (a string)", "integer": "a whole number", "number": "a number",
              "boolean": "true/false", "object": "a mapping (key: value lines)",
              "array": "a list", "null": "empty"}


def closest(word: object, options: Iterable[object], cutoff: float = 0.6) -> str | None:
    """The option closest to ``word`` (ignoring case), or None when none is close."""
    by_lower = {str(option).lower(): str(option) for option in options}
    text = str(word).lower()
    if text in by_lower:
        return by_lower[text]
    import difflib  # only for a word that is not an option: `schema` never needs it

    found = difflib.get_close_matches(text, list(by_lower), n=1, cutoff=cutoff)
    return by_lower[found[0]] if found else None


def did_you_mean(word: object, options: Iterable[object], cutoff: float = 0.6) -> str | None:
    match = closest(word, options, cutoff)
    return f"did you mean '{match}'?" if match is not None else None


def join_or(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def type_words(types: str | list[str]) -> str:
    names = [types] if isinstance(types, str) else list(types)
    return join_or([TYPE_WORDS.get(name, name) for name in names])


def value_words(value: Any) -> str:
    """How a value reads to a person: ``the number 5``, ``the text 'abc'``, ``a list``."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a yes/no value)"
    if isinstance(value, (int, float)):
        return f"the number {value:g}" if isinstance(value, float) else f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
