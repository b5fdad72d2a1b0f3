"""Regenerate the small assets committed under examples/ (photos, music, logo).

    python tools/make_example_assets.py

Deterministic: the same Pillow and ffmpeg give the same files.
"""

from __future__ import annotations

import math
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import imageio_ffmpeg
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent / "examples"


def _lerp(a: tuple[int, ...], b: tuple[int, ...], t: float) -> tuple[int, ...]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


def _exif(when: datetime) -> bytes:
    exif = Image.Exif()
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")
    sub[0x9291] = "00"
    return exif.tobytes()


def sunset_frame(i: int, count: int, size: tuple[int, int] = (640, 360)) -> Image.Image:
    """A sky darkening from gold to dusk while the sun sinks behind a hill."""
    w, h = size
    t = i / (count - 1)
    img = Image.new("RGB", size)
    draw = ImageDraw.Draw(img)
    top = _lerp((70, 120, 200), (25, 20, 70), t)
    bottom = _lerp((255, 200, 120), (200, 70, 60), t)
    for y in range(h):
        draw.line([(0, y), (w, y)], fill=_lerp(top, bottom, y / h))
    sun_y = round(h * (0.25 + 0.6 * t))
    draw.ellipse([w * 0.6 - 30, sun_y - 30, w * 0.6 + 30, sun_y + 30],
                 fill=_lerp((255, 240, 180), (255, 120, 60), t))
    hill = [(0, h)] + [(x, round(h * 0.78 + 18 * math.sin(x / 60))) for x in range(0, w + 1, 8)]
    draw.polygon(hill + [(w, h)], fill=_lerp((40, 70, 40), (10, 15, 20), t))
    return img


def city_frame(i: int, count: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A skyline whose windows light up one by one as night falls."""
    w, h = size
    t = i / (count - 1)
    img = Image.new("RGB", size, _lerp((120, 170, 220), (10, 12, 35), t))
    draw = ImageDraw.Draw(img)
    x = 0
    for b in range(12):
        bw, bh = 40 + (b * 37) % 30, 140 + (b * 71) % 200
        draw.rectangle([x, h - bh, x + bw, h], fill=_lerp((90, 90, 100), (30, 30, 40), t))
        for wy in range(h - bh + 10, h - 10, 18):
            for wx in range(x + 6, x + bw - 8, 12):
                lit = ((wx * 7 + wy * 13 + b) % 97) / 97 < t
                fill = (255, 220, 120) if lit else _lerp((150, 160, 170), (20, 20, 30), t)
                draw.rectangle([wx, wy, wx + 5, wy + 8], fill=fill)
        x += bw + 6
    return img


def write_frames(folder: Path, count: int, draw, start: datetime, step: timedelta) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.jpg"):
        old.unlink()
    for i in range(count):
        # Names without zero padding: a plain name sort would put IMG_10 before IMG_2.
        draw(i, count).save(folder / f"IMG_{i + 1}.jpg", "JPEG", quality=82,
                            exif=_exif(start + i * step))


def write_music(path: Path, seconds: float) -> None:
    chord = "+".join(f"0.2*sin(2*PI*{f}*t)*(0.6+0.4*sin(2*PI*0.5*t))"
                     for f in (220.0, 277.18, 329.63))
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-v", "error", "-f", "lavfi", "-i",
                    f"aevalsrc={chord}:s=44100:d={seconds}", "-ac", "2", "-c:a", "libmp3lame",
                    "-b:a", "96k", "-map_metadata", "-1", "-fflags", "+bitexact", str(path)],
                   check=True)


def write_logo(path: Path) -> None:
    img = Image.new("RGBA", (160, 160), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.ellipse([8, 8, 152, 152], fill=(255, 255, 255, 230))
    draw.polygon([(50, 40), (50, 120), (120, 80)], fill=(220, 60, 60, 255))
    img.save(path, "PNG", optimize=True)


def main() -> None:
    write_frames(ROOT / "sunset" / "photos", 48, sunset_frame,
                 datetime(2026, 6, 21, 20, 10, 0), timedelta(seconds=30))
    write_music(ROOT / "sunset" / "music.mp3", 4.0)
    write_frames(ROOT / "city-vertical" / "photos", 40, city_frame,
                 datetime(2026, 10, 3, 17, 30, 0), timedelta(minutes=2))
    write_logo(ROOT / "city-vertical" / "logo.png")


if __name__ == "__main__":
    main()
