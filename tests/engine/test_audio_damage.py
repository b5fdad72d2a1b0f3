"""Music that is damaged, not music at all, or faded where nobody hears it.

A damaged but playable track renders with a warning naming it (the photos keep ffmpeg's
-xerror); a file that holds no audio is an error naming it before anything renders; a cut
track shorter than the video fades out where it ends; overlapping fades are warned about.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from lapsefile.cli.main import cli
from lapsefile.engine import encode
from lapsefile.engine.probe import audio_levels
from lapsefile.engine.render import render
from lapsefile.engine.testing import make_frames, make_tone
from lapsefile.errors import RenderError
from lapsefile.spec.model import Music


def damage(path: Path, how: str) -> Path:
    """``path`` (an MP3) with a stray byte after its end, or garbage over one frame."""
    data = bytearray(path.read_bytes())
    if how == "trailing byte":
        data += b"\x00"
    else:
        middle = len(data) // 2
        data[middle:middle + 200] = b"\xff" * 200
    path.write_bytes(bytes(data))
    return path


def not_audio(path: Path, kind: str) -> Path:
    if kind == "jpeg":
        Image.new("RGB", (20, 20), (200, 0, 0)).save(path, "JPEG")
    else:
        path.write_text("these are the lyrics, not the song\n")
    return path


@pytest.mark.parametrize("how", ["trailing byte", "corrupt frame"])
def test_damaged_mp3_renders_with_a_warning_naming_it(tmp_path, job, ffmpeg, how):
    damage(make_tone(tmp_path / "song.mp3", 3.0), how)
    warnings: list[str] = []
    result = render([job(music=Music("song.mp3"))], ffmpeg, on_warning=warnings.append)[0]
    levels = audio_levels(result.output, window=0.25)
    assert len(levels) == 12 and min(levels[:-1]) > 0.2  # the whole video has the music
    assert len(warnings) == 1 and "song.mp3 is damaged" in warnings[0]
    assert "Invalid data" in warnings[0]


def test_a_damaged_track_warns_through_the_run(tmp_path):
    make_frames(tmp_path / "photos", 4)
    damage(make_tone(tmp_path / "song.mp3", 2.0), "trailing byte")
    spec = _spec(tmp_path, "music: song.mp3\n")
    result = CliRunner().invoke(cli, ["run", str(spec)])
    assert result.exit_code == 0, result.output
    assert "warning: the music file song.mp3 is damaged" in result.output
    assert audio_levels(tmp_path / "out" / "v.mp4", window=0.25)[0] > 0.2


@pytest.mark.parametrize("kind", ["jpeg", "text"])
def test_a_file_that_is_not_audio_fails_the_render_before_the_photos(tmp_path, job, ffmpeg,
                                                                       kind):
    not_audio(tmp_path / "song.mp3", kind)
    with pytest.raises(RenderError, match="the music file song.mp3 holds no audio"):
        render([job(music=Music("song.mp3"))], ffmpeg)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("kind", ["jpeg", "text"])
@pytest.mark.parametrize("command", ["validate", "plan", "run"])
def test_a_file_that_is_not_audio_is_a_spec_error(tmp_path, kind, command):
    make_frames(tmp_path / "photos", 4)
    not_audio(tmp_path / "song.mp3", kind)
    spec = _spec(tmp_path, "music: {file: song.mp3, volume: 50%}\n")
    result = CliRunner().invoke(cli, [command, str(spec)])
    assert result.exit_code == 1, result.output
    assert "the music file song.mp3 holds no audio ffmpeg can read" in result.output
    assert "music.file" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "lapse.lock").exists()


def test_cut_music_fades_out_where_it_ends(tmp_path, job, render_one):
    make_tone(tmp_path / "tone.wav", 1.0)
    result, info = render_one(job(music=Music("tone.wav", fit="cut", fade_out=0.5)))
    assert abs(info.audio_duration - 3.0) < 0.03  # still as long as the video
    levels = audio_levels(result.output, window=0.1)
    assert levels[2] > 0.2  # before the fade: full
    assert levels[7] < 0.6 * levels[2]  # 0.7-0.8 s: fading
    assert levels[9] < 0.15 * levels[2]  # 0.9-1.0 s: nearly gone as the track ends
    assert max(levels[11:]) < 0.01  # silence after it


def test_cut_music_longer_than_the_video_fades_at_the_video_end(tmp_path, job, render_one):
    make_tone(tmp_path / "tone.wav", 6.0)
    result, _ = render_one(job(music=Music("tone.wav", fit="cut", fade_out=0.5)))
    levels = audio_levels(result.output, window=0.1)
    assert levels[20] > 0.2 and levels[27] < 0.6 * levels[20] and levels[29] < 0.1


def test_looped_music_fades_at_the_video_end(tmp_path, job, render_one):
    make_tone(tmp_path / "tone.wav", 0.7)
    result, _ = render_one(job(music=Music("tone.wav", fit="loop", fade_out=0.5)))
    levels = audio_levels(result.output, window=0.1)
    assert min(levels[:24]) > 0.2 and levels[29] < 0.1


@given(duration=st.floats(0.1, 60), played=st.floats(0, 120), fade=st.floats(0.01, 10))
def test_the_fade_out_ends_where_the_music_stops(duration, played, fade):
    steps = encode.music_filters(Music("m.wav", fade_out=fade, fit="cut"), duration, played)
    fades = [s.split(":") for s in steps if s.startswith("afade=t=out")]
    sounding = min(played, duration)
    if sounding <= 0:
        assert not fades
        return
    start, length = (float(part.split("=")[1]) for part in fades[0][1:])
    assert abs(start + length - sounding) < 2e-6 and start >= 0 and length <= fade + 1e-6


def test_overlapping_fades_are_warned_about(tmp_path):
    make_frames(tmp_path / "photos", 4)
    make_tone(tmp_path / "tone.wav", 1.0)
    spec = _spec(tmp_path, "music: {file: tone.wav, fit: cut, fade_in: 0.8s, fade_out: 0.5s}\n"
                           "overlays:\n  titles:\n    - {text: Hi, end: 1s, fade: 0.6s}\n")
    result = CliRunner().invoke(cli, ["validate", str(spec)])
    assert result.exit_code == 0, result.output
    assert ('title "Hi" fades in for 0.6 s and out for 0.6 s but is on screen for only 1 s'
            in result.output)
    assert "the music fades in for 0.8 s and out for 0.5 s but plays for only 1 s" in \
        result.output
    calm = _spec(tmp_path, "music: {file: tone.wav, fade: 0.4s}\n"
                           "overlays:\n  titles:\n    - {text: Hi, end: 1s, fade: 0.5s}\n")
    result = CliRunner().invoke(cli, ["validate", str(calm)])
    assert result.exit_code == 0 and "warning" not in result.output.replace(
        "no EXIF capture time", "")


def _spec(root: Path, body: str) -> Path:
    spec = root / "lapse.yaml"
    spec.write_text("version: 1\nframes: photos/*.jpg\ntiming: {fps: 10, duration: 2s}\n"
                    f"{body}outputs:\n  - {{path: out/v.mp4, size: 64x36}}\n")
    return spec
