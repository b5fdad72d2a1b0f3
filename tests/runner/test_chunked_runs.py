"""Chunked runs end to end: resume after SIGKILL, a Dask cluster's bytes, lost workers,
failing chunks (lapsefile/backends/local_chunks.py, lapsefile/executors/)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from lapsefile.chunking import chunk_ranges
from lapsefile.cli.main import cli
from lapsefile.engine.ffmpeg import find_ffmpeg
from lapsefile.engine.probe import probe
from lapsefile.engine.testing import make_frames
from lapsefile.events import Collector
from lapsefile.runner import run_project

SPEC = """version: 1
frames: {{include: ["photos/*.jpg"]}}
timing: {{fps: 24, duration: {seconds}s}}
overlays:
  titles: [{{text: "Across the seams", start: 1s, end: {end}s, fade_in: 2s, fade_out: 2s}}]
render: {{chunks: {chunks}}}
outputs:
  - {{path: out/video.mp4, name: main, size: "{size}"}}
"""


def _project(root: Path, seconds: int = 10, chunks: int = 4, size: str = "64x36",
             photos: int = 20) -> Path:
    make_frames(root / "photos", photos, size=(96, 54))
    spec = root / "lapse.yaml"
    spec.write_text(SPEC.format(seconds=seconds, end=seconds - 1, chunks=chunks, size=size))
    return spec


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _chunks_recorded(spec: Path) -> dict:
    try:
        lock = json.loads((spec.parent / "lapse.lock").read_text())
    except (OSError, ValueError):
        return {}
    record = lock.get("outputs", {}).get("main", {}).get("steps", {}).get("main/render", {})
    chunks = record.get("chunks")
    return chunks.get("done", {}) if isinstance(chunks, dict) else {}


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "HOME": str(tmp_path / "home"), "LAPSEFILE_DASK_SCHEDULER": ""}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIGKILL and /proc")
def test_a_sigkilled_run_resumes_with_only_the_missing_chunks(tmp_path):
    # Fault: chunks not recorded as they finish (all lost with the run), recorded chunks
    # encoded again, or a resumed video that differs from an uninterrupted one.
    spec = _project(tmp_path, seconds=20, chunks=8, size="320x180")
    run = [sys.executable, "-m", "lapsefile", "run", str(spec), "--workers", "1"]
    proc = subprocess.Popen(run, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=_env(tmp_path))
    try:
        deadline = time.monotonic() + 60
        while not _chunks_recorded(spec) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert proc.poll() is None, "the run finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    recorded = set(_chunks_recorded(spec))
    assert 1 <= len(recorded) < 8
    said = CliRunner().invoke(cli, ["plan", str(spec)])
    assert f"{len(recorded)} of 8 chunks done" in said.output, said.output

    again = subprocess.run([*run, "--json"], capture_output=True, text=True, timeout=120,
                           env=_env(tmp_path))
    assert again.returncode == 0, again.stderr
    chunks = [e for e in map(json.loads, again.stdout.splitlines()) if e["event"] == "chunk"]
    assert {str(e["chunk"]) for e in chunks if e["reused"]} == recorded
    assert {str(e["chunk"]) for e in chunks if not e["reused"]} == \
        {str(i) for i in range(1, 9)} - recorded
    resumed = _sha256(tmp_path / "out" / "video.mp4")
    assert probe(tmp_path / "out" / "video.mp4").frame_count == 480
    assert not (tmp_path / ".lapsefile" / "chunks" / "main").exists()
    subprocess.run([*run, "--force"], check=True, capture_output=True, timeout=120,
                   env=_env(tmp_path))
    assert _sha256(tmp_path / "out" / "video.mp4") == resumed


def _encoding_workers() -> list[int]:
    """This test's own worker processes (below this one, not itself) that have a chunk's
    ffmpeg running (by /proc). Never another test's: a run of the test beside it (pytest-xdist)
    may be encoding chunks at the same moment, and must not be the one killed."""
    parents: dict[int, int] = {}
    encoding = []  # the processes that started a chunk's ffmpeg
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():  # self, thread-self: not processes of their own
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        parents[int(entry.name)] = parent
        if b"ffmpeg" in cmdline and b"trim=start_pts=" in cmdline:
            encoding.append(parent)
    return [pid for pid in encoding if pid != os.getpid() and _below_this_process(pid, parents)]


def _below_this_process(pid: int, parents: dict[int, int]) -> bool:
    seen = set()
    while pid in parents and pid not in seen:
        seen.add(pid)
        pid = parents[pid]
        if pid == os.getpid():
            return True
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIGKILL and /proc")
def test_a_dask_cluster_makes_the_local_executors_bytes_and_survives_a_lost_worker(tmp_path):
    # Fault: a chunk's bytes depending on where it ran (the worker's cores, paths, clock), a
    # worker lost mid-chunk failing the run, or its chunk missing from the video.
    spec = _project(tmp_path, seconds=12, chunks=6, size="320x180")
    run_project(spec, options={"executor": "local", "workers": 2})
    local = _sha256(tmp_path / "out" / "video.mp4")
    killed: list[int] = []

    def kill_a_worker_mid_chunk(event) -> None:
        collected(event)
        if event.kind != "chunk" or killed:
            return
        deadline = time.monotonic() + 5
        while not (busy := _encoding_workers()) and time.monotonic() < deadline:
            time.sleep(0.005)
        assert busy, "no worker was encoding a chunk"
        killed.append(busy[0])
        os.kill(busy[0], signal.SIGKILL)  # a worker process, with its ffmpeg mid-chunk

    collected = Collector()
    run_project(spec, force=True, options={"executor": "dask", "workers": 2},
                emit=kill_a_worker_mid_chunk)
    assert _sha256(tmp_path / "out" / "video.mp4") == local
    chunks = [e for e in collected.events if e.kind == "chunk"]
    assert sorted(e.data["chunk"] for e in chunks) == [1, 2, 3, 4, 5, 6]
    assert killed  # its chunk's ffmpeg died with it (PR_SET_PDEATHSIG): run again elsewhere


def test_a_chunk_failing_twice_exits_1_with_ffmpegs_stderr_and_keeps_the_rest(tmp_path):
    # Fault: a traceback (exit 3), ffmpeg's words lost, or the finished chunks not recorded.
    spec = _project(tmp_path, seconds=10, chunks=4)
    real = find_ffmpeg().path
    third = chunk_ranges(240, 24, "h264", 4)[2][0]  # where the third chunk starts
    script = tmp_path / "ffmpeg"
    script.write_text(f"""#!/bin/sh
case "$*" in
  *start_pts={third}:*) echo "boom: the third chunk is cursed" >&2; exit 1;;
esac
exec {real} "$@"
""")
    script.chmod(0o755)
    result = CliRunner().invoke(cli, ["run", str(spec), "--ffmpeg", str(script),
                                      "--workers", "1"])
    assert result.exit_code == 1, result.output
    assert "chunk 3 of 4" in result.output and "boom: the third chunk is cursed" in result.output
    assert "3" not in _chunks_recorded(spec) and "1" in _chunks_recorded(spec)
    said = CliRunner().invoke(cli, ["plan", str(spec)])
    assert "failed last time" in said.output and "of 4 chunks done" in said.output
    assert not (tmp_path / "out" / "video.mp4").exists()


def test_a_scheduler_without_the_dask_executor_is_a_usage_error(tmp_path):
    # Fault: --scheduler silently ignored (the run encodes on this machine instead).
    spec = _project(tmp_path, seconds=2, chunks=1, photos=2)
    result = CliRunner().invoke(cli, ["run", str(spec), "--scheduler", "tcp://10.0.0.5:8786"])
    assert result.exit_code == 2 and "--executor dask" in result.output
    assert not (tmp_path / "lapse.lock").exists()


def test_chunk_folders_no_run_will_join_are_removed_and_others_kept(tmp_path):
    # Fault: chunks of an output gone from the spec, or of one now rendered whole, kept in
    # .lapsefile/chunks/ for ever; or a killed run's chunks of an output that still cuts (or
    # one that --only leaves out) thrown away by the cleanup.
    spec = _project(tmp_path, seconds=3, chunks=1, photos=2)
    chunks = tmp_path / ".lapsefile" / "chunks"
    for name in ("gone", "main", "later"):
        (chunks / name).mkdir(parents=True)
        (chunks / name / "0123456789abcdef-0001of0002.mp4").write_bytes(b"a chunk")
    text = spec.read_text().replace(
        "outputs:\n", "outputs:\n  - {path: out/later.mp4, name: later, size: \"64x36\"}\n")
    spec.write_text(text)
    run_project(spec, only=["main"], options={"workers": 1})
    assert not (chunks / "gone").exists()  # no output of that name any more
    assert not (chunks / "main").exists()  # rendered whole now
    assert (chunks / "later").is_dir()  # left out by --only: its chunks wait for its run


def _hidden_workers(project: Path, scheduler: str, count: int) -> list[subprocess.Popen]:
    """``count`` Dask workers, each in its own mount namespace where ``project`` is an empty
    folder (a tmpfs mounted over it): real worker processes that cannot see the project at
    its path, as on a machine without the shared storage. Unprivileged user namespaces
    (``unshare -Urm``) make this possible without root."""
    hide = 'mount -t tmpfs none "$1" && shift && exec "$@"'
    worker = [sys.executable, "-m", "distributed.cli.dask_worker", scheduler, "--nthreads",
              "1", "--no-dashboard", "--nworkers", "1"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return [subprocess.Popen(["unshare", "-Urm", "sh", "-c", hide, "sh", str(project),
                              *worker], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env=env) for _ in range(count)]


def _unshare_works(tmp_path: Path) -> bool:
    folder = tmp_path / "probe"
    folder.mkdir()
    try:
        return subprocess.run(["unshare", "-Urm", "sh", "-c", 'mount -t tmpfs none "$0"',
                               str(folder)], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mount namespaces")
def test_workers_that_cannot_see_the_project_get_its_files_and_make_the_same_bytes(tmp_path):
    # Fault: the run failing on workers without the shared storage ("cannot read"), the
    # client not noticing they cannot see it, or the shipped chunks' video differing from
    # the local executor's.
    if not _unshare_works(tmp_path):
        pytest.skip("unprivileged mount namespaces (unshare -Urm) are not available here")
    from distributed import Client, LocalCluster

    project = tmp_path / "project"
    spec = _project(project, seconds=8, chunks=4)
    run_project(spec, options={"executor": "local", "workers": 2})
    local = _sha256(project / "out" / "video.mp4")
    with LocalCluster(n_workers=0, processes=True, dashboard_address=None) as cluster:
        workers = _hidden_workers(project, cluster.scheduler_address, 2)
        try:
            with Client(cluster.scheduler_address) as client:
                client.wait_for_workers(2, timeout=60)
                assert not any(client.run(os.path.exists, str(spec)).values())
            collected = Collector()
            run_project(spec, force=True, emit=collected, options={
                "executor": "dask", "scheduler": cluster.scheduler_address})
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=30)
    assert _sha256(project / "out" / "video.mp4") == local
    assert any("cannot see" in e.data["text"] for e in collected.events if e.kind == "warning")
    assert len({e.data["worker"] for e in collected.events if e.kind == "chunk"}) >= 1
