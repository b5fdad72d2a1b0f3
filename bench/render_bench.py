"""Benchmark: ``lapsefile run`` against the ffmpeg command a user would type.

    python bench/render_bench.py [--rounds 3] [--skip-medium] [--skip-ssim] [--skip-memory]
                                 [--keep]

1. Generates 200 photo-like JPEGs of 3000x2000 (a moving test pattern with sensor-like noise)
   in a temporary folder, with a ``lapse.yaml`` asking for a 30 s 1080p24 video (cover,
   default quality).
2. Runs, side by side in one run (in a rotating order), for ``--rounds`` rounds:
   ``lapsefile run lapse.yaml`` from a fresh project (no lock, no ``.lapsefile/`` state, no
   output: everything a first run does, start-up and hashing included), the same with the
   photos already hashed (``.lapsefile/`` kept: a render after a change of spec), and the
   natural command with the same preset and CRF::

       ffmpeg -framerate 20/3 -i photos/IMG_%d.jpg
              -vf scale=1920:1280,crop=1920:1080,fps=24,format=yuv420p
              -c:v libx264 -preset veryfast -crf 20 -movflags +faststart out.mp4

   All as whole processes; wall time and CPU time (the process and everything it waited
   for: ``RUSAGE_CHILDREN``) are reported as medians, with their ratios (target <= 1.05).
3. Renders the same video with x264 ``medium`` through lapsefile's engine, and compares both
   encodes with the unencoded frames (SSIM), to show what the default preset gives up.
4. Prints the peak memory of the Python process alone (ru_maxrss of a child process that
   renders; ffmpeg is its child and not counted) for 200 and 2,000 photos.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from measure import measured, round_robin, work_folder

FPS, SECONDS, WIDTH, HEIGHT = 24, 30.0, 1920, 1080
PHOTOS = 200

SPEC = f"""version: 1
frames:
  include: ["photos/*.jpg"]
  sort: natural
timing:
  fps: {FPS}
  duration: {SECONDS:g}s
outputs:
  - path: out/lapsefile.mp4
    size: 1080p
    aspect: "16:9"
    fit: cover
"""


def child(params: dict) -> None:
    """Render in this (child) process and print wall time and peak memory as JSON."""
    from lapsefile.engine import encode
    from lapsefile.engine.ffmpeg import find_ffmpeg
    from lapsefile.engine.job import Canvas, RenderJob
    from lapsefile.engine.render import render

    if params.get("x264"):
        encode.PRESETS["standard"] = dataclasses.replace(encode.PRESETS["standard"],
                                                         x264=params["x264"])
    frames = tuple(Path(p) for p in params["frames"])
    count = len(frames)
    job = RenderJob(root=Path(params["root"]), frames=frames, fps=FPS,
                    duration=params["seconds"], hold=params["seconds"] / count,
                    canvas=Canvas(params["width"], params["height"]),
                    output=Path(params["output"]))
    ffmpeg = find_ffmpeg()
    started = time.perf_counter()
    result = render([job], ffmpeg)[0]
    wall = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"wall": wall, "peak_mb": peak_kb / 1024, "size": result.size,
                      "args": result.args}))


def run_child(params: dict) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", json.dumps(params)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def natural_command(ffmpeg: str, output: str) -> list[str]:
    """What a user would type for the same video: image sequence at 200 photos per 30 s, the
    same cover fit, x264 with lapsefile's default preset and CRF, nothing else."""
    from lapsefile.engine.encode import PRESETS

    standard = PRESETS["standard"]
    rate = f"{PHOTOS}/{SECONDS:g}"  # photos a second: 20/3 for 200 in 30 s
    return [ffmpeg, "-nostdin", "-v", "error", "-y", "-framerate", rate,
            "-i", "photos/IMG_%d.jpg",
            "-vf", f"scale={WIDTH}:{round(WIDTH * 2 / 3)},crop={WIDTH}:{HEIGHT},fps={FPS},"
                   "format=yuv420p",
            "-c:v", "libx264", "-preset", standard.x264, "-crf", str(standard.crf264),
            "-movflags", "+faststart", output]


def lapsefile_command() -> list[str]:
    return [sys.executable, "-m", "lapsefile", "run", "lapse.yaml"]


def fresh_project(work: Path, keep_state: bool) -> None:
    """Forget the last render (lock and output); without ``keep_state`` also lapsefile's state
    folder, so the run does all a first run does (hashing every photo included)."""
    shutil.rmtree(work / "out", ignore_errors=True)
    if not keep_state:
        shutil.rmtree(work / ".lapsefile", ignore_errors=True)
    (work / "lapse.lock").unlink(missing_ok=True)


RUNS = {"natural": "natural ffmpeg command",
        "first": "lapsefile run, first run",
        "again": "lapsefile run, photos known"}


def head_to_head(ffmpeg: str, work: Path, rounds: int) -> None:
    """The natural command and ``lapsefile run`` (a first run, and a run whose photos are
    already hashed: after a change of spec), in a rotating order; medians and ratios."""

    def run(name: str) -> tuple[float, float]:
        if name == "natural":
            return measured(natural_command(ffmpeg, "natural.mp4"), work)
        fresh_project(work, keep_state=name == "again")
        return measured(lapsefile_command(), work)

    medians = round_robin(list(RUNS), run, rounds)
    wall = {name: m[0] for name, m in medians.items()}
    cpu = {name: m[1] for name, m in medians.items()}
    print(f"\n{SECONDS:g} s {HEIGHT}p{FPS} from {PHOTOS} x 3000x2000, medians of {rounds} "
          "(ratio to the natural command; target <= 1.05):")
    for name, label in RUNS.items():
        print(f"  {label + ':':30s} {wall[name]:6.2f} s wall ({wall[name] / wall['natural']:.3f})"
              f"  {cpu[name]:6.2f} s CPU ({cpu[name] / cpu['natural']:.3f})")
    for name, path in (("lapsefile", work / "out" / "lapsefile.mp4"),
                       ("natural", work / "natural.mp4")):
        print(f"  {name} output: {path.stat().st_size / 2**20:.1f} MiB")


def ssim(ffmpeg: str, frames: list[Path], encoded: Path, output_for_args: Path) -> str:
    """SSIM of ``encoded`` against lapsefile's own unencoded frames (same graph, no encoder)."""
    from lapsefile.engine import pipeline
    from lapsefile.engine.job import Canvas, RenderJob
    from lapsefile.engine.photos import group_photos
    from lapsefile.engine.workdir import Workdir

    job = RenderJob(root=output_for_args.parent, frames=tuple(frames), fps=FPS,
                    duration=SECONDS, hold=SECONDS / len(frames), canvas=Canvas(WIDTH, HEIGHT),
                    output=output_for_args)
    with Workdir() as work:
        args = pipeline.build([job], group_photos(list(frames)), [output_for_args], work)
        real = args.real
        cut = real.index("-filter_complex")
        inputs, graph, label = real[:cut], real[cut + 1], real[real.index("-map") + 1]
        number = inputs.count("-i")
        graph += (f";[{number}:v]settb=1/{FPS},setpts=N[enc];{label}settb=1/{FPS},setpts=N[ref];"
                  "[enc][ref]ssim")
        done = subprocess.run([ffmpeg, "-hide_banner", *inputs, "-i", str(encoded),
                               "-filter_complex", graph, "-f", "null", "-"],
                              cwd=work.path, capture_output=True, text=True, check=True)
    match = re.search(r"SSIM .*All:(\S+)", done.stderr)
    return match.group(1) if match else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-medium", action="store_true")
    parser.add_argument("--skip-ssim", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(json.loads(options.child))
        return

    from lapsefile.engine import encode
    from lapsefile.engine.ffmpeg import find_ffmpeg
    from lapsefile.engine.testing import make_photos

    ffmpeg = find_ffmpeg()
    standard = encode.PRESETS["standard"]
    with work_folder("render", options.keep) as work:
        print(f"ffmpeg {ffmpeg.version}; default quality: x264 {standard.x264}, CRF "
              f"{standard.crf264}, {encode.ENCODER_THREADS} encoder threads; {os.cpu_count()} "
              f"cores; work folder {work}")
        started = time.perf_counter()
        photos = make_photos(work / "photos", PHOTOS, (3000, 2000), ffmpeg.path)
        (work / "lapse.yaml").write_text(SPEC)
        print(f"generated {PHOTOS} photos of 3000x2000 in {time.perf_counter() - started:.1f} s "
              f"({sum(p.stat().st_size for p in photos) / 2**20:.0f} MiB)")
        head_to_head(ffmpeg.path, work, options.rounds)
        base = {"root": str(work), "frames": [str(p) for p in photos], "seconds": SECONDS,
                "width": WIDTH, "height": HEIGHT}
        peak_200 = None
        if not options.skip_medium:
            medium = run_child({**base, "output": str(work / "medium.mp4"), "x264": "medium"})
            peak_200 = medium["peak_mb"]
            default = work / "out" / "lapsefile.mp4"
            print(f"\n  same render with x264 medium (engine only): {medium['wall']:6.1f} s")
            print(f"  file size: default {default.stat().st_size / 2**20:.1f} MiB, medium "
                  f"{medium['size'] / 2**20:.1f} MiB")
            if not options.skip_ssim:
                print(f"  SSIM vs unencoded frames: default "
                      f"{ssim(ffmpeg.path, photos, default, work / 'x.mp4')}, "
                      f"medium {ssim(ffmpeg.path, photos, work / 'medium.mp4', work / 'x.mp4')}")
        if not options.skip_memory:
            memory(work, ffmpeg.path, base, peak_200)


def memory(work: Path, ffmpeg: str, base: dict, peak_200: float | None) -> None:
    """Peak memory of the Python process rendering 200 big photos, and 200 and 2,000 small."""
    from lapsefile.engine.testing import make_photos

    if peak_200 is None:
        peak_200 = run_child({**base, "output": str(work / "memory-big.mp4")})["peak_mb"]
    small = make_photos(work / "small", 2000, (320, 180), ffmpeg)
    peaks = {}
    for count in (200, 2000):
        result = run_child({"root": str(work), "frames": [str(p) for p in small[:count]],
                            "seconds": count / FPS, "width": 320, "height": 180,
                            "output": str(work / f"memory-{count}.mp4")})
        peaks[count] = result["peak_mb"]
    print("\npeak memory of the lapsefile (Python) process, ffmpeg excluded "
          "(target <= 150 MB, flat):")
    print(f"  200 photos of 3000x2000 -> 1080p: {peak_200:6.1f} MB")
    print(f"  200 photos of 320x180:            {peaks[200]:6.1f} MB")
    print(f"  2,000 photos of 320x180:          {peaks[2000]:6.1f} MB")


if __name__ == "__main__":
    main()
