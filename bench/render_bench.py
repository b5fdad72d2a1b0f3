"""Benchmark of lapsefile's local render engine.

    python bench/render_bench.py [--rounds 2] [--skip-medium] [--skip-ssim] [--keep]

1. Generates 200 photo-like JPEGs of 3000x2000 (a moving test pattern with sensor-like noise)
   in a temporary folder.
2. Renders a 30 s 1080p24 video from them with lapsefile's engine (default quality), and with
   the equivalent hand-written ffmpeg command using the same encoder settings, alternating
   the two for ``--rounds`` rounds; prints the best wall time of each and their ratio.
3. Renders the same video with x264 ``medium`` through the same pipeline, and compares both
   encodes with the unencoded frames (SSIM), to show what the default preset gives up.
4. Prints the peak memory of the Python process alone (ru_maxrss of a child process that
   renders; ffmpeg is its child and not counted) for 200 and 2,000 photos.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FPS, SECONDS, WIDTH, HEIGHT = 24, 30.0, 1920, 1080


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


def hand_written(ffmpeg: str, frames: list[Path], work: Path, output: Path) -> float:
    """The command a person would write: concat list with durations, scale + crop, same
    encoder settings as lapsefile's default."""
    from lapsefile.engine.encode import video_args

    hold = SECONDS / len(frames)
    lines = []
    for frame in frames:
        lines += [f"file '{frame}'", f"duration {hold}"]
    lines.append(f"file '{frames[-1]}'")
    listing = work / "hand.txt"
    listing.write_text("\n".join(lines) + "\n")
    command = [ffmpeg, "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing),
               "-vf", (f"scale={WIDTH}:{HEIGHT}:force_original_aspect_ratio=increase,"
                       f"crop={WIDTH}:{HEIGHT},setsar=1,fps={FPS},format=yuv420p"),
               *video_args("h264", "standard", (WIDTH, HEIGHT), str(FPS), FPS),
               "-frames:v", str(round(SECONDS * FPS)), "-movflags", "+faststart", str(output)]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - started


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
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--skip-medium", action="store_true")
    parser.add_argument("--skip-ssim", action="store_true")
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
    work = Path(tempfile.mkdtemp(prefix="lapsefile-bench-"))
    print(f"ffmpeg {ffmpeg.version}; default quality: x264 {standard.x264}, CRF "
          f"{standard.crf264}, {encode.ENCODER_THREADS} encoder threads; work folder {work}")
    try:
        started = time.perf_counter()
        photos = make_photos(work / "photos", 200, (3000, 2000), ffmpeg.path)
        print(f"generated 200 photos of 3000x2000 in {time.perf_counter() - started:.1f} s "
              f"({sum(p.stat().st_size for p in photos) / 2**20:.0f} MiB)")
        base = {"root": str(work), "frames": [str(p) for p in photos], "seconds": SECONDS,
                "width": WIDTH, "height": HEIGHT}

        ours, hand, peak_200 = [], [], 0.0
        for n in range(options.rounds):
            result = run_child({**base, "output": str(work / f"lapsefile-{n}.mp4")})
            ours.append(result["wall"])
            peak_200 = max(peak_200, result["peak_mb"])
            hand.append(hand_written(ffmpeg.path, photos, work, work / f"hand-{n}.mp4"))
            print(f"round {n + 1}: lapsefile {ours[-1]:.1f} s, hand-written ffmpeg "
                  f"{hand[-1]:.1f} s")
        print(f"\n30 s 1080p24 from 200 x 3000x2000, best of {options.rounds}:")
        print(f"  lapsefile engine ({standard.x264}, CRF {standard.crf264}): {min(ours):6.1f} s")
        print(f"  hand-written ffmpeg, same settings:   {min(hand):6.1f} s")
        print(f"  ratio lapsefile / hand-written:       {min(ours) / min(hand):6.3f}"
              f"  (target <= 1.05)")

        if not options.skip_medium:
            medium = run_child({**base, "output": str(work / "medium.mp4"), "x264": "medium"})
            default_size = (work / "lapsefile-0.mp4").stat().st_size
            print(f"  same render with x264 medium:         {medium['wall']:6.1f} s")
            print(f"  file size: default {default_size / 2**20:.1f} MiB, medium "
                  f"{medium['size'] / 2**20:.1f} MiB")
            if not options.skip_ssim:
                print(f"  SSIM vs unencoded frames: default "
                      f"{ssim(ffmpeg.path, photos, work / 'lapsefile-0.mp4', work / 'x.mp4')}, "
                      f"medium {ssim(ffmpeg.path, photos, work / 'medium.mp4', work / 'x.mp4')}")

        small = make_photos(work / "small", 2000, (320, 180), ffmpeg.path)
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
    finally:
        if options.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
