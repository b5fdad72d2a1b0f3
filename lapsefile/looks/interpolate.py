"""``look.interpolate``: synthesize motion between photos (ffmpeg minterpolate)."""

from __future__ import annotations

from .base import LookOption

OPTION = LookOption("interpolate", bool)
