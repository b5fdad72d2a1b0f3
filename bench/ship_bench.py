"""Benchmark: a chunked render on Dask workers that cannot see the project (files shipped as
bytes, ``engine/shipping.py``) against the same workers on shared storage.

    python bench/ship_bench.py [--rounds 3] [--photos 192] [--chunks 4] [--workers 2]

1. Generates ``--photos`` photo-like JPEGs of 3000x2000 (noisy moving test pattern, as
   ``chunk_bench.py``) and a ``lapse.yaml`` asking for a 1080p24 video in ``--chunks``
   chunks, one photo a frame.
2. Starts, with Dask's own commands, two clusters on this machine, each a ``dask scheduler``
   and ``--workers`` ``dask worker`` processes of one thread: "shared", whose workers see the
   project (this machine's disk: shared storage at its best), and "shipped", whose workers run
   in mount namespaces where the project's folder is an empty tmpfs (``unshare -Urm``), so
   lapsefile finds they cannot see it and sends every chunk's photos as bytes.
3. Runs, side by side in one run (alternating which goes first), for ``--rounds`` rounds, the
   command a user would type, as a whole process with the photos already hashed
   (``.lapsefile/`` kept, lock and output removed): ``lapsefile run --executor dask
   --scheduler <address>`` against each cluster. Medians of wall time and of the client's CPU
   time (the ``lapsefile run`` process and its children: reading, hashing and scattering the
   files, the join; the workers' encoding is not in it), and the ratio shipped / shared.

Loopback is not a network: the ratio is the cost of reading, hashing, pickling and copying the
bytes through Dask, a floor; a real network adds the photos' size over its bandwidth (printed).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from chunk_bench import FPS, SPEC  # the same video, chunked
from measure import load_average, measured, round_robin, work_folder

HIDE = 'mount -t tmpfs none "$1" && shift && exec "$@"'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cluster(workers: int, hide: Path | None) -> tuple[str, list[subprocess.Popen]]:
    """A scheduler and ``workers`` workers (in mount namespaces hiding ``hide``, if given):
    its address and processes."""
    address = f"tcp://127.0.0.1:{free_port()}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler",
                               "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                               "--no-dashboard"], **quiet)]
    worker = [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
              "--no-dashboard"]
    for _ in range(workers):
        command = worker if hide is None else \
            ["unshare", "-Urm", "sh", "-c", HIDE, "sh", str(hide), *worker]
        procs.append(subprocess.Popen(command, **quiet))
    from distributed import Client

    with Client(address, timeout=60) as client:
        client.wait_for_workers(workers, timeout=60)
    return address, procs


def side_by_side(work: Path, addresses: dict[str, str],
                 rounds: int) -> dict[str, tuple[float, float]]:
    """Medians of (wall, client CPU) against each cluster, alternating which goes first."""

    def run(name: str) -> tuple[float, float]:
        shutil.rmtree(work / "out", ignore_errors=True)
        (work / "lapse.lock").unlink(missing_ok=True)
        # --json: the events say whether the chunks were shipped (a warning) or not
        says = "cannot see" if name == "shipped" else '"event": "chunk"'
        return measured([sys.executable, "-m", "lapsefile", "run", "--json", "lapse.yaml",
                         "--executor", "dask", "--scheduler", addresses[name]], work, says)

    return round_robin(list(addresses), run, rounds, cpu_label="client CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--photos", type=int, default=192)
    parser.add_argument("--chunks", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args()

    from lapsefile.engine.ffmpeg import find_ffmpeg
    from lapsefile.engine.testing import make_photos
    from lapsefile.executors import cores

    ffmpeg = find_ffmpeg()
    with work_folder("ship", options.keep) as work:
        procs: list[subprocess.Popen] = []
        print(f"ffmpeg {ffmpeg.version}; {cores()} cores; load average "
              f"{load_average()}; work folder {work}")
        try:
            make_photos(work / "photos", options.photos, (3000, 2000), ffmpeg.path)
            (work / "lapse.yaml").write_text(SPEC.format(
                fps=FPS, seconds=f"{options.photos / FPS:g}", chunks=options.chunks))
            megabytes = sum(p.stat().st_size for p in (work / "photos").iterdir()) / 1e6
            addresses = {}
            for name, hide in (("shared", None), ("shipped", work)):
                addresses[name], started = cluster(options.workers, hide)
                procs += started
            medians = side_by_side(work, addresses, options.rounds)
            shared = medians["shared"]
            print(f"\n{options.photos} photos of 3000x2000 ({megabytes:.0f} MB) to a 1080p{FPS} "
                  f"video in {options.chunks} chunks on {options.workers} workers; medians of "
                  f"{options.rounds}:")
            for name, (wall, cpu) in medians.items():
                print(f"  {name + ':':9s} {wall:6.2f} s wall ({wall / shared[0]:.2f}x)  "
                      f"{cpu:6.2f} s client CPU ({cpu / shared[1]:.2f}x)")
            print(f"  on a real network add {megabytes * 8 / 1000:.1f} s per Gbit/s of bandwidth "
                  f"({megabytes:.0f} MB sent once)")
            print(f"load average after: {load_average()}")
        finally:
            for proc in reversed(procs):
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()


if __name__ == "__main__":
    main()
