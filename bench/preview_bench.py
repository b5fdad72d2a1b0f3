"""`lapsefile preview` of 1,000 camera-sized JPEGs, as whole processes: first and second run.

    python bench/preview_bench.py [--photos 1000] [--size 3000x2000]

Target: under 5 s for 1,000 photos. The first run hashes and decodes every photo small; the
second reads the thumbnail cache. Both are whole `lapsefile preview` processes, timed with the
bare interpreter's start beside them for scale.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

SPEC = """version: 1
frames: photos/*.jpg
timing: {fps: 24, duration: 60s}
look: {deflicker: true}
outputs:
  - {path: out/main.mp4, size: 1080p}
"""


def make_photos(folder: Path, count: int, size: tuple[int, int]) -> None:
    folder.mkdir(parents=True)
    base = Image.linear_gradient("L").resize(size).convert("RGB")
    for i in range(count):
        photo = base.copy()
        ImageDraw.Draw(photo).rectangle((0, 0, size[0] // 3, size[1] // 3),
                                        fill=((i * 37) % 256, 120, (i * 11) % 256))
        photo.save(folder / f"IMG_{i + 1}.jpg", "JPEG", quality=90)


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=1000)
    parser.add_argument("--size", default="3000x2000")
    options = parser.parse_args()
    size = tuple(int(n) for n in options.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_photos(root / "photos", options.photos, (size[0], size[1]))
        (root / "lapse.yaml").write_text(SPEC, encoding="utf-8")
        command = [sys.executable, "-m", "lapsefile", "preview", str(root / "lapse.yaml")]
        bare = timed([sys.executable, "-c", "pass"])
        first, second = timed(command), timed(command)
    print(f"{options.photos} photos of {options.size}: first preview {first:.2f} s, "
          f"second {second:.2f} s (bare interpreter {bare:.3f} s); target < 5 s")


if __name__ == "__main__":
    main()
