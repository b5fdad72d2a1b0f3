"""Finding ffmpeg, knowing what it can do, and running it.

The binary is the one the user names, else ``$LAPSEFILE_FFMPEG``, else the one bundled with
the ``imageio-ffmpeg`` wheel. What a binary can do (encoders, filters) is read once per binary
version on disk: the cache key includes the file's mtime and size, so an upgraded ffmpeg at the
same path is examined again.
"""

from __future__ import annotations

import collections
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Protocol

from ..errors import EngineUnavailable, RenderError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

ENV_VAR = "LAPSEFILE_FFMPEG"
STDERR_TAIL_LINES = 20
STALL_SECONDS = 300.0  # no new output for this long: ffmpeg is stuck, not slow

# How to get a feature when a binary lacks it: the configure switch of an ffmpeg build.
_BUILD_FLAGS = {
    "libx264": "--enable-gpl --enable-libx264",
    "libx265": "--enable-gpl --enable-libx265",
    "libsvtav1": "--enable-libsvtav1",
    "libvpx-vp9": "--enable-libvpx",
    "drawtext": "--enable-libfreetype",
    "aac": "(the native AAC encoder, present in every normal build)",
}

ProgressCallback = Callable[[float, float], None]


@dataclass(frozen=True)
class Ffmpeg:
    path: str
    version: str

    @property
    def features(self) -> frozenset[str]:
        """Names of the encoders and filters this binary has."""
        st = os.stat(self.path)
        return _capabilities(self.path, st.st_mtime_ns, st.st_size)

    def has(self, feature: str) -> bool:
        return feature in self.features

    def require(self, features: Iterable[str]) -> None:
        """Raise EngineUnavailable naming every missing feature and how to get it."""
        missing = sorted(set(features) - self.features)
        if not missing:
            return
        flags = sorted({_BUILD_FLAGS.get(name, f"the '{name}' filter") for name in missing})
        raise EngineUnavailable(
            f"{self.path} (ffmpeg {self.version}) lacks {', '.join(missing)}, which this render "
            f"needs. Use an ffmpeg built with {'; '.join(flags)}: reinstall the bundled one "
            f"(pip install --force-reinstall imageio-ffmpeg) or point {ENV_VAR} (or the "
            f"ffmpeg option) at a full build.")


def find_ffmpeg(explicit: str | None = None) -> Ffmpeg:
    """The ffmpeg to use: ``explicit``, else ``$LAPSEFILE_FFMPEG``, else imageio-ffmpeg's."""
    binary = locate_ffmpeg(explicit)
    st = binary.stat()
    return Ffmpeg(str(binary), _version(str(binary), st.st_mtime_ns, st.st_size))


def locate_ffmpeg(explicit: str | None = None) -> Path:
    """The binary ``find_ffmpeg`` would use, without running it (``-version`` is a process:
    a re-plan that only needs the binary's identity, as a cache key, does not pay it)."""
    if explicit:
        return _examine(explicit, "the ffmpeg option")
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return _examine(from_env, f"${ENV_VAR}")
    try:
        import imageio_ffmpeg

        bundled = imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as exc:
        raise EngineUnavailable(
            f"no ffmpeg found ({exc}). Install one with `pip install imageio-ffmpeg`, or set "
            f"{ENV_VAR} to the path of an ffmpeg binary.") from None
    return _examine(bundled, "imageio-ffmpeg")


def _examine(path: str, source: str) -> Path:
    resolved = Path(path).expanduser()
    if not resolved.is_file() and os.sep not in path:
        found = shutil.which(path)  # a bare name such as "ffmpeg": look it up on PATH
        resolved = Path(found) if found else resolved
    if not resolved.is_file() or not os.access(resolved, os.X_OK):
        raise EngineUnavailable(f"{path} (from {source}) is not an executable file. Point "
                                f"{ENV_VAR} or the ffmpeg option at an ffmpeg binary.")
    return resolved


@lru_cache(maxsize=16)
def _version(path: str, mtime_ns: int, size: int) -> str:
    out = _query(path, ["-version"])
    match = re.search(r"ffmpeg version (\S+)", out)
    if not match:
        raise EngineUnavailable(f"{path} does not look like ffmpeg: `{path} -version` printed "
                                f"{out.strip()[:200]!r}")
    return match.group(1)


@lru_cache(maxsize=16)
def _capabilities(path: str, mtime_ns: int, size: int) -> frozenset[str]:
    names: set[str] = set()
    for listing in ("-encoders", "-filters"):
        for line in _query(path, ["-hide_banner", listing]).splitlines():
            match = re.match(r"^\s([A-Z.|]{2,6})\s+([A-Za-z0-9_-]+)\s", line)  # libvpx-vp9
            if match:
                names.add(match.group(2))
    return frozenset(names)


def _query(path: str, args: list[str]) -> str:
    try:
        done = subprocess.run([path, *args], stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EngineUnavailable(f"cannot run {path}: {exc}") from None
    return (done.stdout + done.stderr).decode("utf-8", "replace")


class Feeder(Protocol):
    """Writes an input's bytes to ffmpeg's standard input (``engine/feed.py``)."""

    def write_to(self, stream: IO[bytes]) -> None: ...


def run_ffmpeg(ffmpeg: Ffmpeg, args: Sequence[str], *, cwd: Path | None = None,
               total: float = 0.0, on_progress: ProgressCallback | None = None,
               what: str = "ffmpeg failed", stall_timeout: float = STALL_SECONDS,
               feed: Feeder | None = None) -> None:
    """Run ffmpeg with ``args`` (without the binary), reporting ``-progress`` output; with
    ``feed``, a thread writes its bytes to ffmpeg's standard input meanwhile.

    On failure raise RenderError with the command and the last lines ffmpeg wrote; also when
    the output stops advancing for ``stall_timeout`` seconds (ffmpeg is killed: a stuck
    filter graph must not hang a run for ever). An error of the feed (a photo that does not
    decode) kills ffmpeg, so no video short of frames is finished, and is raised. On any
    exception here, including KeyboardInterrupt, ffmpeg is stopped before this returns, so
    the caller can delete its temp files knowing nothing writes them any more.
    """
    command = [ffmpeg.path, "-nostdin", "-hide_banner", "-nostats", "-progress", "pipe:1",
               *args]
    tail: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL_LINES)
    try:
        proc = subprocess.Popen(tied_to_this_process(command), cwd=cwd,
                                stdin=subprocess.PIPE if feed else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as exc:
        raise EngineUnavailable(f"cannot run {ffmpeg.path}: {exc}", command) from None
    reader = threading.Thread(target=_drain, args=(proc.stderr, tail), daemon=True)
    reader.start()
    feeding = _Feeding(proc, feed) if feed is not None else None
    watch = _Watchdog(proc, stall_timeout)
    try:
        _follow_progress(proc, total, on_progress, watch)
        returncode = proc.wait()
    except BaseException:
        _stop(proc)
        raise
    finally:
        watch.done.set()
        reader.join(timeout=5)
        if feeding is not None:
            feeding.join()
    if feeding is not None and feeding.error is not None:
        raise feeding.error
    if watch.stalled:
        raise RenderError(f"{what}: ffmpeg made no progress for {stall_timeout:g} s and was "
                          f"stopped", command, "\n".join(tail), returncode)
    if returncode == _WRAPPER_FAILED and tail and tail[-1].startswith("cannot run "):
        raise EngineUnavailable(tail[-1], command)
    if returncode != 0:
        raise RenderError(f"{what} (exit code {returncode})", command, "\n".join(tail),
                          returncode)



# Linux: ffmpeg dies with lapsefile, even when lapsefile is killed with SIGKILL (which runs no
# cleanup), so no orphan goes on writing a part file the next run wants. The child asks the
# kernel for SIGKILL when its parent dies (prctl PR_SET_PDEATHSIG), then execs ffmpeg: the
# setting survives exec, and the pid stays the same, so Popen's pid *is* ffmpeg.
#
# Done by a tiny wrapper (this interpreter, isolated, no site) rather than ``preexec_fn``:
# ffmpeg is also started from worker threads (the nemo backend renders clips in a thread
# pool; the emulator renders exports in a thread), and ``preexec_fn`` runs Python between
# fork and exec, which can deadlock when another thread held a lock at the fork.
#
# PR_SET_PDEATHSIG fires when the parent *thread* that started the child exits, not the
# process. That is what we want here: ``run_ffmpeg`` blocks in the starting thread until
# ffmpeg has exited (``proc.wait()``, or ``_stop`` on any exception), so that thread cannot
# end first, except when the whole process dies.
#
# If lapsefile died before the prctl took effect, the wrapper sees another parent and exits.
# If the wrapper cannot exec ffmpeg it exits 127 with ``cannot run``: run_ffmpeg reports it
# as EngineUnavailable, as it reports Popen's own OSError.
#
# Elsewhere (macOS, Windows) there is no such kernel feature and ffmpeg is started directly:
# a killed lapsefile can leave ffmpeg running until it finishes. The next run copes anyway:
# every render writes a temp file with a fresh random name (``render.py``), and leftovers are
# removed at the next run's start (``remove_stale_render_files``), best effort.
_PDEATHSIG_WRAPPER = """\
import ctypes, os, signal, sys
parent, argv = int(sys.argv[1]), sys.argv[2:]
if ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0) == 0:
    if os.getppid() != parent:
        os._exit(137)
try:
    os.execv(argv[0], argv)
except OSError as exc:
    sys.stderr.write("cannot run %s: %s\\n" % (argv[0], exc))
    os._exit(127)
"""
_WRAPPER_FAILED = 127


def tied_to_this_process(command: Sequence[str]) -> list[str]:
    """``command`` started so that it is killed when this process dies (Linux; see above)."""
    if not sys.platform.startswith("linux") or not sys.executable or getattr(sys, "frozen",
                                                                                False):
        return list(command)
    return [sys.executable, "-I", "-S", "-c", _PDEATHSIG_WRAPPER, str(os.getpid()),
            *command]


class _Feeding:
    """The thread writing a feed to ffmpeg's standard input, and what stopped it."""

    def __init__(self, proc: subprocess.Popen[bytes], feed: Feeder) -> None:
        self.proc, self.feed = proc, feed
        self.error: BaseException | None = None
        assert proc.stdin is not None
        _widen_pipe(proc.stdin.fileno())
        self.thread = threading.Thread(target=self._write, daemon=True)
        self.thread.start()

    def _write(self) -> None:
        assert self.proc.stdin is not None
        try:
            self.feed.write_to(self.proc.stdin)
        except BaseException as exc:  # noqa: BLE001 - re-raised in run_ffmpeg's thread
            self.error = exc
            _stop(self.proc)  # killed before stdin closes: a short input would look complete
        finally:
            try:
                self.proc.stdin.close()  # end of input: ffmpeg finishes the video
            except OSError:
                pass  # ffmpeg already gone; its exit code says why

    def join(self) -> None:
        self.thread.join()


PIPE_BYTES = 1 << 20  # the pipe feeding ffmpeg; Linux's default limit for an unprivileged one


def _widen_pipe(fd: int) -> None:
    """Give the pipe to ffmpeg ``PIPE_BYTES``, or the system's limit if lower, not Linux's
    64 kB: a 10 MB frame then crosses in 10 writes instead of 160, each a wake-up of ffmpeg's
    reader (a few percent of the CPU of 24 MP photos fed into 1080p, README "Performance").
    Not more even where allowed: what the pipe holds is memory of frames in flight, and 1 MB
    already makes the writes few. Best effort."""
    setpipe = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only
    if setpipe is None:
        return
    try:
        with open("/proc/sys/fs/pipe-max-size") as limit:
            fcntl.fcntl(fd, setpipe, min(int(limit.read()), PIPE_BYTES))
    except (OSError, ValueError):
        pass  # the default size works, only slower


class _Watchdog:
    """Kills ffmpeg when its progress does not advance for ``timeout`` seconds."""

    def __init__(self, proc: subprocess.Popen[bytes], timeout: float):
        self.proc, self.timeout = proc, timeout
        self.last = time.monotonic()
        self.stalled = False
        self.done = threading.Event()
        threading.Thread(target=self._watch, daemon=True).start()

    def advanced(self) -> None:
        self.last = time.monotonic()

    def _watch(self) -> None:
        while not self.done.wait(min(1.0, self.timeout / 4)):
            if self.proc.poll() is not None:
                return
            if time.monotonic() - self.last > self.timeout:
                self.stalled = True
                self.proc.kill()
                return


def _follow_progress(proc: subprocess.Popen[bytes], total: float,
                     on_progress: ProgressCallback | None, watch: _Watchdog) -> None:
    assert proc.stdout is not None
    latest = -1
    for raw in proc.stdout:
        key, _, value = raw.decode("ascii", "replace").strip().partition("=")
        if key == "out_time_us" and value.lstrip("-").isdigit():
            micros = int(value)
            if micros > latest:
                latest = micros
                watch.advanced()
            if on_progress is not None:
                done = max(0.0, micros / 1e6)
                on_progress(min(done, total) if total else done, total)
        elif key == "progress" and value == "end" and total and on_progress is not None:
            on_progress(total, total)


def _drain(stream, tail: collections.deque[str]) -> None:
    for raw in stream:
        line = raw.decode("utf-8", "replace").rstrip()
        if line:
            tail.append(line)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    # Killed, not asked to stop: its output is about to be deleted, and a graceful stop
    # would first finish the file (the faststart pass rewrites all of it).
    if proc.poll() is None:
        proc.kill()
    proc.wait()
