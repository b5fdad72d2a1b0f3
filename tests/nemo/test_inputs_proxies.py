"""The nemo backend sends TIFF, HEIC and RAW photos as JPEG proxies, which the service takes."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from PIL import Image

from lapsefile.backends.nemo.proxies import prepare_frame, proxy_dir
from lapsefile.backends.nemo.uploads import check_uploadable
from lapsefile.engine.probe import probe
from lapsefile.project.exif import read_capture_time
from lapsefile.project.model import InputFile
from lapsefile.spec.model import Output

from ..inputs_media import make_dng, make_heic, make_tiff16
from .helpers import run

WHEN = datetime(2024, 5, 1, 18, 30, 15)


def _input(path: Path) -> InputFile:
    data = path.read_bytes()
    return InputFile(f"photos/{path.name}", path, len(data), path.stat().st_mtime_ns,
                     hashlib.sha256(data).hexdigest())


def _output(width: int, height: int) -> Output:
    return Output("main", "out/main.mp4", width, height, "16:9")


def test_a_raw_is_sent_as_a_jpeg_proxy_even_when_small(tmp_path):
    photo = _input(make_dng(tmp_path / "photos" / "IMG_1.dng", (200, 120, 60), when=WHEN))
    upload = prepare_frame(photo, _output(1920, 1080), 2560, tmp_path)
    assert upload.path.parent == proxy_dir(tmp_path) and upload.filename == "IMG_1.jpg"
    check_uploadable(upload)  # the service would refuse .dng
    with Image.open(upload.path) as proxy:
        assert proxy.format == "JPEG" and proxy.size == (64, 48)
        assert all(abs(a - b) <= 3 for a, b in zip(proxy.getpixel((32, 24)), (200, 120, 60)))
    assert read_capture_time(upload.path) == WHEN
    again = prepare_frame(photo, _output(1920, 1080), 2560, tmp_path)
    assert again.sha256 == upload.sha256 == hashlib.sha256(upload.path.read_bytes()).hexdigest()


def test_heic_and_tiff_proxies_are_no_bigger_than_the_output_needs(tmp_path):
    heic = _input(make_heic(tmp_path / "photos" / "a.heic", (40, 90, 200), (300, 200),
                            when=WHEN))
    tiff = _input(make_tiff16(tmp_path / "photos" / "b.tif", (0, 65535, 0), (300, 200)))
    for photo, name in ((heic, "a.jpg"), (tiff, "b.jpg")):
        upload = prepare_frame(photo, _output(64, 36), 2560, tmp_path)
        check_uploadable(upload)
        assert upload.filename == name
        with Image.open(upload.path) as proxy:
            assert proxy.size == (64, 43)  # covers 64x36 at the photo's 3:2
    assert read_capture_time(proxy_dir(tmp_path) / f"{heic.sha256[:32]}-64-v1.jpg") == WHEN


def test_a_cloud_run_of_raw_and_heic_photos_uploads_jpegs_and_renders(emulator, tmp_path):
    root = tmp_path / "project"
    for i in range(1, 4):
        make_dng(root / "photos" / f"R{i}.dng", (200, 40 * i, 60))
        make_heic(root / "photos" / f"H{i}.heic", (40, 90, 60 * i))
    spec = root / "lapse.yaml"
    spec.write_text('version: 1\nframes: "photos/*"\ntiming: {fps: 6}\n'
                    'outputs:\n  - {path: out/main.mp4, size: "160x90"}\nbackend: nemo\n')
    run(spec, emulator)
    assets = [name for s in emulator.state()["sessions"] for name in s["assets"]]
    assert assets and all(name.endswith(".jpg") for name in assets)
    assert probe(root / "out" / "main.mp4").frame_count == 6
