"""Drawing text (titles and the timestamp) with drawtext.

Text goes through files (``textfile=``, ``expansion=none``), so a title may hold ``:``, ``'``,
``%``, ``\\`` or any Unicode without escaping. Fonts are always named explicitly
(``fontfile=``): the bundled DejaVu Sans unless the spec names one, so text renders on a
machine without any system fonts and never depends on fontconfig.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ...spec.model import TextStyle
from ..filters import num, opt, text_position
from ..workdir import Workdir

DEFAULT_FONT = Path(__file__).parent.parent / "fonts" / "DejaVuSans.ttf"


def font(style: TextStyle, resolve: Callable[[str], Path]) -> Path:
    return resolve(style.font) if style.font else DEFAULT_FONT


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
