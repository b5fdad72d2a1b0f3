"""``look.blend``: mix consecutive photos (ffmpeg tmix) for smoother motion; 1 is off."""

from __future__ import annotations

from .base import LookOption

OPTION = LookOption("blend", int)
