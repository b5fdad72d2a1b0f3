"""``look.stabilize``: steady a shaking camera, in two passes (ffmpeg vid.stab)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..spec.defaults import SchemaDefault
from .base import LookOption


@dataclass(frozen=True)
class Stabilize:
    # photos on each side averaged into the steadied camera path; 0: a still camera
    smoothing: int = field(default_factory=SchemaDefault("look.stabilize.smoothing"))


def _parse(value: Any) -> Stabilize:
    # `stabilize: true` arrives as the mapping of defaults
    return Stabilize(smoothing=int(value["smoothing"]))


OPTION = LookOption("stabilize", _parse)
