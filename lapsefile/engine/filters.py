"""Building an ffmpeg filter graph as text: escaping, labels, geometry of fits and positions.

Escaping follows ffmpeg's two levels: an option value may not contain ``\\ ' :`` unescaped
(level 1), and the filter description as a whole may not contain ``\\ ' [ ] , ;`` (level 2).
:func:`opt` applies both, so any string (a colour, an expression) can be an option value.
File names never need it: files the graph reads live in the render's work folder under plain
names (ffmpeg runs there), user files are linked in.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..spec.model import Fit

_LEVEL1 = re.compile(r"([\\':])")
_LEVEL2 = re.compile(r"([\\'\[\],;])")

SCALE_FLAGS = "bicubic"


def opt(value: object) -> str:
    """``value`` escaped to be one option value inside a filter graph description."""
    return _LEVEL2.sub(r"\\\1", _LEVEL1.sub(r"\\\1", str(value)))


def num(value: float) -> str:
    """A number for a filter argument: no exponent, no needless digits."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def even(value: float) -> int:
    """The even integer at or below ``value`` (at least 2): yuv420p needs even sizes."""
    return max(2, int(value) // 2 * 2)


def even_up(value: float) -> int:
    return max(2, math.ceil(value / 2) * 2)


@dataclass
class Graph:
    """Filter chains joined with ``;``. Labels are generated, never user text."""

    chains: list[str] = field(default_factory=list)
    _count: int = 0

    def label(self, prefix: str = "v") -> str:
        self._count += 1
        return f"{prefix}{self._count}"

    def chain(self, sources: str | Iterable[str], filters: Iterable[str],
              target: str | None = None, audio: bool = False) -> str:
        target = target or self.label("a" if audio else "v")
        names = [sources] if isinstance(sources, str) else list(sources)
        body = ",".join(filters) or ("anull" if audio else "null")
        self.chains.append("".join(f"[{n}]" for n in names) + body + f"[{target}]")
        return target

    def fan_out(self, source: str, count: int, audio: bool = False) -> list[str]:
        """``count`` labels carrying ``source`` (a split only when there is more than one)."""
        if count <= 1:
            return [source]
        targets = [self.label("a" if audio else "v") for _ in range(count)]
        split = "asplit" if audio else "split"
        self.chains.append(f"[{source}]{split}={count}" + "".join(f"[{t}]" for t in targets))
        return targets

    def text(self) -> str:
        return ";".join(self.chains)


def scale(width: int, height: int, flags: str = SCALE_FLAGS) -> str:
    return f"scale={width}:{height}:flags={flags}"


def working_size(upright: tuple[int, int], canvases: Iterable[tuple[int, int, Fit]]
                 ) -> tuple[int, int]:
    """The size photos of ``upright`` shape are first scaled to: as small as possible while
    every canvas still gets full resolution from it, and never larger than the photo."""
    width, height = upright
    needed = 0.0
    for cw, ch, fit in canvases:
        cover, contain = max(cw / width, ch / height), min(cw / width, ch / height)
        needed = max(needed, cover if fit == "cover" else contain)
    factor = min(1.0, needed)
    return even_up(width * factor), even_up(height * factor)


def fit_chain(graph: Graph, source: str, size: tuple[int, int], canvas: tuple[int, int],
              fit: Fit, flags: str = SCALE_FLAGS) -> str:
    """Chains fitting ``source`` (``size``) onto ``canvas``; returns the result's label."""
    if fit == "blur":
        return _blur(graph, source, size, canvas, flags)
    steps = _cover(size, canvas, flags) if fit == "cover" else _contain(size, canvas, flags)
    # The source already has square pixels; only a resize needs it said again.
    return graph.chain(source, steps + ["setsar=1"]) if steps else source


def _cover(size: tuple[int, int], canvas: tuple[int, int], flags: str) -> list[str]:
    (w, h), (cw, ch) = size, canvas
    factor = max(cw / w, ch / h)
    sw, sh = max(cw, round(w * factor)), max(ch, round(h * factor))
    steps = [] if (sw, sh) == (w, h) else [scale(sw, sh, flags)]
    if (sw, sh) != (cw, ch):
        steps.append(f"crop={cw}:{ch}:{(sw - cw) // 2}:{(sh - ch) // 2}")
    return steps


def _contained(size: tuple[int, int], canvas: tuple[int, int]) -> tuple[int, int]:
    (w, h), (cw, ch) = size, canvas
    factor = min(cw / w, ch / h)
    return min(cw, even_up(w * factor)), min(ch, even_up(h * factor))


def _contain(size: tuple[int, int], canvas: tuple[int, int], flags: str) -> list[str]:
    (cw, ch) = canvas
    sw, sh = _contained(size, canvas)
    steps = [] if (sw, sh) == size else [scale(sw, sh, flags)]
    if (sw, sh) != (cw, ch):
        x, y = (cw - sw) // 4 * 2, (ch - sh) // 4 * 2
        steps.append(f"pad={cw}:{ch}:{x}:{y}:color=black")
    return steps


def _blur(graph: Graph, source: str, size: tuple[int, int], canvas: tuple[int, int],
          flags: str) -> str:
    # The background is blurred at an eighth of the canvas and scaled back up: the same soft
    # look as blurring at full size, for a fraction of the work.
    cw, ch = canvas
    small = (even(cw / 8), even(ch / 8))
    back, front = graph.fan_out(source, 2)
    sigma = max(1.0, small[0] / 40)
    back = graph.chain(back, _cover(size, small, "bilinear")
                       + [f"gblur=sigma={num(sigma)}", scale(cw, ch, "bilinear"), "setsar=1"])
    sw, sh = _contained(size, canvas)
    front = graph.chain(front, ([] if (sw, sh) == size else [scale(sw, sh, flags)])
                        + ["setsar=1"])
    x, y = (cw - sw) // 4 * 2, (ch - sh) // 4 * 2
    return graph.chain([back, front], [f"overlay={x}:{y}:eof_action=pass"])


def text_position(position: str, margin: int, pad: int) -> tuple[str, str]:
    """drawtext x/y expressions placing text at a named position, ``margin`` from the edges
    (``pad`` is the box border, kept inside the margin too)."""
    edge = margin + pad
    horizontal, vertical = _sides(position)
    x = {"left": str(edge), "center": "(w-text_w)/2", "right": f"w-text_w-{edge}"}[horizontal]
    y = {"top": str(edge), "center": "(h-text_h)/2", "bottom": f"h-text_h-{edge}"}[vertical]
    return x, y


def overlay_position(position: str, margin: int) -> tuple[str, str]:
    """overlay x/y expressions for an image at a named position, ``margin`` from the edges."""
    horizontal, vertical = _sides(position)
    x = {"left": str(margin), "center": "(W-w)/2", "right": f"W-w-{margin}"}[horizontal]
    y = {"top": str(margin), "center": "(H-h)/2", "bottom": f"H-h-{margin}"}[vertical]
    return x, y


def _sides(position: str) -> tuple[str, str]:
    vertical = "top" if position.startswith("top") else (
        "bottom" if position.startswith("bottom") else "center")
    horizontal = "left" if position.endswith("left") else (
        "right" if position.endswith("right") else "center")
    return horizontal, vertical
