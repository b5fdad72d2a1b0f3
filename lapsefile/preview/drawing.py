"""The preview's pictures, drawn with Pillow: contact sheet, brightness plot, poster."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from ..atomic import write_atomic
from ..project.model import InputFile

COLUMNS = 6
LABEL = 28  # pixels under each tile for its number and capture time
PLOT = (960, 360)
MARGIN = 40


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from ..engine.overlays import DEFAULT_FONT  # the bundled font, as videos use

    try:
        return ImageFont.truetype(str(DEFAULT_FONT), size)
    except OSError:
        return ImageFont.load_default()


def _save(image: Image.Image, path: Path, kind: str) -> Path:
    out = io.BytesIO()
    image.save(out, kind, **({"quality": 90} if kind == "JPEG" else {"optimize": True}))
    write_atomic(path, out.getvalue())
    return path


def contact_sheet(tiles: Sequence[tuple[int, InputFile, Image.Image]], path: Path) -> Path:
    """Thumbnails in rows of :data:`COLUMNS`, each labelled with its place in the video and
    its capture time (or the source of the time when there is none)."""
    edge = max(max(t.size) for _, _, t in tiles)
    rows = -(-len(tiles) // COLUMNS)
    sheet = Image.new("RGB", (COLUMNS * edge, rows * (edge + LABEL)), (24, 24, 24))
    draw, font = ImageDraw.Draw(sheet), _font(11)
    for k, (number, frame, thumb) in enumerate(tiles):
        x, y = (k % COLUMNS) * edge, (k // COLUMNS) * (edge + LABEL)
        sheet.paste(thumb, (x + (edge - thumb.width) // 2, y + (edge - thumb.height) // 2))
        when = frame.captured_at.strftime("%Y-%m-%d %H:%M:%S") if frame.captured_at else ""
        draw.text((x + 4, y + edge + 2), f"#{number}", fill=(240, 240, 240), font=font)
        draw.text((x + 4, y + edge + 14), when, fill=(170, 170, 170), font=font)
    return _save(sheet, path, "PNG")


def luminance_plot(before: Sequence[float], after: Sequence[float], path: Path) -> Path:
    """Brightness per photo: as shot (grey) and after the look's smoothing (orange)."""
    image = Image.new("RGB", PLOT, (255, 255, 255))
    draw, font = ImageDraw.Draw(image), _font(12)
    low = min(min(before), min(after))
    high = max(max(before), max(after))
    span = (high - low) or 1.0
    width, height = PLOT[0] - 2 * MARGIN, PLOT[1] - 2 * MARGIN

    def point(i: int, value: float) -> tuple[float, float]:
        x = MARGIN + (width * i / max(1, len(before) - 1))
        return x, MARGIN + height * (1 - (value - low) / span)

    draw.rectangle((MARGIN, MARGIN, MARGIN + width, MARGIN + height), outline=(200, 200, 200))
    for values, colour in ((before, (120, 120, 120)), (after, (230, 120, 20))):
        points = [point(i, v) for i, v in enumerate(values)]
        if len(points) > 1:
            draw.line(points, fill=colour, width=2)
        else:
            draw.ellipse((points[0][0] - 2, points[0][1] - 2, points[0][0] + 2,
                          points[0][1] + 2), fill=colour)
    draw.text((MARGIN, 8), f"brightness per photo ({len(before)} photos): grey as shot, "
              "orange after the look's smoothing", fill=(0, 0, 0), font=font)
    draw.text((4, MARGIN), f"{high:.0f}", fill=(0, 0, 0), font=font)
    draw.text((4, MARGIN + height - 12), f"{low:.0f}", fill=(0, 0, 0), font=font)
    return _save(image, path, "PNG")


def poster(photo: Path, size: tuple[int, int], fit: str, path: Path, longest: int = 960) -> Path:
    """``photo`` fitted to an output of ``size`` as the output's ``fit`` would (cover crops,
    contain pads with black, blur pads with a blurred copy), at most ``longest`` pixels wide."""
    scale = min(1.0, longest / max(size))
    target = (max(2, round(size[0] * scale)), max(2, round(size[1] * scale)))
    with Image.open(photo) as image:
        image.draft("RGB", target)
        picture = ImageOps.exif_transpose(image.convert("RGB"))
    if fit == "cover":
        framed = ImageOps.fit(picture, target)
    else:
        framed = (ImageOps.fit(picture, target).filter(ImageFilter.GaussianBlur(20))
                  if fit == "blur" else Image.new("RGB", target))
        inner = ImageOps.contain(picture, target)
        framed.paste(inner, ((target[0] - inner.width) // 2, (target[1] - inner.height) // 2))
    return _save(framed, path, "JPEG")
