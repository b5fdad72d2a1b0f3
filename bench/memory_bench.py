"""Benchmark: the peak memory of ``lapsefile run`` at 200, 2,000 and 10,000 photos of 24 MP.

    python bench/memory_bench.py [--counts 200,2000,10000] [--distinct 200] [--size 320x180]
                                 [--keep]

1. Generates ``--distinct`` JPEGs of 6000x4000 (ffmpeg's moving test pattern at its lowest
   quality, which keeps them quick to decode and small on disk: the memory of the Python
   process does not depend on how long a photo takes to decode) and, per count, a project
   folder whose ``photos/`` holds that many copies of them (``IMG_1.jpg``... cycling through
   the distinct files). Copies, not links: lapsefile counts a file reached under two names
   once, so hard links would leave it only the distinct photos. To lapsefile they are that
   many files of 24 MP: each is listed, hashed, inspected and rendered (10,000 take about
   3 GB of disk while their count is measured).
2. Runs ``lapsefile run lapse.yaml`` per count as a whole process (one photo per frame at
   24 fps into a 320x180 video, or ``--size``; lapsefile decodes the photos itself, a few at
   a time, at the eighth of their size the video needs (``engine/feed.py``): 1/8 for
   320x180, so the run takes minutes, not hours; 3/8 for 1080p, whose bigger frames raise
   the peak), twice: a first run (every photo hashed) and, after a change of output name, a
   render of known photos. The Python process's own peak RSS (``ru_maxrss`` of
   ``RUSAGE_SELF`` at exit, through a wrapper that runs the CLI in that process) is printed
   beside the largest of its ffmpeg processes'. Those are measured by a small wrapper given
   as ``LAPSEFILE_FFMPEG``, which runs ffmpeg and logs its ``RUSAGE_CHILDREN`` peak: the
   CLI's own ``RUSAGE_CHILDREN`` would not do, since a child's peak includes the memory of
   the process it was started from (Linux counts the parent's pages a child shares until it
   execs), so every child of a 60 MB lapsefile would seem to take 60 MB. Target: Python
   <= 150 MB, flat from 200 photos up.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from measure import load_average, work_folder

WRAPPER = """
import atexit, json, resource, runpy, sys
def report():
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sys.stderr.write("MEMORY " + json.dumps({"python": own}) + "\\n")
atexit.register(report)
sys.argv = ["lapsefile", *sys.argv[1:]]
runpy.run_module("lapsefile", run_name="__main__")
"""


# Runs ffmpeg and appends its peak RSS in KB to the log file named by LAPSEFILE_BENCH_PEAKS.
# Started small (-S: no site), so its own start does not count: ffmpeg's is what it reports.
FFMPEG_WRAPPER = """#!{python} -S
import os, resource, subprocess, sys
code = subprocess.run([{ffmpeg!r}, *sys.argv[1:]]).returncode
with open(os.environ["LAPSEFILE_BENCH_PEAKS"], "a") as log:
    log.write("%d\\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(code)
"""


def ffmpeg_wrapper(work: Path, ffmpeg: str) -> Path:
    wrapper = work / "ffmpeg-peak"
    wrapper.write_text(FFMPEG_WRAPPER.format(python=sys.executable, ffmpeg=ffmpeg))
    wrapper.chmod(0o755)
    return wrapper


def spec_text(count: int, output: str, size: str) -> str:
    return f"""version: 1
frames:
  include: ["photos/*.jpg"]
  sort: natural
timing:
  fps: 24
  duration: {count / 24!r}s
outputs:
  - path: out/{output}.mp4
    size: {size}
    fit: cover
"""


def make_distinct(folder: Path, count: int, ffmpeg: str) -> list[Path]:
    from lapsefile.engine.testing import make_photos

    return make_photos(folder, count, (6000, 4000), ffmpeg, quality=31)


def make_project(folder: Path, sources: list[Path], count: int) -> None:
    """``count`` photos in ``folder/photos``, copies of ``sources`` in turn."""
    photos = folder / "photos"
    photos.mkdir(parents=True)
    for i in range(count):
        shutil.copyfile(sources[i % len(sources)], photos / f"IMG_{i + 1}.jpg")


def run(folder: Path, wrapper: Path) -> tuple[float, dict]:
    """``lapsefile run`` in ``folder`` with ``wrapper`` as its ffmpeg: wall seconds, the
    Python process's peak and the largest of its ffmpeg processes' (MB)."""
    peaks = folder / "ffmpeg-peaks.log"
    peaks.unlink(missing_ok=True)
    env = {**os.environ, "LAPSEFILE_FFMPEG": str(wrapper), "LAPSEFILE_BENCH_PEAKS": str(peaks)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", WRAPPER, "run", "lapse.yaml"], cwd=folder,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"lapsefile run failed in {folder} (exit {done.returncode}):\n{done.stderr}")
    line = [t for t in done.stderr.splitlines() if t.startswith("MEMORY ")][-1]
    ffmpeg_peak = max(int(n) for n in peaks.read_text().split()) / 1024
    return wall, {"python": json.loads(line.split(" ", 1)[1])["python"], "ffmpeg": ffmpeg_peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="200,2000,10000")
    parser.add_argument("--distinct", type=int, default=200)
    parser.add_argument("--size", default="320x180", help="the video's size, WxH")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args()
    counts = [int(c) for c in options.counts.split(",")]

    from lapsefile.engine.ffmpeg import find_ffmpeg

    ffmpeg = find_ffmpeg()
    with work_folder("memory", options.keep) as work:
        print(f"ffmpeg {ffmpeg.version}; {os.cpu_count()} cores, load average {load_average()}; "
              f"work folder {work}", flush=True)
        started = time.perf_counter()
        sources = make_distinct(work / "distinct", options.distinct, ffmpeg.path)
        print(f"generated {len(sources)} distinct photos of 6000x4000 in "
              f"{time.perf_counter() - started:.1f} s "
              f"({sum(p.stat().st_size for p in sources) / len(sources) / 2**20:.1f} MiB each)",
              flush=True)
        wrapper = ffmpeg_wrapper(work, ffmpeg.path)
        print(f"\npeak RSS into {options.size} (target: Python <= 150 MB, flat):")
        for count in counts:
            folder = work / f"n{count}"
            make_project(folder, sources, count)
            for label, output in (("first run", "first"), ("photos known", "again")):
                (folder / "lapse.yaml").write_text(spec_text(count, output, options.size))
                wall, peaks = run(folder, wrapper)
                print(f"  {count:6,d} photos, {label + ':':14s} Python {peaks['python']:6.1f} MB,"
                      f" ffmpeg {peaks['ffmpeg']:6.1f} MB ({wall:.0f} s)", flush=True)
            shutil.rmtree(folder)
        print(f"load average at the end: {load_average()}")


if __name__ == "__main__":
    main()
