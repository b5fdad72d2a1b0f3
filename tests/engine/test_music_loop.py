"""``music.fit: loop``: each turn restarts at ``start`` and the seam is crossfaded, not cut.

The track is 0.5 s of silence (an intro ``start`` skips) and 0.7 s of a tone whose phase at
the end is a quarter cycle from its phase at ``start``: cut there, the waveform would jump.
Rendered, decoded to PCM and checked sample by sample.
"""

from __future__ import annotations

import math
import subprocess
from array import array
from pathlib import Path

import pytest

from lapsefile.engine import music
from lapsefile.engine.probe import audio_levels
from lapsefile.spec.model import Music

RATE = 48000
BODY = 0.7  # seconds of tone after the intro
FREQ = (round(440 * BODY) + 0.25) / BODY  # a quarter cycle more than whole cycles in BODY
AMPLITUDE = 0.5


def make_intro_tone(path: Path, ffmpeg) -> Path:
    subprocess.run([ffmpeg.path, "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"aevalsrc='if(lt(t,0.5),0,{AMPLITUDE}*sin(2*PI*{FREQ}*t))'"
                    f":d={0.5 + BODY}:s={RATE}", "-c:a", "pcm_f32le", str(path)], check=True)
    return path


def pcm(path: Path, ffmpeg) -> array:
    """The first audio channel of ``path`` as 48 kHz float samples."""
    raw = subprocess.run([ffmpeg.path, "-v", "error", "-i", str(path), "-map", "0:a:0",
                          "-af", "pan=mono|c0=c0", "-ar", str(RATE), "-f", "f32le", "pipe:1"],
                         check=True, capture_output=True).stdout
    samples = array("f")
    samples.frombytes(raw)
    return samples


def biggest_step(samples: array, start: float, end: float) -> float:
    """The largest change between neighbouring samples from ``start`` to ``end`` seconds."""
    a, b = int(start * RATE), int(end * RATE)
    return max(abs(samples[i + 1] - samples[i]) for i in range(a, b - 1))


@pytest.fixture
def looped(tmp_path, job, render_one, ffmpeg):
    make_intro_tone(tmp_path / "intro.wav", ffmpeg)

    def render(name: str) -> array:
        result, info = render_one(job(music=Music("intro.wav", start=0.5, fit="loop"),
                                      output=tmp_path / name))
        assert abs(info.audio_duration - 3.0) < 0.03
        return pcm(result.output, ffmpeg)
    return render


def test_each_turn_restarts_at_start_not_at_zero(tmp_path, looped):
    looped("loop.mp4")
    levels = audio_levels(tmp_path / "loop.mp4", window=0.05)
    # The 0.5 s silent intro would show as silent windows after each 0.7 s turn.
    assert min(levels[1:-1]) > 0.2, levels


def test_the_seam_is_crossfaded_without_a_jump(looped, monkeypatch):
    smooth = biggest_step(looped("smooth.mp4"), 0.05, 2.95)
    steepest = AMPLITUDE * 2 * math.pi * FREQ / RATE  # the tone's own largest step
    assert smooth < 1.5 * steepest, (smooth, steepest)
    # The same measure sees a hard cut: without the crossfade the waveform jumps at the seams.
    monkeypatch.setattr(music, "CROSSFADE", 0.0)
    cut = biggest_step(looped("cut.mp4"), 0.05, 2.95)
    assert cut > 3 * steepest, (cut, steepest)


def test_loop_samples_start_at_start_and_repeat_every_turn_less_the_fade(tmp_path):
    # A ramp: every sample says where in the track it comes from.
    frames = 4800
    ramp = array("f", [float(i // 2) for i in range(frames * 2)])
    (tmp_path / "t.f32").write_bytes(ramp.tobytes())
    track = music.Track("t.f32", frames / RATE)
    out = music.loop_samples(tmp_path, track, 1200 / RATE, 0.25, "l.f32")
    got = array("f")
    got.frombytes((tmp_path / "l.f32").read_bytes())
    assert out.looped and len(got) == 2 * round(0.25 * RATE)
    left = got[::2]
    body, fade = frames - 1200, (frames - 1200) // 4
    assert left[0] == 1200 and left[body - fade - 1] == frames - fade - 1
    period = body - fade
    seam = left[body - fade: body]  # the end fading into `start`
    assert all(1200 < value < frames - 1 for value in seam)
    assert left[body - fade + period] == left[body - fade] and left[body] == 1200 + fade
