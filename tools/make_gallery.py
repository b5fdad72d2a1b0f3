"""Render the README's gallery: one small contact sheet per toolbox feature.

    python tools/make_gallery.py [--out docs/gallery] [--only NAME ...]

Each feature is a tiny project (the sunset example's photos, or generated ones) rendered by
lapsefile itself at 320x180; the sheet shows six moments of the video, evenly spaced, and for
features that change a sequence, the same moments without the feature in a row above. Prints
the README lines. Deterministic for one ffmpeg build.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFont

from lapsefile.engine.overlays import DEFAULT_FONT
from lapsefile.engine.probe import decode_frames, probe
from lapsefile.runner import run_project

ROOT = Path(__file__).resolve().parent.parent
SUNSET = ROOT / "examples" / "sunset" / "photos"
TILE = (160, 90)
MOMENTS = 6

BASE = """version: 1
frames: photos/*.jpg
timing: {{fps: 12, duration: {duration}s{timing}}}
{extra}
outputs:
  - {{path: out/video.mp4, size: 320x180}}
"""


@dataclass(frozen=True)
class Feature:
    name: str
    caption: str
    extra: str  # spec lines that turn the feature on
    photos: Callable[[Path], None]
    duration: float = 4.0
    timing: str = ""
    compare: bool = True  # a row without the feature above
    run_from: int | None = None  # six frames in a row from this one, not spread over the video


def _sunset(folder: Path) -> None:
    shutil.copytree(SUNSET, folder)


def _shaky(folder: Path) -> None:
    """The sunset shot from a camera that jumps up to 14 px between photos."""
    folder.mkdir(parents=True)
    rng = random.Random(5)
    for path in sorted(SUNSET.glob("*.jpg"), key=lambda p: int(p.stem.split("_")[1])):
        with Image.open(path) as photo:
            dx, dy = rng.randint(-14, 14), rng.randint(-14, 14)
            box = (40 + dx, 24 + dy, photo.width - 40 + dx, photo.height - 24 + dy)
            photo.crop(box).save(folder / path.name, quality=92)


def _stepped(folder: Path) -> None:
    """The sunset with the exposure changed in whole stops every 12 photos, as a
    photographer does by hand while the light fades."""
    folder.mkdir(parents=True)
    for path in sorted(SUNSET.glob("*.jpg"), key=lambda p: int(p.stem.split("_")[1])):
        index = int(path.stem.split("_")[1]) - 1
        with Image.open(path) as photo:
            step = 1.45 ** ((index // 12) - 1.5)
            ImageEnhance.Brightness(photo).enhance(step).save(folder / path.name, quality=92)


FEATURES = (
    Feature("stabilize", "look.stabilize: six photos in a row from a shaking camera, steadied "
            "(watch the hill)", "look: {stabilize: {smoothing: 20}}", _shaky, run_from=20),
    Feature("exposure", "look.exposure: six photos across an exposure step (a stop brighter "
            "from the fourth), smoothed", "look: {exposure: {window: 24}}", _stepped,
            run_from=9),
    Feature("motion", "motion: a slow zoom and pan over the whole video",
            "motion: {from: {zoom: 1.0}, to: {zoom: 1.8, center: [0.62, 0.55]}}", _sunset),
    Feature("holds", "timing.hold_start / hold_end: the first and last photo held 1 s",
            "", _sunset, duration=6.0, timing=", hold_start: 1s, hold_end: 1s", compare=False),
    Feature("cjk-title", "a Chinese title, drawn with the bundled CJK font",
            "overlays:\n  titles: [{text: 日落时分, size: 14%, box: true}]", _sunset,
            compare=False),
)


def _render(work: Path, feature: Feature, on: bool) -> Path:
    project = work / ("on" if on else "off")
    feature.photos(project / "photos")
    spec = BASE.format(duration=feature.duration, timing=feature.timing if on else "",
                       extra=feature.extra if on else "")
    (project / "lapse.yaml").write_text(spec, encoding="utf-8")
    run_project(project / "lapse.yaml")
    return project / "out" / "video.mp4"


def _moments(video: Path, run_from: int | None) -> list[Image.Image]:
    info = probe(video)
    frames = decode_frames(video, TILE[0], TILE[1])
    picks = ([run_from + i for i in range(MOMENTS)] if run_from is not None else
             [round(i * (info.frame_count - 1) / (MOMENTS - 1)) for i in range(MOMENTS)])
    return [Image.frombytes("RGB", TILE, frames[i]) for i in picks]


def _sheet(rows: list[tuple[str, list[Image.Image]]], caption: str) -> Image.Image:
    font = ImageFont.truetype(str(DEFAULT_FONT), 12)
    label, head = 18, 22
    sheet = Image.new("RGB", (TILE[0] * MOMENTS, head + len(rows) * (TILE[1] + label)),
                      (24, 24, 24))
    draw = ImageDraw.Draw(sheet)
    draw.text((6, 4), caption, fill=(240, 240, 240), font=font)
    for r, (title, tiles) in enumerate(rows):
        y = head + r * (TILE[1] + label)
        draw.text((6, y + 2), title, fill=(170, 170, 170), font=font)
        for c, tile in enumerate(tiles):
            sheet.paste(tile, (c * TILE[0], y + label))
    return sheet


def make(feature: Feature, out: Path) -> Path:
    """Render ``feature`` (and its comparison) and write its sheet as ``<name>.png``."""
    with tempfile.TemporaryDirectory() as tmp:
        rows = [("with it", _moments(_render(Path(tmp), feature, on=True), feature.run_from))]
        if feature.compare:
            rows.insert(0, ("without", _moments(_render(Path(tmp), feature, on=False),
                                                feature.run_from)))
        path = out / f"{feature.name}.png"
        _sheet(rows, feature.caption).save(path, optimize=True)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "gallery")
    parser.add_argument("--only", nargs="*", default=None)
    options = parser.parse_args(argv)
    options.out.mkdir(parents=True, exist_ok=True)
    for feature in FEATURES:
        if options.only is None or feature.name in options.only:
            path = make(feature, options.out)
            print(f"![{feature.caption}]({path.relative_to(ROOT).as_posix()})"
                  if path.is_relative_to(ROOT) else str(path), file=sys.stdout)


if __name__ == "__main__":
    main()
