"""Failures: a clear error with the command and ffmpeg's last words, and no half-written file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import imageio_ffmpeg
import pytest

from lapsefile.engine.ffmpeg import find_ffmpeg, run_ffmpeg
from lapsefile.engine.job import Canvas
from lapsefile.engine.probe import probe
from lapsefile.engine.render import render, required_features
from lapsefile.engine.testing import make_photos
from lapsefile.errors import EngineUnavailable, RenderError
from lapsefile.looks.deflicker import Deflicker
from lapsefile.spec.model import Logo, Look, Music, Timestamp, Title

from .conftest import write_script


def _corrupt_huffman_tables(path: Path) -> None:
    """Still a JPEG to Pillow (the header is fine), but the decoder cannot use it."""
    data = bytearray(path.read_bytes())
    table = data.find(b"\xff\xc4")
    data[table + 5:table + 21] = b"\xff" * 16
    path.write_bytes(bytes(data))


def test_corrupt_photo_fails_with_command_and_stderr_tail(tmp_path, job, ffmpeg):
    photos = make_photos(tmp_path / "p", 3, size=(64, 36), ffmpeg=ffmpeg.path)
    _corrupt_huffman_tables(photos[1])
    out = tmp_path / "out" / "video.mp4"
    with pytest.raises(RenderError) as info:
        render([job(frames=tuple(photos), output=out, hold=1, duration=3)], ffmpeg)
    error = info.value
    assert error.command[0] == ffmpeg.path and "-filter_complex" in error.command
    assert "huffman" in error.stderr_tail.lower()
    assert len(error.stderr_tail.splitlines()) <= 20
    text = str(error)
    assert "command:" in text and "ffmpeg said:" in text and str(out) in text
    assert list(out.parent.iterdir()) == []  # neither the video nor its temp file


def test_unreadable_photo_is_named(tmp_path, job, ffmpeg, photos):
    broken = tmp_path / "photos" / "IMG_99.jpg"
    broken.write_bytes(b"not a picture")
    with pytest.raises(RenderError, match="IMG_99.jpg"):
        render([job(frames=(photos[0], broken))], ffmpeg)
    with pytest.raises(RenderError, match="not found"):
        render([job(frames=(tmp_path / "missing.jpg",))], ffmpeg)


def test_missing_music_or_logo_is_an_error(job, ffmpeg):
    with pytest.raises(RenderError, match="music file not found: .*nothing.wav"):
        render([job(music=Music("nothing.wav"))], ffmpeg)
    with pytest.raises(RenderError, match="logo file not found: .*nothing.png"):
        render([job(logo=Logo("nothing.png"))], ffmpeg)


def test_interrupt_stops_ffmpeg_and_removes_the_temp_file(tmp_path, job):
    pid_file = tmp_path / "ffmpeg.pid"
    wrapper = write_script(tmp_path / "ffmpeg", (
        f"echo $$ > '{pid_file}'\n"
        f"exec '{imageio_ffmpeg.get_ffmpeg_exe()}' \"$@\"\n"))
    ffmpeg = find_ffmpeg(str(wrapper))
    out = tmp_path / "out" / "long.mp4"
    long_job = job(output=out, canvas=Canvas(640, 360), fps=24, duration=60.0, hold=5.0)

    def interrupt(done: float, total: float) -> None:
        if done > 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        render([long_job], ffmpeg, on_progress=interrupt)
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # stopped and reaped
    assert list(out.parent.iterdir()) == []


def test_killed_render_leaves_nothing_that_looks_finished(tmp_path, job):
    pid_file = tmp_path / "ffmpeg.pid"
    wrapper = write_script(tmp_path / "ffmpeg", (
        f"echo $$ > '{pid_file}'\n"
        f"exec '{imageio_ffmpeg.get_ffmpeg_exe()}' \"$@\"\n"))
    out = tmp_path / "out" / "long.mp4"
    photos = sorted((tmp_path / "photos").iterdir())
    script = (
        "import sys; from pathlib import Path\n"
        "from lapsefile.engine.ffmpeg import find_ffmpeg\n"
        "from lapsefile.engine.job import Canvas, RenderJob\n"
        "from lapsefile.engine.render import render\n"
        f"frames = tuple(Path(p) for p in {[str(p) for p in photos]!r})\n"
        f"job = RenderJob(root=Path({str(tmp_path)!r}), frames=frames, fps=24, duration=60.0,"
        f" hold=5.0, canvas=Canvas(640, 360), output=Path({str(out)!r}))\n"
        f"render([job], find_ffmpeg({str(wrapper)!r}))\n")
    child = subprocess.Popen([sys.executable, "-c", script])
    def writing() -> bool:
        return any(t.stat().st_size > 0 for t in out.parent.glob(".long.mp4.*.part"))
    deadline = time.monotonic() + 60
    while not (out.parent.is_dir() and writing()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert writing(), "the render never started writing"
    child.send_signal(signal.SIGKILL)
    child.wait()
    ffmpeg_pid = int(pid_file.read_text())
    try:
        os.kill(ffmpeg_pid, signal.SIGKILL)  # the orphan would finish its temp file, no more
    except ProcessLookupError:
        pass
    time.sleep(0.2)
    assert not out.exists()
    assert all(p.name.startswith(".") and p.name.endswith(".part") for p in out.parent.iterdir())


def test_stalled_ffmpeg_is_stopped(tmp_path):
    fake = write_script(tmp_path / "ffmpeg",
                        'case "$1" in -version) echo "ffmpeg version 9-fake"; exit 0;; esac\n'
                        "while true; do echo out_time_us=0; echo progress=continue; sleep 0.1;"
                        " done\n")
    started = time.monotonic()
    with pytest.raises(RenderError, match="no progress"):
        run_ffmpeg(find_ffmpeg(str(fake)), ["-i", "x"], stall_timeout=1.0)
    assert time.monotonic() - started < 10


def _fake_without_encoders(tmp_path: Path) -> Path:
    return write_script(tmp_path / "old-ffmpeg",
                        'case "$1" in\n'
                        '  -version) echo "ffmpeg version 4.4-fake Copyright";;\n'
                        '  *) echo "Encoders:"; echo " ------";;\n'
                        "esac\n")


def test_missing_capability_names_it_and_the_fix(tmp_path, job):
    fake = find_ffmpeg(str(_fake_without_encoders(tmp_path)))
    assert fake.version == "4.4-fake"
    with pytest.raises(EngineUnavailable) as info:
        render([job(titles=(Title("x"),))], fake)
    message = str(info.value)
    assert "libx264" in message and "drawtext" in message and "4.4-fake" in message
    assert "LAPSEFILE_FFMPEG" in message and "--enable-libx264" in message
    assert not (tmp_path / "out").exists()


def test_required_features_follow_the_job(job):
    assert {"libx264", "scale"} <= required_features(job())
    full = job(codec="h265", music=Music("m.wav"), titles=(Title("t"),),
               timestamp=Timestamp(), logo=Logo("l.png", opacity=0.5),
               look=Look(deflicker=Deflicker(), blend=3, interpolate=True),
               canvas=Canvas(64, 36, "blur"))
    assert {"libx265", "aac", "drawtext", "sendcmd", "deflicker", "tmix", "minterpolate",
            "gblur", "overlay", "colorchannelmixer"} <= required_features(full)
    assert "libx264" not in required_features(full)


def test_a_short_or_empty_result_is_not_published(tmp_path, job):
    # An ffmpeg that claims success but writes a file with no video: the engine checks the
    # frame count in the MP4 before renaming it into place.
    names = " ".join(sorted(required_features(job())))
    fake = write_script(tmp_path / "ffmpeg",
                        'case "$*" in\n'
                        '  *-version*) echo "ffmpeg version 9-liar"; exit 0;;\n'
                        f'  *-encoders*|*-filters*) for n in {names}; do echo " V..... $n x";'
                        " done; exit 0;;\n"
                        "esac\n"
                        'for last; do :; done\n'
                        'printf "nothing" > "${last#file:}"\n')
    out = tmp_path / "out" / "video.mp4"
    with pytest.raises(RenderError, match="wrote 0 video frames"):
        render([job(output=out)], find_ffmpeg(str(fake)))
    assert list(out.parent.iterdir()) == []


def test_too_many_photo_shapes_is_a_clear_error(tmp_path, job, ffmpeg):
    from lapsefile.engine.testing import make_frames

    shapes = [make_frames(tmp_path / "shapes", 1, size=(40 + n, 30), start=n)[0]
              for n in range(33)]
    with pytest.raises(RenderError, match="33 different shapes"):
        render([job(frames=tuple(shapes))], ffmpeg)


def test_an_ffmpeg_that_crashes_once_is_run_once_more(tmp_path, job):
    # The bundled ffmpeg has been seen to abort rarely inside the encoder (heap corruption,
    # SIGABRT); a crash is not the input's fault, so the render is tried once more.
    marker = tmp_path / "crashed-once"
    wrapper = write_script(tmp_path / "ffmpeg", (
        f'case "$*" in *-progress*) if [ ! -e \'{marker}\' ]; then touch \'{marker}\'; '
        "kill -ABRT $$; fi;; esac\n"
        f"exec '{imageio_ffmpeg.get_ffmpeg_exe()}' \"$@\"\n"))
    out = tmp_path / "out" / "video.mp4"
    render([job(output=out)], find_ffmpeg(str(wrapper)))
    assert marker.exists() and probe(out).frame_count > 0


def test_an_ffmpeg_that_crashes_twice_fails_with_its_exit(tmp_path, job):
    wrapper = write_script(tmp_path / "ffmpeg", (
        'case "$*" in *-progress*) kill -ABRT $$;; esac\n'
        f"exec '{imageio_ffmpeg.get_ffmpeg_exe()}' \"$@\"\n"))
    out = tmp_path / "out" / "video.mp4"
    with pytest.raises(RenderError, match="exit code -6"):
        render([job(output=out)], find_ffmpeg(str(wrapper)))
    assert list(out.parent.iterdir()) == []
