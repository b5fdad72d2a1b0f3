"""Finding ffmpeg and reading what it can do."""

from __future__ import annotations

import os
import sys

import imageio_ffmpeg
import pytest

from lapsefile.engine.ffmpeg import PIPE_BYTES, find_ffmpeg, run_ffmpeg
from lapsefile.errors import EngineUnavailable

from .conftest import write_script

FAKE = ('case "$*" in\n'
        '  *-version*) echo "ffmpeg version {version} Copyright (c) the FFmpeg developers";;\n'
        '  *-encoders*) echo "Encoders:"; echo " ------"; echo " V....D libx264   H.264";;\n'
        '  *-filters*) echo "Filters:"; echo " T. drawtext  V->V  Draw text.";;\n'
        "esac\n")


def test_default_is_the_bundled_binary(ffmpeg):
    assert ffmpeg.path == os.path.realpath(imageio_ffmpeg.get_ffmpeg_exe()) or \
        ffmpeg.path == imageio_ffmpeg.get_ffmpeg_exe()
    assert ffmpeg.version and {"libx264", "libx265", "aac", "drawtext", "deflicker", "tmix",
                               "minterpolate", "gblur", "overlay", "sendcmd"} <= ffmpeg.features
    ffmpeg.require(["libx264", "drawtext"])


def test_explicit_path_wins_over_the_environment(tmp_path, monkeypatch):
    env_fake = write_script(tmp_path / "env-ffmpeg", FAKE.format(version="1-env"))
    explicit = write_script(tmp_path / "explicit-ffmpeg", FAKE.format(version="2-explicit"))
    monkeypatch.setenv("LAPSEFILE_FFMPEG", str(env_fake))
    assert find_ffmpeg().version == "1-env"
    assert find_ffmpeg(str(explicit)).version == "2-explicit"


def test_capabilities_are_read_again_when_the_binary_changes(tmp_path):
    fake = write_script(tmp_path / "ffmpeg", FAKE.format(version="3"))
    first = find_ffmpeg(str(fake))
    assert {"libx264", "drawtext"} <= first.features and not first.has("libx265")
    with pytest.raises(EngineUnavailable, match="libx265"):
        first.require({"libx265", "libx264"})
    fake.write_text(fake.read_text().replace("libx264   H.264", "libx265   H.265 encoder"))
    os.utime(fake, ns=(fake.stat().st_atime_ns, fake.stat().st_mtime_ns + 10**9))
    again = find_ffmpeg(str(fake))
    assert again.has("libx265") and not again.has("libx264")


@pytest.mark.parametrize("content", [None, "#!/bin/sh\necho hello\n"])
def test_not_an_ffmpeg(tmp_path, content):
    path = tmp_path / "ffmpeg"
    if content is None:
        path.write_text("not executable")
        match = "not an executable"
    else:
        write_script(path, "echo hello\n")
        match = "does not look like ffmpeg"
    with pytest.raises(EngineUnavailable, match=match):
        find_ffmpeg(str(path))
    with pytest.raises(EngineUnavailable, match="not an executable"):
        find_ffmpeg(str(tmp_path / "nowhere"))


def test_a_bare_name_is_looked_up_on_path(tmp_path, monkeypatch):
    write_script(tmp_path / "my-ffmpeg", FAKE.format(version="4-path"))
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    found = find_ffmpeg("my-ffmpeg")
    assert found.version == "4-path" and found.path == str(tmp_path / "my-ffmpeg")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pipe sizes are Linux's")
def test_the_pipe_feeding_ffmpeg_is_widened(ffmpeg):
    # Fault: frames fed through the default 64 kB pipe, 160 writes and wake-ups per 1080p
    # frame of 10 MB.
    import fcntl

    seen: list[int] = []

    class OneFrame:
        def write_to(self, stream):
            seen.append(fcntl.fcntl(stream.fileno(), fcntl.F_GETPIPE_SZ))
            stream.write(bytes(4))

    run_ffmpeg(ffmpeg, ["-f", "rawvideo", "-pix_fmt", "gray", "-video_size", "2x2", "-i",
                        "pipe:0", "-f", "null", "-"], feed=OneFrame())
    with open("/proc/sys/fs/pipe-max-size") as limit:
        assert seen == [min(int(limit.read()), PIPE_BYTES)]
