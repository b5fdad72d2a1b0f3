"""The defaults of lapse.yaml, read from the schema: the one place they are written.

Every default a user can rely on is a ``"default"`` in ``schemas/lapse.schema.json`` (so the
README's reference shows it); the model's dataclass fields and the normalizer read it here::

    default("look.blend")                # 1
    default("overlays.titles[].size")    # 0.08: "8%" in the schema, in the model's units
    default("music.fade_in")             # 0.0: "0s"
    when_true("overlays.titles[].box")   # "black@0.5": what `box: true` means

Paths are the schema's property paths (:func:`.schema_file.path_text`; ``[]`` is "each item of
the list"). Values are converted to the model's units by the schema's own unit patterns
(percentages to fractions, durations to seconds); everything else is returned as written
(``default("look.deflicker")`` is ``False``, which the model spells ``None``).

The schema is read on first use, not on import, so importing the model costs nothing:
:class:`SchemaDefault` is a dataclass ``default_factory`` that looks its value up when an
instance is made. The agreement of model and schema is tested in ``tests/spec/test_defaults.py``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from .. import units

WHEN_TRUE = "x-when-true"  # schema keyword: the value `true` stands for (a box's colour)


@lru_cache(maxsize=1)
def _properties() -> Mapping[str, dict[str, Any]]:
    """Every property of the schema by path, resolved (a $ref's target merged in)."""
    from .schema_file import path_text, walk_properties  # here: importing the model stays light

    return MappingProxyType({path_text(prop.path): prop.schema for prop in walk_properties()})


@lru_cache(maxsize=1)
def defaults() -> Mapping[str, Any]:
    """Every property with a default: path -> the default in the model's units."""
    return MappingProxyType({path: to_model_units(node, node["default"])
                             for path, node in _properties().items() if "default" in node})


def default(path: str) -> Any:
    """The default of the property at ``path``, in the model's units; KeyError if it has none."""
    try:
        value = defaults()[path]
    except KeyError:
        raise KeyError(f"the schema gives no default for {path}") from None
    return copy.deepcopy(value) if isinstance(value, (list, dict)) else value


def filled(path: str, value: Any) -> Any:
    """``value`` of the property at ``path`` with the defaults of its sub-keys filled in; for a
    property that may be a mapping, ``true`` is the mapping of defaults (``deflicker: true``
    is ``{size: 5, mode: am}``). Any other value is returned as is."""
    prefix = f"{path}."
    subkeys = {key[len(prefix):]: default(key) for key in defaults()
               if key.startswith(prefix) and "." not in key[len(prefix):]
               and "[" not in key[len(prefix):]}
    if value is True and subkeys:
        return subkeys
    if isinstance(value, Mapping):
        return {**subkeys, **value}
    return value


def when_true(path: str) -> Any:
    """What ``true`` means for the property at ``path`` (its ``x-when-true``)."""
    node = _properties().get(path, {})
    if WHEN_TRUE not in node:
        raise KeyError(f"the schema does not say what true means for {path}")
    return to_model_units(node, node[WHEN_TRUE])


def to_model_units(node: Mapping[str, Any], value: Any) -> Any:
    """``value`` as written for the property ``node``, in the model's units."""
    if isinstance(value, str) and node.get("pattern") == units.PERCENT_PATTERN:
        return units.parse_fraction(value, maximum=float("inf"))
    if isinstance(value, str) and node.get("pattern") == units.DURATION_PATTERN:
        return units.parse_duration(value)
    return value


class SchemaDefault:
    """A dataclass ``default_factory``: the schema's default (or ``x-when-true``) at ``path``.

    ``field(default_factory=SchemaDefault("look.blend"))``; looked up when an instance is made,
    so the schema is not read at import.
    """

    __slots__ = ("path", "keyword")

    def __init__(self, path: str, keyword: str = "default") -> None:
        self.path = path
        self.keyword = keyword

    def __call__(self) -> Any:
        return when_true(self.path) if self.keyword == WHEN_TRUE else default(self.path)

    def __repr__(self) -> str:
        return f"SchemaDefault({self.path!r}{'' if self.keyword == 'default' else ', WHEN_TRUE'})"
