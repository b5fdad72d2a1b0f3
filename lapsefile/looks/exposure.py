"""``look.exposure``: smooth a day-to-night exposure ramp (steps in brightness go, the
overall darkening stays); measured in a first pass, applied per photo (``engine/looks``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..spec.defaults import SchemaDefault
from .base import LookOption


@dataclass(frozen=True)
class Exposure:
    # photos in the moving window each photo's brightness is smoothed over
    window: int = field(default_factory=SchemaDefault("look.exposure.window"))


def _parse(value: Any) -> Exposure:
    # `smooth` is the default window; `true` and `{window: N}` arrive as mappings with
    # the defaults filled in
    if value == "smooth":
        return Exposure()
    return Exposure(window=int(value["window"]))


OPTION = LookOption("exposure", _parse)
