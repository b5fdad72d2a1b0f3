"""Music: looped or cut to the video's length, volume, fades, start offset, 48 kHz stereo."""

from __future__ import annotations

import subprocess

import pytest

from lapsefile.engine.probe import audio_levels
from lapsefile.engine.testing import make_tone
from lapsefile.spec.model import Music


@pytest.mark.parametrize("name", ["tone.wav", "tone.mp3", "tone.m4a"])
def test_short_track_loops_to_the_end(tmp_path, job, render_one, name):
    make_tone(tmp_path / name, 0.7)
    result, info = render_one(job(music=Music(name, fit="loop")))
    assert (info.audio_codec, info.audio_sample_rate, info.audio_channels) == ("aac", 48000,
                                                                               "stereo")
    assert abs(info.audio_duration - 3.0) < 0.03 and abs(info.duration - 3.0) < 1 / 12
    levels = audio_levels(result.output, window=0.25)
    assert min(levels[:-1]) > 0.2  # sound all the way (the loop seams are not silent)


def test_short_track_cut_leaves_silence_after_it_but_full_length(tmp_path, job, render_one):
    make_tone(tmp_path / "tone.wav", 1.0)
    result, info = render_one(job(music=Music("tone.wav", fit="cut")))
    assert abs(info.audio_duration - 3.0) < 0.03
    levels = audio_levels(result.output, window=0.25)
    assert min(levels[:3]) > 0.2 and max(levels[5:]) < 0.01


def test_long_track_is_cut_at_the_video_end(tmp_path, job, render_one):
    make_tone(tmp_path / "long.wav", 10.0)
    for fit in ("loop", "cut"):
        _, info = render_one(job(music=Music("long.wav", fit=fit),
                                 output=tmp_path / f"{fit}.mp4"))
        assert abs(info.audio_duration - 3.0) < 0.03 and abs(info.duration - 3.0) < 1 / 12


def test_fades_and_volume(tmp_path, job, render_one):
    make_tone(tmp_path / "tone.wav", 5.0)
    full, _ = render_one(job(music=Music("tone.wav"), output=tmp_path / "full.mp4"))
    faded, _ = render_one(job(music=Music("tone.wav", volume=0.5, fade_in=1.0, fade_out=1.0),
                              output=tmp_path / "faded.mp4"))
    loud = audio_levels(full.output, window=0.1)
    soft = audio_levels(faded.output, window=0.1)
    assert soft[0] < 0.1 * loud[0]  # fading in: quiet at the start
    assert soft[4] < soft[8]
    assert abs(soft[15] / loud[15] - 0.5) < 0.05  # 50% volume between the fades
    assert soft[-1] < 0.1 * loud[-1]  # faded out at the video's end


def test_start_offset_skips_into_the_track(tmp_path, job, render_one, ffmpeg):
    # 1.5 s of silence, then a tone: starting 1.5 s in, the music is loud at once.
    track = tmp_path / "late.wav"
    subprocess.run([ffmpeg.path, "-v", "error", "-f", "lavfi", "-i",
                    "aevalsrc='if(lt(t,1.5),0,0.5*sin(2*PI*440*t))':d=4:s=44100",
                    str(track)], check=True)
    plain, _ = render_one(job(music=Music("late.wav", fit="cut"), output=tmp_path / "a.mp4"))
    offset, info = render_one(job(music=Music("late.wav", start=1.5, fit="cut"),
                                  output=tmp_path / "b.mp4"))
    assert audio_levels(plain.output, window=0.25)[0] < 0.01
    assert audio_levels(offset.output, window=0.25)[0] > 0.2
    assert abs(info.audio_duration - 3.0) < 0.03
