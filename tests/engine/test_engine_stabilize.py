"""look.stabilize: a shaking camera steadied in two passes, the first cached by what it saw."""

from __future__ import annotations

import random
import statistics
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from lapsefile.engine.ffmpeg import find_ffmpeg
from lapsefile.engine.job import Canvas, RenderJob
from lapsefile.engine.look_passes import CACHE
from lapsefile.engine.probe import decode_frames
from lapsefile.engine.render import render, required_features
from lapsefile.looks.stabilize import Stabilize
from lapsefile.paths import state_dir
from lapsefile.spec.model import Look, Title

from .conftest import write_script

SIZE = (320, 180)
MARGIN = 48  # the scene is larger than a photo by this on each side: room to shake and pan


def _scene() -> Image.Image:
    """A textured scene (vid.stab needs contrast to track) with one white marker square."""
    rng = random.Random(7)
    scene = Image.new("RGB", (SIZE[0] + 2 * MARGIN, SIZE[1] + 2 * MARGIN), (40, 60, 50))
    draw = ImageDraw.Draw(scene)
    for _ in range(260):
        x, y = rng.randrange(scene.width), rng.randrange(scene.height)
        w, h = rng.randrange(4, 22), rng.randrange(4, 22)
        shade = rng.randrange(0, 200)
        draw.rectangle((x, y, x + w, y + h), fill=(shade, 200 - shade, (shade * 3) % 200))
    cx, cy = scene.width // 2, scene.height // 2
    draw.rectangle((cx - 6, cy - 6, cx + 6, cy + 6), fill=(255, 255, 255))
    return scene


def _shaken_photos(folder: Path, count: int = 24, pan: float = 0.0
                   ) -> tuple[list[Path], list[tuple[int, int]]]:
    """Photos of the scene from a camera that jumps up to 12 px between shots, and turns
    ``pan`` px to the right per shot."""
    folder.mkdir(parents=True)
    scene, rng = _scene(), random.Random(11)
    paths, shifts = [], []
    for i in range(count):
        dx = rng.randint(-12, 12) + round(pan * (i - count / 2))
        dy = rng.randint(-12, 12)
        left, top = MARGIN + dx, MARGIN + dy
        path = folder / f"IMG_{i + 1}.jpg"
        scene.crop((left, top, left + SIZE[0], top + SIZE[1])).save(path, quality=95)
        paths.append(path)
        shifts.append((dx, dy))
    return paths, shifts


def _marker_path(video: Path) -> list[tuple[float, float]]:
    """Where the white marker is in each frame (the centroid of its near-white pixels)."""
    width, height = SIZE
    found = []
    for frame in decode_frames(video, width, height):
        xs = ys = n = 0
        for i in range(0, len(frame), 3):
            if frame[i] > 235 and frame[i + 1] > 235 and frame[i + 2] > 235:
                p = i // 3
                xs, ys, n = xs + p % width, ys + p // width, n + 1
        assert n, "the marker left the frame"
        found.append((xs / n, ys / n))
    return found


def _jumps(path: list[tuple[float, float]]) -> list[float]:
    return [abs(b[0] - a[0]) + abs(b[1] - a[1]) for a, b in zip(path, path[1:])]


@pytest.fixture
def shaken(tmp_path: Path) -> RenderJob:
    photos, _ = _shaken_photos(tmp_path / "photos")
    # one frame per photo: every frame is a new camera position
    return RenderJob(root=tmp_path, frames=tuple(photos), fps=12, duration=2.0, hold=1 / 12,
                     canvas=Canvas(*SIZE), output=tmp_path / "out" / "steady.mp4")


def test_a_still_camera_holds_the_scene_still(shaken: RenderJob, ffmpeg) -> None:
    shaky = render([replace(shaken, output=shaken.root / "out" / "shaky.mp4")], ffmpeg)[0]
    steady = render([replace(shaken, look=Look(stabilize=Stabilize(smoothing=0)))], ffmpeg)[0]
    before, after = _jumps(_marker_path(shaky.output)), _jumps(_marker_path(steady.output))
    assert statistics.mean(before) > 8  # the camera really shakes
    assert statistics.mean(after) < statistics.mean(before) / 4, (before, after)
    assert max(after) < 4


def test_smoothing_follows_a_pan_without_the_shake(tmp_path: Path, ffmpeg) -> None:
    photos, _ = _shaken_photos(tmp_path / "photos", pan=1.5)
    job = RenderJob(root=tmp_path, frames=tuple(photos), fps=12, duration=2.0, hold=1 / 12,
                    canvas=Canvas(*SIZE), output=tmp_path / "out" / "pan.mp4")
    panned = _marker_path(render([replace(job, look=Look(stabilize=Stabilize(smoothing=8)))],
                                 ffmpeg)[0].output)
    # The camera turned right, so the scene moves left: smoothing keeps that move...
    assert panned[0][0] - panned[-1][0] > 20
    # ...as a glide: no jump between two frames comes near the shake (up to 24 px).
    assert max(_jumps(panned)) < 5, _jumps(panned)


def _counting_ffmpeg(tmp_path: Path, log: Path):
    real = find_ffmpeg()
    script = write_script(tmp_path / "ffmpeg-logged",
                          f'echo "$*" >> "{log}"\nexec "{real.path}" "$@"\n')
    return find_ffmpeg(str(script))


def test_the_analysis_is_cached_past_a_title_change(shaken: RenderJob, tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    ffmpeg = _counting_ffmpeg(tmp_path, log)
    job = replace(shaken, look=Look(stabilize=Stabilize()))
    first = render([replace(job, titles=(Title("Morning"),))], ffmpeg)[0]
    second = render([replace(job, titles=(Title("Evening"),))], ffmpeg)[0]
    analyses = [line for line in log.read_text().splitlines() if "vidstabdetect" in line]
    assert len(analyses) == 1 and first.sha256 != second.sha256
    assert len(list((state_dir(tmp_path).joinpath(*CACHE)).iterdir())) == 1
    # Different photos are another analysis.
    (tmp_path / "photos" / "IMG_3.jpg").write_bytes((tmp_path / "photos" / "IMG_4.jpg")
                                                    .read_bytes())
    render([job], ffmpeg)
    analyses = [line for line in log.read_text().splitlines() if "vidstabdetect" in line]
    assert len(analyses) == 2


def test_the_render_is_reproducible_with_or_without_the_cache(shaken: RenderJob,
                                                             ffmpeg) -> None:
    job = replace(shaken, look=Look(stabilize=Stabilize(smoothing=4)))
    fresh = render([job], ffmpeg)[0].sha256
    cached = render([job], ffmpeg)[0].sha256
    for entry in state_dir(shaken.root).joinpath(*CACHE).iterdir():
        entry.unlink()
    again = render([job], ffmpeg)[0].sha256
    assert fresh == cached == again


def test_one_photo_is_left_as_it_is(shaken: RenderJob, ffmpeg) -> None:
    job = replace(shaken, frames=shaken.frames[:1], duration=1.0, hold=1.0,
                  look=Look(stabilize=Stabilize()))
    assert not required_features(job) & {"vidstabdetect", "vidstabtransform"}
    result = render([job], ffmpeg)[0]
    assert result.size > 0
