"""look.exposure: a stepped day-to-night ramp made smooth, its darkening kept; real renders."""

from __future__ import annotations

import itertools
import statistics
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from lapsefile.engine.look_passes import CACHE
from lapsefile.engine.probe import decode_frames, mean_rgb
from lapsefile.engine.render import required_features
from lapsefile.looks.exposure import Exposure
from lapsefile.paths import state_dir
from lapsefile.spec.model import Look

COUNT = 24
# A sunset: the light falls slowly (1.5 % a photo) and the photographer's exposure drops a
# quarter at photos 6, 12 and 18: three sudden steps of 57, 39 and 26 levels.
RAMP = [round(235 * 0.985 ** i * 0.75 ** (i // 6)) for i in range(COUNT)]


def _greys(folder: Path, levels: list[int]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, level in enumerate(levels):
        path = folder / f"IMG_{n + 1}.jpg"
        Image.new("RGB", (64, 36), (level, level, level)).save(path, quality=95)
        paths.append(path)
    return paths


def _brightness(job, render_one) -> list[float]:
    """One value per photo (each shows for one frame): the mean of the frame's RGB."""
    result, info = render_one(job)
    frames = decode_frames(result.output, info.width, info.height)
    return [statistics.fmean(mean_rgb(frame, info.width)) for frame in frames]


def _steps(values: list[float]) -> float:
    return max(abs(a - b) for a, b in itertools.pairwise(values))


def _spread(tmp_path: Path, job, levels: list[int], look: Look, name: str):
    return job(frames=tuple(_greys(tmp_path / "photos", levels)), fps=4, hold=0.25,
               duration=len(levels) / 4, look=look, output=tmp_path / "out" / f"{name}.mp4")


@pytest.mark.parametrize("window", [12, None])  # None: `smooth`, a window longer than the video
def test_a_stepped_ramp_becomes_smooth_and_keeps_its_darkening(tmp_path, job, render_one,
                                                              window):
    value = Exposure() if window is None else Exposure(window=window)
    before = _brightness(_spread(tmp_path, job, RAMP, Look(), "plain"), render_one)
    after = _brightness(_spread(tmp_path, job, RAMP, Look(exposure=value), "smooth"),
                        render_one)
    assert len(after) == COUNT
    assert _steps(before) > 50  # the steps are there without it
    assert _steps(after) < 18  # and gone with it: no jump is larger than the ramp's slope
    # the sunset still darkens as much: the first and last quarters keep their brightness
    quarter = COUNT // 4
    for part in (slice(0, quarter), slice(-quarter, None)):
        assert abs(statistics.fmean(after[part]) - statistics.fmean(before[part])) < 12
    assert statistics.fmean(after[:quarter]) - statistics.fmean(after[-quarter:]) > 130


def test_a_flat_sequence_is_unchanged(tmp_path, job, render_one):
    levels = [120] * 12
    before = _brightness(_spread(tmp_path, job, levels, Look(), "plain"), render_one)
    after = _brightness(_spread(tmp_path, job, levels, Look(exposure=Exposure(window=5)),
                                "smooth"), render_one)
    assert all(abs(a - b) < 1 for a, b in zip(before, after)) and len(after) == 12


def test_the_analysis_is_cached_and_a_new_window_reuses_it(tmp_path, job, render_one):
    spread = _spread(tmp_path, job, RAMP, Look(exposure=Exposure(window=12)), "one")
    first = _brightness(spread, render_one)
    cache = state_dir(tmp_path).joinpath(*CACHE)
    analyses = sorted(cache.iterdir())
    assert [p.name.endswith("-exposure-0.analysis") for p in analyses] == [True]
    # another window derives other gains from the same measurements
    wider = _brightness(replace(spread, look=Look(exposure=Exposure(window=5)),
                                output=tmp_path / "out" / "two.mp4"), render_one)
    assert sorted(cache.iterdir()) == analyses
    assert _steps(first) < 18 and max(abs(a - b) for a, b in zip(first, wider)) > 3


def test_features_and_few_photos(tmp_path, job, render_one):
    spread = _spread(tmp_path, job, [200, 100], Look(exposure=Exposure()), "two")
    assert "signalstats" not in required_features(spread)
    assert [round(v) for v in _brightness(spread, render_one)] == pytest.approx([200, 100],
                                                                                abs=3)
    many = _spread(tmp_path, job, RAMP[:4], Look(exposure=Exposure()), "four")
    assert {"signalstats", "sendcmd", "eq"} <= required_features(many)


def test_the_curve_follows_a_ramp_exactly_and_spreads_a_step():
    from lapsefile.engine.looks.exposure import gains, smooth

    ramp = [5.0 - 0.1 * i for i in range(40)]
    assert smooth(ramp, 9) == pytest.approx(ramp)  # no lag, even at the ends
    step = [1.0] * 10 + [2.0] * 10
    spread = smooth(step, 7)
    assert _steps(spread) < 0.3 and spread == sorted(spread)  # a ramp, not a jump
    assert gains([120.0] * 6, 31) == pytest.approx([1.0] * 6)
