"""``motion``: the camera move rendered by ffmpeg, measured on a marker in the decoded frames.

The photos are black with one white square; its centroid (weighted by brightness, so it moves
by fractions of a pixel) and its brightness sum (its area) are read from every frame and
compared with where :func:`lapsefile.motion.window` says the marker must be.
"""

from __future__ import annotations

import math
import statistics
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw

from lapsefile.cli.main import cli
from lapsefile.engine.ffmpeg import Ffmpeg
from lapsefile.engine.job import Canvas, RenderJob
from lapsefile.engine.motion import perspective
from lapsefile.engine.probe import decode_frames
from lapsefile.engine.render import render, required_features
from lapsefile.motion import window
from lapsefile.spec.model import Motion, TextStyle, Title, View

W, H = 160, 90
MARKER = (100, 36, 108, 44)  # left, top, right, bottom (exclusive): 8x8 pixels
MARKER_CENTER = ((MARKER[0] + MARKER[2]) / 2, (MARKER[1] + MARKER[3]) / 2)  # 104, 40
FRAMES = 24  # 12 fps for 2 s

Marker = tuple[float, float, float]  # x, y, brightness sum (proportional to the area)


def _photos(folder: Path, count: int = 4) -> list[Path]:
    folder.mkdir(parents=True)
    paths = []
    for i in range(1, count + 1):
        image = Image.new("RGB", (W, H), (0, 0, 0))
        ImageDraw.Draw(image).rectangle((MARKER[0], MARKER[1], MARKER[2] - 1, MARKER[3] - 1),
                                        fill=(255, 255, 255))
        path = folder / f"IMG_{i}.png"
        image.save(path)
        paths.append(path)
    return paths


@pytest.fixture
def marker_job(tmp_path: Path) -> Callable[..., RenderJob]:
    photos = tuple(_photos(tmp_path / "photos"))

    def make(motion: Motion | None, name: str = "video.mp4", **changes: object) -> RenderJob:
        base = dict(root=tmp_path, frames=photos, fps=12, duration=FRAMES / 12, hold=0.5,
                    canvas=Canvas(W, H), output=tmp_path / "out" / name, motion=motion,
                    quality="high")
        return RenderJob(**{**base, **changes})  # type: ignore[arg-type]
    return make


def _markers(video: Path, ffmpeg: Ffmpeg) -> list[Marker]:
    return [_marker(frame) for frame in decode_frames(video, W, H, ffmpeg)]


def _marker(frame: bytes) -> Marker:
    """The marker's brightness-weighted centroid (pixel centres at +0.5) and weight."""
    sx = sy = total = 0.0
    for p in range(W * H):
        weight = frame[3 * p + 1] - 24  # above the encoder's black and its noise
        if weight > 0:
            sx += weight * (p % W + 0.5)
            sy += weight * (p // W + 0.5)
            total += weight
    assert total, "the marker left the frame"
    return sx / total, sy / total, total


def _expected(motion: Motion, frame: int, frames: int = FRAMES) -> tuple[float, float]:
    """Where the marker's centre must be in ``frame``: the window maps to the whole frame."""
    shown = window(motion, frame / (frames - 1))
    return ((MARKER_CENTER[0] - shown.left * W) / shown.size,
            (MARKER_CENTER[1] - shown.top * H) / shown.size)


def _render(job: RenderJob, ffmpeg: Ffmpeg) -> list[Marker]:
    [result] = render([job], ffmpeg)
    return _markers(result.output, ffmpeg)


def test_a_move_reaches_its_views_at_the_first_and_last_frames(marker_job, ffmpeg) -> None:
    move = Motion(View(1.0, (0.5, 0.5)), View(1.5, (0.6, 0.4)), "ease-in-out")
    still = _render(marker_job(None, "still.mp4"), ffmpeg)
    moved = _render(marker_job(move), ffmpeg)
    assert len(moved) == FRAMES
    assert still[0][:2] == pytest.approx(MARKER_CENTER, abs=0.2)
    first, last = moved[0], moved[-1]
    assert first[:2] == pytest.approx(_expected(move, 0), abs=0.3)  # zoom 1: as still
    assert last[:2] == pytest.approx(_expected(move, FRAMES - 1), abs=1.0)
    # by hand: the window is 2/3 of each side from (0.6 - 1/3, 0.4 - 1/3), i.e. from
    # (42.67, 6) px, so the marker's centre (104, 40) lands at 1.5 * (61.33, 34)
    assert last[:2] == pytest.approx((92.0, 51.0), abs=1.0)
    # the marker grew with the zoom: its area by 1.5 squared
    assert last[2] / first[2] == pytest.approx(1.5 ** 2, rel=0.1)
    assert math.dist(last[:2], still[-1][:2]) > 15  # the move visibly changes the frame


def test_every_frame_follows_the_path(marker_job, ffmpeg) -> None:
    move = Motion(View(1.0, (0.5, 0.5)), View(2.0, (0.7, 0.5)), "ease-in-out")
    found = _render(marker_job(move), ffmpeg)
    for frame, marker in enumerate(found):
        assert marker[:2] == pytest.approx(_expected(move, frame), abs=0.5), frame


def test_ease_in_out_is_slow_at_the_ends_and_linear_is_even(marker_job, ffmpeg) -> None:
    # a pan at one zoom: the marker's speed is the camera's
    pan = Motion(View(1.5, (0.4, 0.5)), View(1.5, (0.6, 0.5)), "ease-in-out")
    eased = _render(marker_job(pan), ffmpeg)
    speeds = [abs(b[0] - a[0]) for a, b in zip(eased, eased[1:])]  # pixels a frame
    fastest = max(speeds)
    assert speeds[0] < fastest / 8 and speeds[-1] < fastest / 8
    assert speeds.index(fastest) in range(FRAMES // 2 - 2, FRAMES // 2 + 1)  # the middle
    rising, falling = speeds[:FRAMES // 2 - 1], speeds[FRAMES // 2 + 1:]  # around the top
    assert rising == sorted(rising) and falling == sorted(falling, reverse=True)
    linear = _render(marker_job(Motion(pan.from_, pan.to, "linear"), "linear.mp4"), ffmpeg)
    steps = [abs(b[0] - a[0]) for a, b in zip(linear, linear[1:])]
    assert max(steps) - min(steps) < 0.15 * statistics.fmean(steps)
    # both travel the same way, from the same place to the same place
    assert eased[0][:2] == pytest.approx(linear[0][:2], abs=0.2)
    assert eased[-1][:2] == pytest.approx(linear[-1][:2], abs=0.2)


def _slow_pan() -> Motion:
    """A pan of 0.42 pixels a frame: whole-pixel steps would stall, then jump."""
    return Motion(View(1.5, (0.46, 0.5)), View(1.5, (0.5, 0.5)), "linear")


def _zoompan_markers(job: RenderJob, ffmpeg: Ffmpeg, move: Motion) -> list[Marker]:
    """The same pan by zoompan, which puts its window on whole pixels (the naive way)."""
    zoom = move.to.zoom
    x0, x1 = ((move.from_.center[0] - 0.5 / zoom) * W, (move.to.center[0] - 0.5 / zoom) * W)
    y = (move.to.center[1] - 0.5 / zoom) * H
    graph = (f"zoompan=z={zoom}:x='{x0}+({x1}-{x0})*on/{FRAMES - 1}':y={y}:d=1:"
             f"s={W}x{H}:fps=12")
    out = job.output.parent / "zoompan.mp4"
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([ffmpeg.path, "-v", "error", "-y", "-loop", "1", "-i", f"file:{job.frames[0]}",
                    "-vf", graph + ",format=yuv420p", "-frames:v", str(FRAMES), "-c:v",
                    "libx264", "-crf", "12", f"file:{out}"], check=True, capture_output=True)
    return _markers(out, ffmpeg)


def _jitter(found: list[Marker], move: Motion) -> float:
    """Root mean square distance (x, pixels) of the marker from its ideal path."""
    return statistics.fmean((m[0] - _expected(move, i)[0]) ** 2
                            for i, m in enumerate(found)) ** 0.5


def test_a_slow_pan_is_smooth_to_the_sub_pixel(marker_job, ffmpeg) -> None:
    move = _slow_pan()
    job = marker_job(move)
    found = _render(job, ffmpeg)
    steps = [b[0] - a[0] for a, b in zip(found, found[1:])]
    ideal = (_expected(move, FRAMES - 1)[0] - _expected(move, 0)[0]) / (FRAMES - 1)
    assert -0.5 < ideal < -0.2  # the test's premise: less than a pixel a frame
    # no stair-steps: the marker moves every frame, by about the same fraction of a pixel
    assert all(step < 0 for step in steps), steps
    assert max(abs(step - ideal) for step in steps) < 0.15, steps
    ours = _jitter(found, move)
    naive = _jitter(_zoompan_markers(job, ffmpeg, move), move)
    assert ours < 0.1
    assert naive > 3 * ours  # zoompan's whole-pixel window: the judder this avoids


def test_titles_stay_put_while_the_camera_moves(tmp_path, ffmpeg) -> None:
    # A flat photo: the move changes nothing in it, so any change is the title's.
    photo = tmp_path / "flat.png"
    Image.new("RGB", (W, H), (40, 40, 40)).save(photo)
    title = Title("MOVE", style=TextStyle(position="center", size=0.3, box=False))
    move = Motion(View(1.0, (0.5, 0.5)), View(3.0, (0.5, 0.5)), "linear")

    def frames(motion: Motion | None, name: str) -> list[bytes]:
        job = RenderJob(root=tmp_path, frames=(photo,), fps=12, duration=1.0, hold=1.0,
                        canvas=Canvas(W, H), output=tmp_path / name, titles=(title,),
                        motion=motion, quality="high")
        [result] = render([job], ffmpeg)
        return decode_frames(result.output, W, H, ffmpeg)

    still, moved = frames(None, "still.mp4"), frames(move, "moved.mp4")
    bright = [sum(1 for v in frame[1::3] if v > 128) for frame in moved]
    assert bright[0] > 100  # the title is there
    # the same title in the last frame, though the camera is then at zoom 3
    assert bright[-1] == pytest.approx(bright[0], rel=0.05)
    difference = max(abs(a - b) for a, b in zip(still[-1], moved[-1]))
    assert difference < 40


def test_the_filter_and_its_feature(marker_job) -> None:
    move = _slow_pan()
    text = perspective(move, FRAMES)
    assert text.startswith("perspective=") and "eval=frame" in text
    assert "\\," in text  # the expressions' commas are escaped for the filter graph
    assert "perspective" in required_features(marker_job(move))
    assert "perspective" not in required_features(marker_job(None))


def test_lapse_yaml_motion_reaches_the_render(tmp_path, ffmpeg) -> None:
    """From lapse.yaml through the local backend: each output makes the same relative move."""
    _photos(tmp_path / "photos")
    (tmp_path / "lapse.yaml").write_text(
        "version: 1\nframes: photos/*.png\ntiming: {fps: 12, duration: 1s}\n"
        "motion: {to: {zoom: 2, center: [0.6, 0.5]}, easing: linear}\n"
        f"outputs:\n  - {{path: out/a.mp4, size: {W}x{H}, quality: high}}\n"
        f"  - {{path: out/b.mp4, size: {2 * W}x{2 * H}, quality: high}}\n")
    result = CliRunner().invoke(cli, ["run", str(tmp_path / "lapse.yaml")])
    assert result.exit_code == 0, result.output
    move = Motion(View(), View(2.0, (0.6, 0.5)), "linear")
    small = _markers(tmp_path / "out" / "a.mp4", ffmpeg)
    assert small[-1][:2] == pytest.approx(_expected(move, 11, frames=12), abs=0.5)
    big = decode_frames(tmp_path / "out" / "b.mp4", W, H, ffmpeg)  # scaled back to compare
    assert _marker(big[-1])[:2] == pytest.approx(small[-1][:2], abs=0.5)
