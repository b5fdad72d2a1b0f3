"""What the two-pass look options cost, as whole `lapsefile run` processes, side by side.

    python bench/look_bench.py [--photos 200] [--size 1920x1280]

For each of: no look, `look.stabilize`, `look.exposure`: the first run (first pass and render),
then a second run after a title change (the first pass is read from the cache, only the render
runs again). Prints seconds and the ratio to the plain render.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

SPEC = """version: 1
frames: photos/*.jpg
timing: {{fps: 24, duration: {duration}s}}
{look}
overlays:
  titles: [{{text: "{title}"}}]
outputs:
  - {{path: out/main.mp4, size: 1080p}}
"""


def make_photos(folder: Path, count: int, size: tuple[int, int]) -> None:
    """A textured scene seen from a shaking camera, its brightness stepping now and then."""
    folder.mkdir(parents=True)
    rng = random.Random(3)
    scene = Image.new("RGB", (size[0] + 64, size[1] + 64), (50, 70, 60))
    draw = ImageDraw.Draw(scene)
    for _ in range(400):
        x, y = rng.randrange(scene.width), rng.randrange(scene.height)
        draw.rectangle((x, y, x + rng.randrange(8, 60), y + rng.randrange(8, 60)),
                       fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    for i in range(count):
        dx, dy = rng.randint(-20, 20), rng.randint(-20, 20)
        photo = scene.crop((32 + dx, 32 + dy, 32 + dx + size[0], 32 + dy + size[1]))
        photo.save(folder / f"IMG_{i + 1}.jpg", quality=90)


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--size", default="1920x1280")
    options = parser.parse_args()
    width, height = (int(n) for n in options.size.split("x"))
    looks = {"plain": "", "stabilize": "look: {stabilize: true}",
             "exposure": "look: {exposure: smooth}"}
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        photos = Path(tmp) / "photos"
        make_photos(photos, options.photos, (width, height))
        for name, look in looks.items():
            project = Path(tmp) / name
            project.mkdir()
            (project / "photos").symlink_to(photos)
            spec = project / "lapse.yaml"
            duration = options.photos / 24 * 3  # three frames a photo
            run = [sys.executable, "-m", "lapsefile", "run", str(spec), "--quiet"]
            spec.write_text(SPEC.format(duration=duration, look=look, title="A"), "utf-8")
            first = timed(run)
            spec.write_text(SPEC.format(duration=duration, look=look, title="B"), "utf-8")
            results[name] = (first, timed(run))
    plain = results["plain"]
    for name, (first, again) in results.items():
        print(f"{name:10s} first run {first:6.2f} s ({first / plain[0]:.2f}x plain), "
              f"after a title change {again:6.2f} s ({again / plain[1]:.2f}x plain)")


if __name__ == "__main__":
    main()
