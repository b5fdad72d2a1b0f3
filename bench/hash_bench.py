"""Benchmark: the first plan of a folder of camera-sized JPEGs, and how fast it hashes.

    python bench/hash_bench.py [--photos 200] [--size 3000x2000] [--rounds 3]

1. Generates ``--photos`` JPEGs of ``--size`` (a gradient with sensor-like noise, so they
   weigh what camera JPEGs do: about 1.3 MB at 3000x2000) and a ``lapse.yaml``.
2. For ``--rounds`` rounds, side by side: ``lapsefile run --dry-run`` as a whole process from
   a fresh project (no ``.lapsefile/``: every photo hashed and inspected), its wall and CPU
   time; the hashing phase alone in this process (``StatCache.hash_files`` with inspection,
   as the first plan calls it), sha256 alone over the same files, one thread, and a plain
   Python read of them (``readinto`` of 1 MiB chunks: the disk, or the page cache once warm).
   Medians; MB/s are of the photos' total size.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPEC = """version: 1
frames: {include: ["photos/*.jpg"], sort: natural}
timing: {fps: 24, duration: 30s}
outputs:
  - {path: out/bench.mp4, size: 1080p}
"""
_CHUNK = 1 << 20


def make_photos(folder: Path, count: int, size: tuple[int, int]) -> int:
    """``count`` distinct JPEGs of ``size``; their total size in bytes. A few pictures are
    encoded and each file gets its own comment segment, so generating stays quick."""
    import numpy as np
    from PIL import Image

    folder.mkdir()
    rng = np.random.default_rng(13)
    width, height = size
    ramp = np.linspace(0, 200, width, dtype=np.float32)[None, :, None]
    encoded = []
    for shade in range(4):
        noise = rng.normal(0, 6, (height, width, 3)).astype(np.float32)
        pixels = np.clip(ramp + shade * 12 + noise, 0, 255).astype(np.uint8)
        with tempfile.TemporaryFile() as fh:
            Image.fromarray(pixels).save(fh, "JPEG", quality=90)
            fh.seek(0)
            encoded.append(fh.read())
    total = 0
    for i in range(count):
        data = encoded[i % len(encoded)]
        comment = f"lapsefile bench {i}".encode()
        segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
        body = data[:2] + segment + data[2:]
        (folder / f"IMG_{i + 1}.jpg").write_bytes(body)
        total += len(body)
    return total


def first_plan(spec: Path) -> tuple[float, float]:
    """Wall and CPU seconds of ``lapsefile run --dry-run`` from a fresh project."""
    shutil.rmtree(spec.parent / ".lapsefile", ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "lapsefile", "run", "--dry-run", str(spec)],
                   check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def hashing_phase(root: Path, files: list[Path]) -> float:
    """Seconds of the first plan's hashing and inspection of ``files``, with a fresh cache."""
    from lapsefile.project.statcache import StatCache

    stats = [(str(p.relative_to(root)), p.stat()) for p in files]
    start = time.perf_counter()
    entries = StatCache(root).hash_files(stats, inspect=True)
    elapsed = time.perf_counter() - start
    broken = [name for name, entry in entries.items() if entry.problem]
    if broken:
        raise SystemExit(f"the inspection calls generated photos broken: {broken[:3]}")
    return elapsed


def sha256_only(files: list[Path]) -> float:
    """Seconds to sha256 every file in one thread, nothing else."""
    start = time.perf_counter()
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    for path in files:
        digest = hashlib.sha256()
        with open(path, "rb", buffering=0) as fh:
            while n := fh.readinto(buffer):
                digest.update(view[:n])
        digest.hexdigest()
    return time.perf_counter() - start


def plain_read(files: list[Path]) -> float:
    """Seconds to read every file in 1 MiB chunks and do nothing with them."""
    start = time.perf_counter()
    buffer = bytearray(_CHUNK)
    for path in files:
        with open(path, "rb", buffering=0) as fh:
            while fh.readinto(buffer):
                pass
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--size", default="3000x2000", help="photo size WxH")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        total = make_photos(root / "photos", args.photos, (width, height))
        spec = root / "lapse.yaml"
        spec.write_text(SPEC)
        files = sorted((root / "photos").iterdir())
        plain_read(files)  # warm the page cache, so every round reads the same way
        walls, cpus, hashes, shas, reads = [], [], [], [], []
        for _ in range(args.rounds):
            wall, cpu = first_plan(spec)
            walls.append(wall)
            cpus.append(cpu)
            hashes.append(hashing_phase(root, files))
            shas.append(sha256_only(files))
            reads.append(plain_read(files))
    mb = total / 1e6
    print(f"photos:          {args.photos} of {args.size}, {mb:,.0f} MB "
          f"({os.cpu_count()} cores, medians of {args.rounds})")
    print(f"first plan:      {statistics.median(walls):.3f} s wall, "
          f"{statistics.median(cpus):.3f} s CPU  (lapsefile run --dry-run, whole process)")
    for name, times in (("hashing phase", hashes), ("sha256 only", shas),
                        ("plain read", reads)):
        seconds = statistics.median(times)
        print(f"{name + ':':<16} {mb / seconds:8,.0f} MB/s  ({seconds:.3f} s)")


if __name__ == "__main__":
    main()
