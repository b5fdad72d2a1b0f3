"""What a look option is: its name, how its value is read, and what its instruction states."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, NamedTuple


def as_data(value: Any) -> Any:
    """``value`` as JSON data: a dataclass as a dict, anything else as is."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


class LookOption(NamedTuple):
    """One key of ``look:``.

    ``parse`` turns the value as written (schema-checked, never None or False, a mapping with
    its sub-keys' defaults filled in) into the model's value, which must be hashable (a frozen
    dataclass, a number, True): jobs with equal looks share one ffmpeg process. ``params``
    gives what the cloud instruction states about it, as JSON data (its template reads it
    under the option's name).
    """

    name: str
    parse: Callable[[Any], Any]
    params: Callable[[Any], Any] = as_data
