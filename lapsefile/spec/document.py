"""A lapse.yaml as read: plain data, and where each key and value was written.

Its own module, without YAML: a spec read from the validation cache (``checked.py``) is
rebuilt from JSON, and the modules that check and normalize it import only this.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import Diagnostic, Location
from .paths import DocPath

MAX_BYTES = 1024 * 1024  # a lapse.yaml is a few KB


@dataclass(repr=False, eq=False)  # never compared or printed (start-up)
class Document:
    """Plain data plus source positions, keyed by document path."""

    data: Any
    values: dict[DocPath, Location] = field(default_factory=dict)  # where each value starts
    keys: dict[DocPath, Location] = field(default_factory=dict)  # where each mapping key is
    plain: set[DocPath] = field(default_factory=set)  # unquoted string scalars
    # What was written for a plain scalar that YAML read as something other than text
    # (`size: 0x10` is the number 16): messages quote it as written.
    written: dict[DocPath, str] = field(default_factory=dict)


def too_large(file: str, size: int) -> Diagnostic:
    return Diagnostic(
        f"the file is {size / (1024 * 1024):.1f} MiB; a lapse.yaml is at most "
        f"{MAX_BYTES // (1024 * 1024)} MiB (one is usually a few KB)",
        location=Location(file, 1, 1),
        hint="check that this is the right file; list photos with a glob such as "
             "\"photos/*.jpg\" rather than one by one")
