"""Upload benchmark for the nemo backend, against the emulator on loopback.

1. Concurrency: 200 photos uploaded with 50 ms of latency added to every request (a fault-plan
   rule), with the backend's bounded concurrency vs one at a time. Target: >= 3x faster.
2. Proxies: bytes sent for 3000x2000 photos when the output is 1080p, downscaled proxies vs
   the originals. Target: >= 4x fewer bytes.

Run: python bench/upload_bench.py [--photos 200] [--big-photos 12] [--concurrency 8]
Everything lives in a temporary folder (token cache included); nothing else is touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from lapsefile.backends.nemo.client import NemoClient
from lapsefile.backends.nemo.proxies import UploadFile, prepare_frame
from lapsefile.backends.nemo.settings import NemoOptions
from lapsefile.backends.nemo.uploads import AssetRegistry, StagingSession, Uploader, UploadStats
from lapsefile.emulator.config import EmulatorConfig
from lapsefile.emulator.faults import FaultPlan
from lapsefile.emulator.server import EmulatorServer
from lapsefile.engine.testing import make_frames, make_photos
from lapsefile.project.model import InputFile
from lapsefile.project.statcache import sha256_file
from lapsefile.spec.model import Output

LATENCY_MS = 50
OUTPUT_1080P = Output("main", "out/main.mp4", 1920, 1080, "16:9")


def original(path: Path) -> UploadFile:
    return UploadFile(path, sha256_file(path), path.stat().st_size, path.name, path.name)


def upload_all(url: str, tasks: list, concurrency: int) -> tuple[float, UploadStats]:
    """Seconds to send every file to a fresh staging session (nothing known beforehand)."""
    options = NemoOptions.from_mapping({"api_url": url, "concurrency": concurrency})
    with NemoClient(options) as client:
        client.credentials.current()  # the token is not part of what is measured
        uploader = Uploader(client, AssetRegistry({}), StagingSession(client, "en"),
                            options.concurrency)
        started = time.perf_counter()
        _, stats = uploader.ensure_remote(tasks, lambda stats, total: None)
        return time.perf_counter() - started, stats


def bench_concurrency(work: Path, photos: int, concurrency: int) -> float:
    # Distinct capture times make every file distinct: none is skipped as a duplicate.
    start = datetime(2024, 5, 1, 18, 0, 0)
    paths = make_frames(work / "small", photos, size=(64, 36),
                        capture_times=[start + timedelta(seconds=5 * i) for i in range(photos)])
    tasks = [partial(original, p) for p in paths]
    faults = FaultPlan.from_data([{"endpoint": "any", "latency_ms": LATENCY_MS}])
    config = EmulatorConfig(faults=faults, data_dir=work / "emulator-1")
    with EmulatorServer(config) as emulator:
        sequential, seq_stats = upload_all(emulator.url or "", tasks, 1)
        emulator.state.reset()
        concurrent, con_stats = upload_all(emulator.url or "", tasks, concurrency)
    assert seq_stats.sent == con_stats.sent == photos
    ratio = sequential / concurrent
    print(f"concurrency: {photos} photos, +{LATENCY_MS} ms per request")
    print(f"  sequential (1 at a time): {sequential:6.2f} s")
    print(f"  concurrent ({concurrency} at a time): {concurrent:6.2f} s")
    print(f"  speed-up: {ratio:.1f}x (target >= 3x)")
    return ratio


def bench_proxies(work: Path, photos: int) -> float:
    paths = make_photos(work / "big", photos, size=(3000, 2000))
    frames = [InputFile(p.name, p, p.stat().st_size, p.stat().st_mtime_ns, sha256_file(p))
              for p in paths]
    proxy_tasks = [partial(prepare_frame, f, OUTPUT_1080P, 2560, work) for f in frames]
    original_tasks = [partial(original, p) for p in paths]
    with EmulatorServer(EmulatorConfig(data_dir=work / "emulator-2")) as emulator:
        _, originals = upload_all(emulator.url or "", original_tasks, 8)
        emulator.state.reset()
        started = time.perf_counter()
        _, proxies = upload_all(emulator.url or "", proxy_tasks, 8)
        took = time.perf_counter() - started
    ratio = originals.bytes_sent / proxies.bytes_sent
    print(f"proxies: {photos} photos of 3000x2000 for a 1920x1080 output")
    print(f"  originals sent: {originals.bytes_sent / 2**20:8.2f} MiB")
    print(f"  proxies sent:   {proxies.bytes_sent / 2**20:8.2f} MiB "
          f"(made and sent in {took:.2f} s)")
    print(f"  fewer bytes: {ratio:.1f}x (target >= 4x)")
    return ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--big-photos", type=int, default=12)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lapsefile-bench-") as folder:
        work = Path(folder)
        os.environ["LAPSEFILE_CONFIG_DIR"] = str(work / "config")
        speed = bench_concurrency(work, args.photos, args.concurrency)
        saving = bench_proxies(work, args.big_photos)
    return 0 if speed >= 3 and saving >= 4 else 1


if __name__ == "__main__":
    sys.exit(main())
