"""Benchmark: 24 MP camera JPEGs into a 1080p video, ``lapsefile run`` against plain ffmpeg.

    python bench/decode_bench.py [--photos 90] [--rounds 3] [--skip-vmaf] [--keep]

1. Generates ``--photos`` camera-like JPEGs of 6000x4000 (a moving test pattern with
   sensor-like noise, Pillow at quality 92 with 4:2:0 chroma, an EXIF block with an
   orientation tag, about 7 MB each as a 24 MP camera writes them) and a ``lapse.yaml``
   playing them one photo per frame at 24 fps (the usual timelapse: a photo every few
   seconds, played as video) into a 1080p 16:9 cover video at the default quality.
2. Runs, side by side in one run (in a rotating order), for ``--rounds`` rounds, as whole
   processes: ``lapsefile run lapse.yaml`` with the photos already hashed (``.lapsefile/``
   kept, lock and output removed: the render is what is measured), the natural command a
   user would type with the same preset and CRF::

       ffmpeg -framerate 24 -i photos/IMG_%d.jpg
              -vf scale=1920:1280,crop=1920:1080,fps=24,format=yuv420p
              -c:v libx264 -preset veryfast -crf 20 -movflags +faststart out.mp4

   the same command with ``-lowres 1`` on its input (what ffmpeg's own reduced-size JPEG
   decoding gives), and lapsefile decoding one photo at a time (``photos.MAX_DECODERS`` 1:
   what decoding on every core gives; ``engine/feed.py`` decodes these photos).
   Wall and CPU time (the process and everything it waited for: ``RUSAGE_CHILDREN``),
   medians, ratios to the natural command (target: lapsefile >= 1.5x faster in wall time).
   The sha256 of every lapsefile output, with either number of decoding threads, is
   compared (byte-reproducible).
3. Quality: SSIM and (``libvmaf`` permitting) VMAF of each output against a full-quality
   reference of the same frames: every photo decoded at full size, lanczos, lossless x264.
   Each stream is converted to 10-bit 4:4:4 BT.709 before comparing, so the natural
   command's BT.601 and lapsefile's BT.709 are compared as the pictures they mean; SSIM is
   given over the three planes and for luma alone (VMAF reads luma only).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from measure import load_average, measured, round_robin, work_folder

FPS, WIDTH, HEIGHT = 24, 1920, 1080
PHOTO = (6000, 4000)
QUALITY = 92

RUNS = {"natural": "natural ffmpeg command",
        "lowres": "natural command, -lowres 1",
        "lapsefile": "lapsefile run",
        "single": "lapsefile run, one decoder"}
# lapsefile as it would run decoding one photo at a time (what decoding on every core gains,
# measured side by side)
ONE_DECODER = ("import runpy, sys; import lapsefile.engine.photos as photos; "
               "photos.MAX_DECODERS = 1; sys.argv = ['lapsefile', 'run', 'lapse.yaml']; "
               "runpy.run_module('lapsefile', run_name='__main__')")


def spec_text(count: int) -> str:
    return f"""version: 1
frames:
  include: ["photos/*.jpg"]
  sort: natural
timing:
  fps: {FPS}
  duration: {count / FPS!r}s
outputs:
  - path: out/lapsefile.mp4
    size: 1080p
    aspect: "16:9"
    fit: cover
"""


def make_camera_photos(folder: Path, count: int, ffmpeg: str) -> list[Path]:
    """``count`` 24 MP JPEGs as a camera writes them: ffmpeg draws the frames (a moving
    pattern with per-frame noise, so the entropy coder has a camera's work), Pillow encodes
    them at quality 92, 4:2:0, with an EXIF block."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    width, height = PHOTO
    source = subprocess.Popen(
        [ffmpeg, "-nostdin", "-v", "error", "-f", "lavfi", "-i",
         f"testsrc2=size={width}x{height}:rate=5", "-vf", "noise=alls=20:allf=t+u",
         "-frames:v", str(count), "-pix_fmt", "rgb24", "-f", "rawvideo", "-"],
        stdout=subprocess.PIPE)
    assert source.stdout is not None
    paths = []
    for i in range(1, count + 1):
        image = Image.frombytes("RGB", PHOTO, source.stdout.read(width * height * 3))
        exif = Image.Exif()
        exif[0x0112] = 1  # orientation: upright, written as cameras do
        exif[0x010F] = "lapsefile bench"
        path = folder / f"IMG_{i}.jpg"
        image.save(path, "JPEG", quality=QUALITY, subsampling="4:2:0", exif=exif.tobytes())
        paths.append(path)
    source.wait()
    return paths


def natural_command(ffmpeg: str, output: str, lowres: bool = False) -> list[str]:
    """What a user would type: the photo sequence at one photo per frame, the same cover
    fit, x264 with lapsefile's default preset and CRF, nothing else."""
    from lapsefile.engine.encode import PRESETS

    standard = PRESETS["standard"]
    return [ffmpeg, "-nostdin", "-v", "error", "-y", *(["-lowres", "1"] if lowres else []),
            "-framerate", str(FPS), "-i", "photos/IMG_%d.jpg",
            "-vf", f"scale={WIDTH}:{round(WIDTH * PHOTO[1] / PHOTO[0])},crop={WIDTH}:{HEIGHT},"
                   f"fps={FPS},format=yuv420p",
            "-c:v", "libx264", "-preset", standard.x264, "-crf", str(standard.crf264),
            "-movflags", "+faststart", output]


def command_for(name: str, ffmpeg: str, work: Path) -> list[str]:
    if name in ("lapsefile", "single"):
        shutil.rmtree(work / "out", ignore_errors=True)
        (work / "lapse.lock").unlink(missing_ok=True)
        if name == "single":
            return [sys.executable, "-c", ONE_DECODER]
        return [sys.executable, "-m", "lapsefile", "run", "lapse.yaml"]
    return natural_command(ffmpeg, f"{name}.mp4", lowres=name == "lowres")


def head_to_head(ffmpeg: str, work: Path, rounds: int, count: int) -> set[str]:
    """Every command of ``RUNS`` per round in a rotating order; medians and ratios. Returns
    the sha256 of each lapsefile output."""
    digests: set[str] = set()

    def run(name: str) -> tuple[float, float]:
        measure = measured(command_for(name, ffmpeg, work), work)
        if name in ("lapsefile", "single"):
            digests.add(sha256(work / "out" / "lapsefile.mp4"))
        return measure

    medians = round_robin(list(RUNS), run, rounds)
    wall = {name: m[0] for name, m in medians.items()}
    cpu = {name: m[1] for name, m in medians.items()}
    print(f"\n{count} photos of {PHOTO[0]}x{PHOTO[1]} -> {HEIGHT}p{FPS}, medians of {rounds} "
          "(speed-up over the natural command; target >= 1.5 in wall time):")
    for name, label in RUNS.items():
        print(f"  {label + ':':30s} {wall[name]:6.2f} s wall ({wall['natural'] / wall[name]:.2f}x)"
              f"  {cpu[name]:6.2f} s CPU ({cpu['natural'] / cpu[name]:.2f}x)")
    return digests


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_reference(ffmpeg: str, work: Path) -> Path:
    """The same frames at full quality: full-size decoding, lanczos, lossless x264."""
    out = work / "reference.mkv"
    subprocess.run([ffmpeg, "-nostdin", "-v", "error", "-y", "-framerate", str(FPS),
                    "-i", "photos/IMG_%d.jpg", "-vf",
                    f"scale={WIDTH}:{round(WIDTH * PHOTO[1] / PHOTO[0])}:flags=lanczos:"
                    f"out_color_matrix=bt709:out_range=tv,crop={WIDTH}:{HEIGHT},"
                    "format=yuv444p10le",
                    "-c:v", "libx264", "-qp", "0", "-preset", "ultrafast", str(out)],
                   cwd=work, check=True)
    return out


_COMMON = f"scale=out_color_matrix=bt709:out_range=tv,format=yuv444p10le,settb=1/{FPS},setpts=N"


def scores(ffmpeg: str, encoded: Path, reference: Path, vmaf: bool) -> str:
    """SSIM (and VMAF) of ``encoded`` against ``reference``, frame by frame."""
    graph = f"[0:v]{_COMMON}[a];[1:v]{_COMMON}[b];[a][b]ssim"
    done = subprocess.run([ffmpeg, "-nostdin", "-hide_banner", "-i", str(encoded),
                           "-i", str(reference), "-filter_complex", graph, "-f", "null", "-"],
                          capture_output=True, text=True, check=True)
    match = re.search(r"SSIM Y:(\S+) .*All:(\S+)", done.stderr)
    text = f"SSIM {match.group(2)} (luma {match.group(1)})" if match else "SSIM ?"
    if vmaf:
        graph = (f"[0:v]{_COMMON}[a];[1:v]{_COMMON}[b];"
                 f"[a][b]libvmaf=n_threads={os.cpu_count() or 1}")
        done = subprocess.run([ffmpeg, "-nostdin", "-hide_banner", "-i", str(encoded),
                               "-i", str(reference), "-filter_complex", graph, "-f", "null",
                               "-"], capture_output=True, text=True, check=True)
        match = re.search(r"VMAF score: (\S+)", done.stderr)
        text += f", VMAF {match.group(1) if match else '?'}"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=90)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-vmaf", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args()

    from lapsefile.engine.ffmpeg import find_ffmpeg

    ffmpeg = find_ffmpeg()
    with work_folder("decode", options.keep) as work:
        print(f"ffmpeg {ffmpeg.version}; {os.cpu_count()} cores, load average "
              f"{load_average()}; work folder {work}")
        started = time.perf_counter()
        photos = make_camera_photos(work / "photos", options.photos, ffmpeg.path)
        (work / "lapse.yaml").write_text(spec_text(options.photos))
        print(f"generated {len(photos)} photos of {PHOTO[0]}x{PHOTO[1]} in "
              f"{time.perf_counter() - started:.1f} s "
              f"({sum(p.stat().st_size for p in photos) / len(photos) / 2**20:.1f} MiB each)")
        # the first run hashes the photos: not measured, the render is
        measured(command_for("lapsefile", ffmpeg.path, work), work)
        digests = head_to_head(ffmpeg.path, work, options.rounds, len(photos))
        print(f"  lapsefile outputs: {len(digests)} distinct sha256 over {options.rounds} runs "
              f"({'byte-reproducible' if len(digests) == 1 else 'NOT reproducible'})")
        reference = make_reference(ffmpeg.path, work)
        vmaf = ffmpeg.has("libvmaf") and not options.skip_vmaf
        print("\nquality against the full-quality reference (full-size decode, lanczos, "
              "lossless):")
        for name, path in (("natural", work / "natural.mp4"), ("lowres", work / "lowres.mp4"),
                           ("lapsefile", work / "out" / "lapsefile.mp4")):
            print(f"  {RUNS[name] + ':':30s} {scores(ffmpeg.path, path, reference, vmaf)}, "
                  f"{path.stat().st_size / 2**20:.1f} MiB", flush=True)
        print(f"load average at the end: {load_average()}")


if __name__ == "__main__":
    main()
