"""Every output format rendered for real (64x36, 1 s) and probed: codec, pixel format,
container, duration, rate, size and BT.709 colour tags; the GIF's frames decoded; the
poster's pixels compared with the video's frame at its moment."""

from __future__ import annotations

import pytest
from PIL import Image

from lapsefile.engine.formats import encoded_frames, gif_rate, poster_frame
from lapsefile.engine.probe import decode_frames, probe
from lapsefile.engine.render import remove_stale_render_files
from lapsefile.engine.testing import frame_index_from_rgb, make_tone
from lapsefile.spec.model import Music, Poster

from .conftest import frame_indexes

FORMATS = [  # name, codec, demuxer, ffmpeg's codec name, pixel format
    ("video.mp4", "h264", "mov,mp4,m4a,3gp,3g2,mj2", "h264", "yuv420p"),
    ("video.mp4", "h265", "mov,mp4,m4a,3gp,3g2,mj2", "hevc", "yuv420p"),
    ("video.mp4", "av1", "mov,mp4,m4a,3gp,3g2,mj2", "av1", "yuv420p"),
    ("video.mov", "prores", "mov,mp4,m4a,3gp,3g2,mj2", "prores", "yuv422p10le"),
    ("video.webm", "vp9", "matroska,webm", "vp9", "yuv420p"),
    ("video.webm", "av1", "matroska,webm", "av1", "yuv420p"),
]


@pytest.mark.parametrize(("name", "codec", "demuxer", "decoded", "pix_fmt"), FORMATS)
def test_each_format_is_probed_as_asked_with_bt709_tags(job, render_one, tmp_path, name, codec,
                                                        demuxer, decoded, pix_fmt):
    # 12 photos at 12 fps, one photo a frame: 1 s
    result, info = render_one(job(output=tmp_path / "out" / name, codec=codec, duration=1.0,
                                  hold=1 / 12))
    assert (info.container, info.video_codec, info.pix_fmt) == (demuxer, decoded, pix_fmt)
    assert (info.width, info.height, info.fps, info.frame_count) == (64, 36, 12.0, 12)
    assert info.duration == pytest.approx(1.0, abs=0.05)
    assert (info.color_range, info.color_space, info.color_primaries, info.color_transfer) == \
        ("tv", "bt709", "bt709", "bt709")
    # the photos in order, their colours right (decoding honours the tags)
    assert frame_indexes(result.output, info) == list(range(1, 13))


def test_prores_is_the_hq_profile(job, render_one, tmp_path):
    _, info = render_one(job(output=tmp_path / "edit.mov", codec="prores", duration=0.5))
    assert (info.profile, info.codec_tag) == ("HQ", "apch")


def test_gif_is_palette_mapped_at_a_capped_rate(job, render_one, tmp_path):
    # 24 fps asked: a GIF plays at most 20 (delays are whole hundredths of a second)
    made = job(output=tmp_path / "loop.gif", codec="gif", fps=24, duration=1.0, hold=1 / 12)
    result, info = render_one(made)
    assert (info.container, info.video_codec, info.fps) == ("gif", "gif", 20.0)
    assert info.frame_count == encoded_frames(made) == 20
    assert info.audio_codec is None
    assert info.duration == pytest.approx(1.0, abs=0.06)
    shown = frame_indexes(result.output, info)
    # each photo lasts 1/12 s: at 20 fps every photo appears, in order, none skipped
    assert shown[0] == 1 and shown[-1] == 12
    assert sorted(set(shown)) == list(range(1, 13)) and shown == sorted(shown)


def test_gif_leaves_music_out(job, render_one, tmp_path):
    make_tone(tmp_path / "tone.wav", 2.0)
    _, info = render_one(job(output=tmp_path / "loop.gif", codec="gif", duration=0.5,
                             music=Music("tone.wav")))
    assert info.audio_codec is None and info.frame_count == 5  # 12 fps: 10 in a GIF


@pytest.mark.parametrize(("name", "codec", "audio"), [("a.mov", "prores", "pcm_s16le"),
                                                      ("a.webm", "vp9", "opus")])
def test_music_in_mov_and_webm(job, render_one, tmp_path, name, codec, audio):
    make_tone(tmp_path / "tone.wav", 2.0)
    _, info = render_one(job(output=tmp_path / name, codec=codec, duration=0.5,
                             music=Music("tone.wav")))
    assert info.audio_codec == audio
    assert info.audio_duration == pytest.approx(0.5, abs=0.03)


def test_gif_rates_divide_a_hundredth():
    assert [gif_rate(f) for f in (60, 30, 24, 20, 15, 12, 10, 6, 1)] == \
        [20, 20, 20, 20, 10, 10, 10, 5, 1]


@pytest.mark.parametrize(("poster", "photo"), [(Poster(1.0), 5), (Poster(0.5, share=True), 7),
                                               (Poster(60.0), 12)])
def test_poster_is_the_frame_at_its_moment(job, render_one, tmp_path, poster, photo):
    # 12 photos, 0.25 s each, 3 s at 12 fps; 1 s is photo 5, 50% is 1.5 s (photo 7), a
    # moment past the end the last photo
    made = job(poster=poster)
    result, info = render_one(made)
    assert result.poster is not None
    still = tmp_path / "out" / "video.jpg"
    assert result.poster.path == still and still.is_file()
    image = Image.open(still)
    assert (image.format, image.size) == ("JPEG", (64, 36))
    pixels = image.convert("RGB").tobytes()
    assert frame_index_from_rgb(pixels, 64) == photo
    frames = decode_frames(result.output, 64, 36)
    moment = frames[poster_frame(made)]
    # the same picture as the video's frame (up to compression), unlike its neighbours
    assert _difference(pixels, moment) < 3
    other = frames[poster_frame(made) - 3]
    assert _difference(pixels, other) > 3 * _difference(pixels, moment) + 5


def test_a_poster_of_a_gif(job, render_one, tmp_path):
    result, _ = render_one(job(output=tmp_path / "loop.gif", codec="gif", duration=0.5,
                               poster=Poster(0.0)))
    assert result.poster is not None and result.poster.path.suffix == ".jpg"
    assert result.poster.size == (tmp_path / "loop.jpg").stat().st_size


def test_a_failed_render_leaves_no_poster_or_temp(job, ffmpeg, tmp_path):
    from lapsefile.engine.render import render
    from lapsefile.errors import RenderError

    # the music goes missing after the temps are made: the render stops before ffmpeg runs
    with pytest.raises(RenderError, match="music file not found"):
        render([job(poster=Poster(0.0), music=Music("gone.wav"))], ffmpeg)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == []


def test_stale_poster_temps_are_removed(tmp_path):
    (tmp_path / ".video.jpg.abc123.part").write_bytes(b"x")
    (tmp_path / ".video.mp4.def456.part").write_bytes(b"x")
    (tmp_path / "video.jpg").write_bytes(b"a finished poster stays")
    remove_stale_render_files([tmp_path / "video.mp4"])
    assert [p.name for p in tmp_path.iterdir()] == ["video.jpg"]


def _difference(a: bytes, b: bytes) -> float:
    return sum(abs(x - y) for x, y in zip(a, b)) / len(a)


def test_probe_reads_untagged_colour_as_none(tmp_path, ffmpeg):
    """A JPEG is tagged by its matrix only; the rest is unknown, reported as None."""
    path = tmp_path / "p.jpg"
    Image.new("RGB", (16, 16), (200, 10, 10)).save(path)
    info = probe(path, ffmpeg)
    assert info.color_primaries is None and info.color_transfer is None


@pytest.mark.parametrize(("name", "codec"), [("a.mp4", "av1"), ("a.webm", "vp9"),
                                             ("a.mov", "prores"), ("a.gif", "gif")])
def test_new_formats_render_to_the_same_bytes_again(job, ffmpeg, tmp_path, name, codec):
    from lapsefile.engine.render import render

    made = job(output=tmp_path / name, codec=codec, duration=0.5, poster=Poster(0.2))
    first = render([made], ffmpeg)[0]
    second = render([made], ffmpeg)[0]
    assert first.sha256 == second.sha256
    assert first.poster is not None and second.poster is not None
    assert first.poster.sha256 == second.poster.sha256
