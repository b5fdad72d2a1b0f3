"""What goes into the MP4: codecs, levels, metadata, one process per batch, reproducibility."""

from __future__ import annotations

import struct
from pathlib import Path

import imageio_ffmpeg
import pytest

from lapsefile.engine.encode import h264_level
from lapsefile.engine.ffmpeg import find_ffmpeg
from lapsefile.engine.job import Canvas
from lapsefile.engine.probe import probe
from lapsefile.engine.render import batch_jobs, render
from lapsefile.engine.testing import make_tone
from lapsefile.looks.deflicker import Deflicker
from lapsefile.spec.model import Look, Music, TextStyle, Timestamp, Title

from .conftest import frame_indexes, write_script


def test_h265_is_tagged_hvc1(job, render_one):
    result, info = render_one(job(codec="h265"))
    assert (info.video_codec, info.codec_tag, info.pix_fmt) == ("hevc", "hvc1", "yuv420p")
    assert info.profile == "Main" and info.frame_count == 36 and info.faststart
    assert frame_indexes(result.output, info)[::3] == list(range(1, 13))


@pytest.mark.parametrize("size,fps,level", [((1920, 1080), 24, "4.0"), ((1080, 1920), 30, "4.0"),
                                            ((1920, 1080), 60, "4.2"), ((3840, 2160), 30, "5.1"),
                                            ((1280, 720), 30, "3.1"), ((64, 36), 12, "3.0")])
def test_h264_level_follows_size_and_rate(size, fps, level):
    assert h264_level(*size, fps)[0] == level


def test_1080p_output_is_high_profile_level_4(job, render_one):
    j = job(canvas=Canvas(1920, 1080), duration=1.0, hold=1 / 12, fps=12)
    _, info = render_one(j)
    assert (info.width, info.height, info.profile, info.level) == (1920, 1080, "High", 4.0)


def test_no_creation_time_or_tool_version_in_the_file(job, render_one):
    result, _ = render_one(job())
    data = result.output.read_bytes()
    mvhd = data.find(b"mvhd")
    version, created, modified = struct.unpack(">B3xII", data[mvhd + 4:mvhd + 16])
    assert version == 0 and created == 0 and modified == 0
    assert b"Lavf" not in data and b"creation_time" not in data


def test_same_inputs_give_the_same_bytes(tmp_path, job, ffmpeg):
    make_tone(tmp_path / "music.wav", 1.0)
    settings = {"look": Look(deflicker=Deflicker(), blend=2),
                "music": Music("music.wav", fade_in=0.5),
                "titles": (Title("Same", fade_in=0.5),), "canvas": Canvas(96, 54, "blur")}
    first = render([job(output=tmp_path / "a.mp4", **settings)], ffmpeg)[0]
    second = render([job(output=tmp_path / "b" / "b.mp4", **settings)], ffmpeg)[0]
    assert first.sha256 == second.sha256 and first.size == second.size
    assert first.args == [a.replace("b/b.mp4", "a.mp4") for a in second.args]


def test_outputs_sharing_photos_render_in_one_process(tmp_path, job, monkeypatch):
    log = tmp_path / "starts.log"
    wrapper = write_script(tmp_path / "ffmpeg", (
        f"echo \"$@\" >> '{log}'\n"
        f"exec '{imageio_ffmpeg.get_ffmpeg_exe()}' \"$@\"\n"))
    wrapped = find_ffmpeg(str(wrapper))
    stamp = Timestamp(style=TextStyle(position="top"))
    wide = job(output=tmp_path / "wide.mp4", titles=(Title("wide"),))
    tall = job(output=tmp_path / "tall.mp4", canvas=Canvas(36, 64, "blur"), timestamp=stamp)
    square = job(output=tmp_path / "square.mp4", canvas=Canvas(48, 48, "contain"), codec="h265")
    other = job(output=tmp_path / "other.mp4", fps=6, duration=6.0, hold=0.5)
    assert batch_jobs([wide, tall, square, other]) == [[0, 1, 2], [3]]
    results = render([wide, tall, square, other], wrapped)
    renders = [line for line in log.read_text().splitlines() if "-filter_complex" in line]
    assert len(renders) == 2
    for result, size in zip(results, [(64, 36), (36, 64), (48, 48), (64, 36)]):
        info = probe(result.output)
        assert (info.width, info.height) == size
        expected = [i for i in range(1, 13) for _ in range(3)]
        assert frame_indexes(result.output, info) == expected
    assert probe(results[2].output).video_codec == "hevc"
    assert [r.output.name for r in results] == ["wide.mp4", "tall.mp4", "square.mp4",
                                                "other.mp4"]


def test_progress_is_reported_in_seconds_up_to_the_total(job, ffmpeg):
    seen: list[tuple[float, float]] = []
    render([job(duration=3.0)], ffmpeg, on_progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1] == (3.0, 3.0)
    assert all(0 <= d <= t == 3.0 for d, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_batches_share_progress_totals(tmp_path, job, ffmpeg):
    seen: list[tuple[float, float]] = []
    render([job(output=tmp_path / "a.mp4"), job(output=tmp_path / "b.mp4", fps=6)], ffmpeg,
           on_progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (6.0, 6.0) and {t for _, t in seen} == {6.0}


def test_two_jobs_writing_one_file_are_refused(tmp_path, job, ffmpeg):
    from lapsefile.errors import RenderError

    with pytest.raises(RenderError, match="two outputs"):
        render([job(), job(canvas=Canvas(36, 64))], ffmpeg)


def test_output_replaces_an_existing_file_atomically(job, render_one):
    first, _ = render_one(job())
    Path(first.output).write_bytes(b"old")
    second, info = render_one(job())
    assert second.output.read_bytes() != b"old" and info.frame_count == 36
