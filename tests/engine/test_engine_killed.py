"""A lapsefile killed with SIGKILL mid-render: its ffmpeg dies with it, the next run succeeds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from lapsefile.engine import workdir
from lapsefile.engine.probe import probe
from lapsefile.engine.render import remove_stale_render_files
from lapsefile.engine.testing import make_frames
from lapsefile.engine.workdir import Workdir, remove_stale_workdirs

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"),
    reason="ffmpeg dying with its parent (PR_SET_PDEATHSIG) is a Linux-only guarantee")

# Long enough that SIGKILL lands mid-render: many frames at a larger size.
SLOW = """version: 1
frames: {include: ["photos/*.jpg"]}
timing: {fps: 30, duration: 40s}
outputs:
  - {path: out/video.mp4, name: video, size: "1280x720"}
"""
QUICK = SLOW.replace("duration: 40s", "duration: 1s").replace('"1280x720"', '"64x36"')


def _children(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (by /proc, so no pgrep is needed)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        kids = [p for p, pp in parents.items() if pp == parent]
        found += kids
        frontier += kids
    return found


def _writers_of(path: Path) -> list[int]:
    """Processes whose command line names ``path`` (ffmpeg is given the part file's path)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes()
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if str(path).encode() in cmdline and state != "Z":
                pids.append(int(entry.name))
    return pids


def _wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@linux_only
def test_sigkilled_run_takes_its_ffmpeg_along_and_the_next_run_succeeds(tmp_path):
    make_frames(tmp_path / "photos", 12, size=(320, 180))
    spec = tmp_path / "lapse.yaml"
    spec.write_text(SLOW)
    out = tmp_path / "out"

    def parts() -> list[Path]:
        return list(out.glob(".video.mp4.*.part")) if out.is_dir() else []
    proc = subprocess.Popen([sys.executable, "-m", "lapsefile", "run", str(spec)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    leftover: list[int] = []
    try:
        ffmpegs = _wait_for(lambda: parts() and _children(proc.pid), 30,
                            "ffmpeg to start writing the part file")
        part = parts()[0]
        assert proc.poll() is None, "the render finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            leftover = [p for p in ffmpegs if Path(f"/proc/{p}").exists()
                        and p in _writers_of(part)]
            if not leftover:
                break
            time.sleep(0.05)
        assert not leftover, f"ffmpeg {leftover} outlived its killed parent"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for part in parts():  # never leave a stray ffmpeg behind a failed test
            for pid in _writers_of(part):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass

    # The same quick project runs at once: the dead run's part file is no obstacle.
    spec.write_text(QUICK)
    done = subprocess.run([sys.executable, "-m", "lapsefile", "run", str(spec)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    info = probe(tmp_path / "out" / "video.mp4")
    assert (info.width, info.height) == (64, 36)
    assert parts() == []  # the dead run's part file was removed, not left to pile up


def test_stale_render_files_of_the_outputs_are_removed_and_nothing_else(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    keep = ["video.mp4", ".video.mp4.abc.tmp", ".other.mp4.x1.part", "video.mp4.part",
            ".video.mp4x.part"]
    stale = [".video.mp4.part", ".video.mp4.k9_z.part"]
    for name in keep + stale:
        (out / name).write_text("x")
    remove_stale_render_files([out / "video.mp4", tmp_path / "missing" / "a.mp4"])
    assert sorted(p.name for p in out.iterdir()) == sorted(keep)


def test_only_work_folders_of_dead_processes_are_removed(tmp_path, monkeypatch):
    monkeypatch.setattr(workdir, "GRACE_SECONDS", 3600.0)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    live = Workdir()
    dead = tmp_path / "lapsefile-render-dead"
    dead.mkdir()
    (dead / workdir.OWNER).write_text("")  # its owner died: nobody holds the lock
    foreign = tmp_path / "lapsefile-render-foreign"  # not made by this scheme: left alone
    foreign.mkdir()
    young = tmp_path / "lapsefile-render-young"  # its owner may not hold the lock yet
    young.mkdir()
    (young / workdir.OWNER).write_text("")
    os.utime(dead, (0, 0))
    os.utime(live.path, (0, 0))  # old, but alive: its lock is held
    remove_stale_workdirs()
    assert not dead.exists() and live.path.is_dir() and foreign.is_dir() and young.is_dir()
    live.remove()
    assert not live.path.exists()
