"""Drawing text (titles and the timestamp) with drawtext.

Text goes through files (``textfile=``, ``expansion=none``), so a title may hold ``:``, ``'``,
``%``, ``\\`` or any Unicode without escaping. Fonts are always named explicitly
(``fontfile=``), so text renders on a machine without any system fonts and never depends on
fontconfig: the spec's font, else the first bundled font that draws every character of the
text (:data:`BUNDLED_FONTS`: DejaVu Sans for Latin, Greek, Cyrillic, Arabic..., then a subset
of Noto Sans CJK SC for everyday Chinese, Japanese and Korean). drawtext draws one font per
filter and shapes with HarfBuzz and FriBidi (``text_shaping``, on by default), so Arabic joins
and runs right to left.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ...spec.model import TextStyle
from .. import glyphs
from ..filters import num, opt, text_position
from ..glyphs import BUNDLED, BUNDLED_FONTS, CJK_FONT, DEFAULT_FONT, FONTS, bundled_name
from ..workdir import Workdir

# The bundled fonts are glyphs.py's facts (the preflight reads them without this package);
# they are named here too, with the text they draw.
__all__ = ["BUNDLED", "BUNDLED_FONTS", "CJK_FONT", "DEFAULT_FONT", "FONTS", "bundled_file",
           "bundled_for", "bundled_name", "font"]


def font(style: TextStyle, resolve: Callable[[str], Path], texts: Sequence[str] = ()) -> Path:
    """The font file drawing ``texts`` in ``style``: the spec's, else a bundled one."""
    if style.font is None:
        return bundled_for(texts)
    named = bundled_file(style.font)
    return named if named is not None else resolve(style.font)


def bundled_file(name: str) -> Path | None:
    """The bundled font ``name`` (from :func:`bundled_name`) stands for, or None."""
    if not name.startswith(BUNDLED):
        return None
    return next((f for f in BUNDLED_FONTS if bundled_name(f) == name), None)


def bundled_for(texts: Sequence[str]) -> Path:
    """The first bundled font with a glyph for every character of ``texts``; DejaVu Sans when
    none has them all (preflight has reported that before anything renders)."""
    chars = glyphs.drawn("".join(texts))
    for candidate in BUNDLED_FONTS:
        try:
            if not glyphs.missing(candidate, chars):
                return candidate
        except glyphs.FontUnreadable:
            continue  # a damaged install: the next font, or preflight's error
    return DEFAULT_FONT


def font_size(font: Path, texts: Sequence[str], wanted: int, room: int) -> int:
    """``wanted``, or smaller so the widest line fits in ``room`` pixels: a title sized for a
    landscape video must not run off the sides of its 9:16 version."""
    lines = [line for text in texts for line in text.splitlines() if line.strip()]
    if not lines or room <= 0:
        return wanted
    try:
        from PIL import ImageFont

        face = ImageFont.truetype(str(font), 100)
        widest = max(face.getlength(line) for line in lines) / 100
    except (ImportError, OSError):  # no FreeType in Pillow, or a font Pillow cannot read
        return wanted
    return max(1, min(wanted, int(room / widest))) if widest > 0 else wanted


def drawtext(style: TextStyle, canvas: tuple[int, int], font: Path, texts: Sequence[str],
             work: Workdir, extra: Sequence[str]) -> str:
    width, height = canvas
    margin = round(style.margin * height)
    size = max(1, round(style.size * height))
    size = font_size(font, texts, size, int(0.98 * (width - 2 * margin - size // 2)))
    pad = max(1, round(size * 0.25)) if style.box else 0
    x, y = text_position(style.position, margin, pad)
    font_name = work.link(font, "font")
    parts = [f"fontfile={font_name}", "expansion=none", f"fontsize={size}",
             f"fontcolor={opt(style.color)}", f"x={opt(x)}", f"y={opt(y)}", *extra]
    if style.box:
        parts += ["box=1", f"boxcolor={opt(style.box_color)}", f"boxborderw={pad}"]
    return "drawtext=" + ":".join(parts)


def window(start: float, end: float) -> str:
    return f"gte(t,{num(start)})*lt(t,{num(end)})"


def fade_alpha(start: float, end: float, fade_in: float, fade_out: float) -> str | None:
    if fade_in <= 0 and fade_out <= 0:
        return None
    rising = f"(t-{num(start)})/{num(fade_in)}" if fade_in > 0 else "1"
    falling = f"({num(end)}-t)/{num(fade_out)}" if fade_out > 0 else "1"
    return f"clip(min({rising},{falling}),0,1)"
