"""An output's size in pixels from ``size`` and ``aspect`` as written."""

from __future__ import annotations

from math import gcd
from typing import NamedTuple

from .model import ASPECTS, PRESET_HEIGHTS

MIN_EDGE, MAX_EDGE = 16, 8192
_ASPECT_TOLERANCE = 0.01  # 1366x768 is "16:9" to anyone


class Problem(NamedTuple):
    message: str
    key: str  # "size" or "aspect": where it is reported
    hint: str | None = None
    severity: str = "error"


def preset_dimensions(preset: str, aspect: str) -> tuple[int, int]:
    """A preset's pixels: the number is the short side (1080p at 9:16 -> 1080x1920)."""
    short = PRESET_HEIGHTS[preset]
    across, down = ASPECTS[aspect]
    long_side = _even(short * max(across, down) / min(across, down))
    return (long_side, short) if across >= down else (short, long_side)


def explicit_size(size: str, aspect: str | None) -> tuple[int, int, str, list[Problem]]:
    """``WIDTHxHEIGHT``, made even, with its aspect (the one written when it agrees, else the
    reduced ratio) and what is wrong with it."""
    problems: list[Problem] = []
    width, height = (int(n) for n in size.split("x"))
    ratio = _reduced(width, height)
    if aspect is not None and not _close(width, height, ASPECTS[aspect]):
        problems.append(Problem(f"aspect {aspect} does not match size {size} (which is {ratio})",
                                "aspect", "leave out aspect with an exact size (it follows "
                                "from the size), or make the two agree"))
    if min(width, height) < MIN_EDGE or max(width, height) > MAX_EDGE:
        problems.append(Problem(f"size {size} is out of range: each side must be {MIN_EDGE} to "
                                f"{MAX_EDGE} pixels", "size"))
    even_w, even_h = width - width % 2, height - height % 2
    if (even_w, even_h) != (width, height):
        problems.append(Problem(f"size {size} has an odd side; video encoders need even sizes, "
                                f"so it is rendered as {even_w}x{even_h}", "size",
                                f"write size: {even_w}x{even_h}", "warning"))
    if aspect is None or not _close(width, height, ASPECTS[aspect]):
        aspect = _reduced(even_w, even_h)
    return even_w, even_h, aspect, problems


def _even(value: float) -> int:
    return int(round(value / 2)) * 2


def _reduced(width: int, height: int) -> str:
    divisor = gcd(width, height) or 1
    return f"{width // divisor}:{height // divisor}"


def _close(width: int, height: int, aspect: tuple[int, int]) -> bool:
    wanted = aspect[0] / aspect[1]
    return abs(width / height - wanted) <= _ASPECT_TOLERANCE * wanted
