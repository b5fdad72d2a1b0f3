"""``look.deflicker``: even out brightness flicker between photos (ffmpeg deflicker)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..spec.defaults import SchemaDefault
from .base import LookOption

Mode = Literal["am", "gm", "hm", "qm", "cm", "pm", "median"]


@dataclass(frozen=True)
class Deflicker:
    size: int = field(default_factory=SchemaDefault("look.deflicker.size"))  # photos averaged
    mode: Mode = field(default_factory=SchemaDefault("look.deflicker.mode"))


def _parse(value: Any) -> Deflicker:
    # `deflicker: true` arrives as the mapping of defaults
    return Deflicker(size=int(value["size"]), mode=value["mode"])


OPTION = LookOption("deflicker", _parse)
