"""Fixtures for the render engine: real ffmpeg, tiny generated photos, probed outputs."""

from __future__ import annotations

import stat
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from lapsefile.engine.ffmpeg import Ffmpeg, find_ffmpeg
from lapsefile.engine.job import Canvas, RenderJob
from lapsefile.engine.probe import MediaInfo, decode_frames, probe
from lapsefile.engine.render import RenderResult, render
from lapsefile.engine.testing import frame_index_from_rgb, make_frames


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.delenv("LAPSEFILE_FFMPEG", raising=False)


@pytest.fixture(scope="session")
def ffmpeg() -> Ffmpeg:
    return find_ffmpeg()


@pytest.fixture
def photos(tmp_path) -> list[Path]:
    """IMG_1.jpg .. IMG_12.jpg, 64x36, each a flat colour encoding its number."""
    return make_frames(tmp_path / "photos", 12)


@pytest.fixture
def job(tmp_path, photos) -> Callable[..., RenderJob]:
    """A job over ``photos`` (12 photos, 3 frames each at 12 fps); keywords override."""
    def make(**changes) -> RenderJob:
        base = RenderJob(root=tmp_path, frames=tuple(photos), fps=12, duration=3.0, hold=0.25,
                         canvas=Canvas(64, 36), output=tmp_path / "out" / "video.mp4")
        return replace(base, **changes)
    return make


@pytest.fixture
def render_one(ffmpeg) -> Callable[[RenderJob], tuple[RenderResult, MediaInfo]]:
    def run(job: RenderJob) -> tuple[RenderResult, MediaInfo]:
        result = render([job], ffmpeg)[0]
        return result, probe(result.output, ffmpeg)
    return run


def frame_indexes(path: Path, info: MediaInfo) -> list[int]:
    """The photo number shown in each frame of a video made from make_frames photos."""
    return [frame_index_from_rgb(frame, info.width)
            for frame in decode_frames(path, info.width, info.height)]


def write_script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path
