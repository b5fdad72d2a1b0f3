"""Plan a project of 10,000 small generated frames twice; print both times and the ratio.

    python bench/plan_bench.py [--frames 10000]

Targets: re-plan <= 1 s and >= 10x faster than the first plan (which hashes every photo).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from PIL import Image

from lapsefile.runner import prepare

SPEC = """version: 1
frames: {include: ["photos/*.jpg"]}
timing: {fps: 30}
overlays:
  titles: [{text: "Bench", start: 0s, end: 2s}]
outputs:
  - {path: out/bench.mp4, size: 1080p}
  - {path: out/bench-vertical.mp4, size: 1080p, aspect: "9:16", fit: blur}
"""


def make_project(root: Path, frames: int, size: tuple[int, int] = (160, 90)) -> Path:
    photos = root / "photos"
    photos.mkdir()
    for i in range(frames):
        shade = (i * 37) % 256
        img = Image.linear_gradient("L").resize(size).convert("RGB")
        img.paste((shade, 255 - shade, (i * 11) % 256), (0, 0, size[0] // 4, size[1] // 4))
        img.save(photos / f"IMG_{i + 1}.jpg", "JPEG", quality=85)
    spec = root / "lapse.yaml"
    spec.write_text(SPEC)
    return spec


def timed(spec: Path) -> tuple[float, int]:
    start = time.perf_counter()
    prepared = prepare(spec)
    return time.perf_counter() - start, len(prepared.project.frames)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=10_000)
    parser.add_argument("--size", default="160x90", help="frame size WxH (default 160x90)")
    args = parser.parse_args()
    size = tuple(int(n) for n in args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        spec = make_project(Path(tmp), args.frames, size)  # type: ignore[arg-type]
        total = sum(p.stat().st_size for p in (spec.parent / "photos").iterdir())
        first, count = timed(spec)
        second, _ = timed(spec)
    print(f"frames:      {count} of {args.size} ({total / count / 1024:.1f} KiB each)")
    print(f"first plan:  {first:.3f} s  (hashes every photo)")
    print(f"re-plan:     {second:.3f} s  (stat cache)")
    print(f"ratio:       {first / second:.1f}x faster")
    print(f"targets:     re-plan <= 1 s: {'met' if second <= 1 else 'MISSED'}; "
          f">= 10x: {'met' if first / second >= 10 else 'MISSED'}")


if __name__ == "__main__":
    main()
