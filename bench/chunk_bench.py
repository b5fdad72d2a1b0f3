"""Benchmark: chunked rendering (``render: {chunks: N}``) against the single-process render.

    python bench/chunk_bench.py [--rounds 3] [--photos 240] [--chunks 8] [--skip-dask]

1. Generates ``--photos`` photo-like JPEGs of 3000x2000 (noisy moving test pattern) and a
   ``lapse.yaml`` asking for a 1080p24 video showing each photo for one frame (the long-project
   case: one photo a frame, as with 100,000 RAW frames).
2. Runs, side by side in one run (in a rotating order), for ``--rounds`` rounds, each as a
   whole ``lapsefile run`` process with the photos already hashed (``.lapsefile/`` kept, lock
   and output removed): ``render: {chunks: 1}`` (the ordinary render: one ffmpeg process, what
   a user gets today), ``render: {chunks: N}`` on the local executor (one ffmpeg per chunk,
   as many at once as there are cores), and the same on ``--executor dask`` (a LocalCluster of
   one worker process per core, started by the run: the cluster code path and its overhead).
   Medians of wall and CPU time (the process and its children: ``RUSAGE_CHILDREN``), with
   the speed-up over the single process.
3. Measures per-task costs and models the time of 100,000 RAW frames (a 69 min 1080p24 video,
   ``auto``: one chunk per 30 s, 139 chunks) on 1, 16 and 64 cores:

   - a RAW's development to the working size, the way a chunk does it (``decode.decoded_copy``:
     hash, LibRaw demosaic at half size, resize, PNG into the cache), CPU seconds, on a
     24-megapixel DNG (a real RGGB mosaic written by pidng, ``tests/inputs_media.py``);
   - a frame's share of a chunk's ffmpeg (decode, scale, encode), CPU seconds, from the
     chunked runs above (their CPU time over their frames; JPEG decoding stands in for reading
     the developed PNG);
   - a chunk's fixed cost (ffmpeg start, graph, encoder set-up), from a render of one frame;
   - the client's serial work: hashing the RAWs (sha256 of a 25 MB file) and the join
     (stream copy, measured per frame with the concat demuxer).

   Model: chunk tasks of ``fixed + frames * (develop + frame)`` CPU seconds run one per core,
   in ``ceil(chunks / cores)`` waves, plus the client's hashing and join. It is a model: no
   network or shared-storage cost is in it (reading 2.5 TB of RAWs over a network is the
   first limit of a real cluster).
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from measure import load_average, measured, round_robin, work_folder

FPS = 24
SPEC = """version: 1
frames: {{include: ["photos/*.jpg"]}}
timing: {{fps: {fps}, duration: {seconds}s}}
render: {{chunks: {chunks}}}
outputs:
  - {{path: out/video.mp4, size: 1080p, aspect: "16:9"}}
"""
RAW_FRAMES = 100_000
RAW_BYTES = 25 * 2**20  # a 24-megapixel camera's RAW file


def side_by_side(work: Path, photos: int, chunks: int, rounds: int,
                 dask: bool) -> dict[str, tuple[float, float]]:
    """Medians of (wall, CPU) for each way of rendering, run in a rotating order."""
    seconds = photos / FPS
    runs = {"single": (1, []), "chunked, local": (chunks, [])}
    if dask:
        runs["chunked, dask"] = (chunks, ["--executor", "dask"])

    def run(name: str) -> tuple[float, float]:
        count, extra = runs[name]
        (work / "lapse.yaml").write_text(SPEC.format(fps=FPS, seconds=f"{seconds:g}",
                                                     chunks=count))
        shutil.rmtree(work / "out", ignore_errors=True)
        (work / "lapse.lock").unlink(missing_ok=True)
        return measured([sys.executable, "-m", "lapsefile", "run", "-q", "lapse.yaml", *extra],
                        work)

    medians = round_robin(list(runs), run, rounds)
    single = medians["single"]
    print(f"\n{seconds:g} s 1080p{FPS}, {photos} photos of 3000x2000, one a frame; "
          f"{chunks} chunks; medians of {rounds}:")
    for name, (wall, cpu) in medians.items():
        print(f"  {name + ':':17s} {wall:6.2f} s wall (speed-up {single[0] / wall:.2f}x)  "
              f"{cpu:6.2f} s CPU ({cpu / single[1]:.2f}x)")
    return medians


def cpu_of(fn) -> float:
    """CPU seconds of this process and its children spent in ``fn()``."""
    def total() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
    before = total()
    fn()
    return total() - before


def raw_develop_seconds(work: Path) -> float:
    """CPU seconds to develop one 24-megapixel DNG to 1080p as a chunk does (median of 3)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from lapsefile.engine.decode import decoded_copy
    from tests.inputs_media import make_dng

    folder = work / "decoded"
    folder.mkdir(exist_ok=True)
    costs = []
    for n in range(3):
        raw = make_dng(work / "raw" / f"IMG_{n}.dng", (90 + n, 120, 150), size=(6000, 4000))
        costs.append(cpu_of(lambda raw=raw: decoded_copy(raw, (1920, 1280), folder)))
    return statistics.median(costs)


def chunk_fixed_seconds(work: Path, ffmpeg: str) -> float:
    """CPU seconds of a chunk of one frame: ffmpeg's start, graph and encoder set-up."""
    from lapsefile.chunking import Window
    from lapsefile.engine.chunks import ChunkTask, render_chunk
    from lapsefile.engine.job import Canvas, RenderJob

    frames = tuple(sorted((work / "photos").glob("*.jpg")))[:2]
    job = RenderJob(root=work, frames=frames, fps=FPS, duration=2 / FPS, hold=1 / FPS,
                    canvas=Canvas(1920, 1080), output=work / "fixed.mp4")
    costs = []
    for n in range(3):
        task = ChunkTask((job,), Window(0, 1), (work / "fixed" / f"c{n}.mp4",), (None,), 0, 1)
        costs.append(cpu_of(lambda task=task: render_chunk(task)))
    return statistics.median(costs)


def join_seconds_per_frame(work: Path, ffmpeg: str, frames: int) -> float:
    """Wall seconds per frame of a stream-copy join (the output listed 8 times)."""
    listing = work / "join.ffconcat"
    listing.write_text("ffconcat version 1.0\n" + "file out/video.mp4\n" * 8)
    started = time.perf_counter()
    subprocess.run([ffmpeg, "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i",
                    str(listing), "-c", "copy", "-f", "mp4", str(work / "joined.mp4")],
                   cwd=work, check=True)
    return (time.perf_counter() - started) / (8 * frames)


def hash_seconds_per_raw() -> float:
    """Wall seconds to sha256 one RAW's bytes (in memory: the disk is the cluster's own)."""
    import hashlib

    data = os.urandom(RAW_BYTES)
    started = time.perf_counter()
    hashlib.sha256(data).hexdigest()
    return time.perf_counter() - started


def model(develop: float, per_frame: float, fixed: float, join: float, hashing: float) -> None:
    from lapsefile.chunking import chunk_count

    chunks = chunk_count(RAW_FRAMES, FPS, "h264", "auto")
    per_chunk = fixed + RAW_FRAMES / chunks * (develop + per_frame)
    serial = RAW_FRAMES * (hashing + join)
    print(f"\nper-task costs: RAW development {develop * 1000:.0f} ms CPU a photo, a frame's "
          f"share of a chunk {per_frame * 1000:.1f} ms CPU, a chunk's fixed cost "
          f"{fixed * 1000:.0f} ms, join {join * 1e6:.0f} us a frame, hashing "
          f"{hashing * 1000:.1f} ms a RAW")
    print(f"model: {RAW_FRAMES:,} RAW frames -> {RAW_FRAMES / FPS / 60:.0f} min 1080p{FPS}, "
          f"{chunks} chunks of {per_chunk:.0f} CPU s each, {serial:.0f} s serial on the client")
    for cores in (1, 16, 64):
        waves = math.ceil(chunks / cores)
        total = waves * per_chunk + serial
        print(f"  {cores:3d} cores: {waves:4d} waves -> {total / 3600:6.2f} h")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--photos", type=int, default=240)
    parser.add_argument("--chunks", type=int, default=8)
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args()

    from lapsefile.engine.ffmpeg import find_ffmpeg
    from lapsefile.engine.testing import make_photos
    from lapsefile.executors import cores

    ffmpeg = find_ffmpeg()
    with work_folder("chunk", options.keep) as work:
        print(f"ffmpeg {ffmpeg.version}; {cores()} cores; load average "
              f"{load_average()}; work folder {work}")
        make_photos(work / "photos", options.photos, (3000, 2000), ffmpeg.path)
        medians = side_by_side(work, options.photos, options.chunks, options.rounds,
                               not options.skip_dask)
        per_frame = medians["chunked, local"][1] / options.photos
        model(raw_develop_seconds(work), per_frame, chunk_fixed_seconds(work, ffmpeg.path),
              join_seconds_per_frame(work, ffmpeg.path, options.photos),
              hash_seconds_per_raw())
        print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
