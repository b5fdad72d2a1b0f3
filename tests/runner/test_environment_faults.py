"""Environment faults (issue 9, class 7): a full disk at the lock, the state folder or the
output, a file where the state folder goes, a folder where the lock goes, an unusable temp
folder. Each is exit 1 with the file named, what happened and how to fix it; never a
traceback or exit 3, and the previous lock is left as it was.

A full disk is produced for real where an unprivileged test can: a file size limit
(``RLIMIT_FSIZE`` with SIGXFSZ ignored, so writes past it fail with EFBIG) in a child process,
which ffmpeg inherits. ENOSPC itself needs a full file system, so it is injected where the
OS reports it (fsync of the file being written, or ffmpeg's own words).
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import imageio_ffmpeg
import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

import lapsefile
from lapsefile import atomic
from lapsefile.cli.main import cli
from lapsefile.errors import LapsefileError, RenderError, storage_error
from lapsefile.runner import run_project

from ..support import write_photo

SPEC = """version: 1
frames: {include: ["photos/*.jpg"]}
timing: {fps: 12, duration: 1s}
outputs:
  - {path: out/wide.mp4, name: wide, size: "64x36"}
  - {path: out/tall.mp4, name: tall, size: "36x64"}
"""
ONE_OUTPUT = SPEC.replace('  - {path: out/tall.mp4, name: tall, size: "36x64"}\n', "")

posix_limits = pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for i in range(1, 5):
        write_photo(root / "photos" / f"IMG_{i}.jpg", shade=i * 45, size=(64, 48))
    (root / "lapse.yaml").write_text(SPEC)
    return root


def _run(root: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["run", str(root / "lapse.yaml"), *args])
    assert "Traceback" not in result.output and "internal error" not in result.output
    return result


def _limited_run(root: Path, max_bytes: int) -> subprocess.CompletedProcess[str]:
    """``lapsefile run`` in a child whose files (and ffmpeg's) may not grow past max_bytes."""
    script = textwrap.dedent(f"""
        import resource, signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, ({max_bytes}, {max_bytes}))
        from lapsefile.cli.main import cli
        cli(["run", {str(root / "lapse.yaml")!r}])
    """)
    source = str(Path(lapsefile.__file__).parents[1])  # the lapsefile under test, in the child
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [source, *filter(None, [os.environ.get("PYTHONPATH")])])}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=root, timeout=120, env=env)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return result


def _no_temps(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.startswith(".") and
                p.name.endswith((".tmp", ".part"))]


@posix_limits
def test_a_full_disk_at_the_lock_names_it_and_keeps_the_old_one(project: Path) -> None:
    assert _run(project).exit_code == 0
    lock = (project / "lapse.lock").read_bytes()
    (project / "lapse.yaml").write_text(ONE_OUTPUT)  # the next run only rewrites the lock
    result = _limited_run(project, 512)
    assert result.returncode == 1, result.stderr
    assert f"{project / 'lapse.lock'}: cannot write it: file too large" in result.stderr
    assert "the previous lapse.lock is unchanged" in result.stderr
    assert (project / "lapse.lock").read_bytes() == lock and _no_temps(project)


@posix_limits
def test_ffmpeg_writing_to_a_full_disk_says_so_and_leaves_nothing(project: Path) -> None:
    assert CliRunner().invoke(cli, ["plan", str(project / "lapse.yaml")]).exit_code == 0
    result = _limited_run(project, 1024)  # the videos are bigger than this
    assert result.returncode == 1, result.stderr
    assert "the video could not be written: file too large" in result.stderr
    assert "File too large" in result.stderr  # ffmpeg's own words follow
    assert list((project / "out").iterdir()) == []  # no video, no temp
    assert not (project / "lapse.lock").exists()  # recording the failure needed room too


def test_ffmpeg_out_of_space_is_said_first(project: Path, tmp_path: Path) -> None:
    """ENOSPC needs a really full disk: an ffmpeg that fails as ffmpeg then does."""
    full = tmp_path / "ffmpeg-full-disk"
    full.write_text(
        "#!/bin/sh\ncase \"$*\" in *-filter_complex*)\n"
        "  echo '[out#0/mp4 @ 0x1] Error writing trailer: No space left on device' >&2\n"
        f"  exit 1;;\nesac\nexec '{imageio_ffmpeg.get_ffmpeg_exe()}' \"$@\"\n")
    full.chmod(full.stat().st_mode | stat.S_IEXEC)
    with pytest.raises(RenderError) as info:
        run_project(project / "lapse.yaml", options={"ffmpeg": str(full)})
    lines = str(info.value).splitlines()
    assert lines[1].startswith("the video could not be written: no space left on the device")
    assert "free some space" in lines[1]


def _full_disk_at(monkeypatch: pytest.MonkeyPatch, marker: str) -> None:
    """fsync (where a full disk reports a write it could not keep) fails with ENOSPC for
    files whose name contains ``marker``; every other file is written normally."""
    real = os.fsync

    def fsync(fd: int) -> None:
        if marker in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(atomic.os, "fsync", fsync)


linux_only = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="/proc/self/fd")


@linux_only
def test_no_space_left_for_the_lock(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run(project).exit_code == 0
    lock = (project / "lapse.lock").read_bytes()
    (project / "lapse.yaml").write_text(ONE_OUTPUT)
    _full_disk_at(monkeypatch, "/.lapse.lock.")
    result = _run(project)
    assert result.exit_code == 1
    assert (f"{project / 'lapse.lock'}: cannot write it: no space left on the device (the disk "
            "is full) (ENOSPC)") in result.output
    assert "hint: free some space on that disk" in result.output
    assert (project / "lapse.lock").read_bytes() == lock and _no_temps(project)


@linux_only
def test_no_space_left_in_the_state_folder_stops_before_any_work(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _full_disk_at(monkeypatch, "/.lapsefile/")
    result = _run(project)
    assert result.exit_code == 1
    # the first file it writes there, before taking the run lock
    assert f"{project / '.lapsefile' / '.gitignore'}: cannot write it: no space left" \
        in result.output
    assert not (project / "out").exists() and not (project / "lapse.lock").exists()
    assert _no_temps(project / ".lapsefile")


def test_a_file_where_the_state_folder_goes(project: Path) -> None:
    assert _run(project).exit_code == 0
    lock = (project / "lapse.lock").read_bytes()
    shutil.rmtree(project / ".lapsefile")  # its files and cache/
    (project / ".lapsefile").write_text("not a folder")
    result = _run(project)
    assert result.exit_code == 1
    assert f"{project / '.lapsefile'}: this is a file, but lapsefile keeps its local state" \
        in result.output
    assert "hint: move or delete the file" in result.output
    assert (project / "lapse.lock").read_bytes() == lock
    assert (project / ".lapsefile").read_text() == "not a folder"


def test_a_folder_where_the_lock_goes(project: Path) -> None:
    (project / "lapse.lock").mkdir()
    result = _run(project)
    assert result.exit_code == 1
    assert f"{project / 'lapse.lock'}: cannot read the lock file: this is a folder, where a " \
        "file is needed (EISDIR)" in result.output
    assert "hint: move or remove the folder" in result.output
    assert list((project / "lapse.lock").iterdir()) == [] and not (project / "out").exists()


def test_a_temp_folder_that_is_a_file(project: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """TMPDIR naming a file: render work folders cannot be made (ENOTDIR)."""
    not_a_folder = tmp_path / "tmp-is-a-file"
    not_a_folder.write_text("")
    monkeypatch.setattr(tempfile, "tempdir", str(not_a_folder))
    result = _run(project)
    assert result.exit_code == 1
    assert "cannot create a render work folder: a part of this path is a file" in result.output
    assert "set TMPDIR to a folder with room" in result.output
    assert list((project / "out").iterdir()) == []


@given(code=st.sampled_from(sorted(errno.errorcode)),
       name=st.text(st.characters(blacklist_characters="/\x00"), min_size=1, max_size=20))
def test_every_os_error_about_a_file_is_said_with_its_path(code: int, name: str) -> None:
    """Whatever the errno, the message names the file and the cause, and it stays an OSError
    of that errno (code treating a write as optional still catches it)."""
    path = f"/project/{name}"
    error = storage_error(OSError(code, os.strerror(code), path), "write it")
    assert isinstance(error, LapsefileError) and isinstance(error, OSError)
    assert error.errno == code and error.exit_code == 1
    text = str(error)
    assert text.startswith(f"{path}: cannot write it: ") and errno.errorcode[code] in text
