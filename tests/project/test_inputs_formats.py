"""TIFF, HEIC and RAW photos in the project layer: integrity, capture times, init, validate."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from click.testing import CliRunner
from PIL import Image

from lapsefile.cli.main import cli
from lapsefile.project.exif import read_capture_time
from lapsefile.project.integrity import Inspector

from ..inputs_media import make_dng, make_heic, make_tiff16
from ..support import write_photo

SPEC = """version: 1
frames: {include: ["photos/*"], sort: exif}
timing: {fps: 4}
outputs:
  - {path: out/v.mp4, size: 64x48}
"""
WHEN = datetime(2024, 5, 1, 18, 30, 15)


def verdict(data: bytes, chunk: int) -> str:
    inspector = Inspector()
    for at in range(0, len(data), chunk):
        inspector.feed(data[at:at + chunk])
    return inspector.verdict()


@pytest.fixture
def samples(tmp_path) -> dict[str, bytes]:
    """Each new format as written by its usual tool."""
    Image.new("RGB", (40, 30), (9, 99, 199)).save(tmp_path / "8.tif")
    return {
        "dng": make_dng(tmp_path / "a.dng", (200, 120, 60)).read_bytes(),
        "heic": make_heic(tmp_path / "a.heic", (200, 120, 60)).read_bytes(),
        "tiff16": make_tiff16(tmp_path / "16.tif", (1, 2, 3)).read_bytes(),
        "tiff8": (tmp_path / "8.tif").read_bytes(),
    }


@pytest.mark.parametrize("kind", ["dng", "heic", "tiff16", "tiff8"])
@pytest.mark.parametrize("chunk", [1, 7, 1 << 20])
def test_whole_photos_of_the_new_formats_pass(samples, kind, chunk):
    assert verdict(samples[kind], chunk) == ""


@pytest.mark.parametrize(("kind", "expected"), [
    ("dng", "is truncated: the TIFF data stops before the end its first image directory"),
    ("heic", "is truncated: the HEIF data stops before the end of a box"),
    ("tiff8", "is truncated: the TIFF data stops before the end its first image directory"),
])
def test_truncated_photos_of_the_new_formats_are_named(samples, kind, expected):
    data = samples[kind]
    assert verdict(data[:len(data) // 2], 1 << 20).startswith(expected)


@pytest.mark.parametrize(("data", "expected"), [
    (b"II*\x00\x08\x00\x00\x00\x00\x00" + bytes(30), "declares 0 entries"),
    (b"II*\x00\x08\x00\x00\x00\x01\x00\x00\x01\x63\x00" + bytes(30), "unknown type 99"),
    (b"MM\x00*\x00\x00\x00\x08\x00\x02\x01\x00\x00\x03\x00\x00\x00\x01\x00\x00\x00\x00"
     b"\x01\x01\x00\x03\x00\x00\x00\x01\x00\x05\x00\x00" + bytes(4),
     "its TIFF header declares 0x5 pixels"),
    (b"\x00\x00\x00\x10ftypheic\x00\x00\x00\x00\x00\x00\x00\x08mdat",
     "the HEIF file holds no image (no meta box)"),
    (b"\x00\x00\x00\x10ftypcrx \x00\x00\x00\x01\x00\x00\x00\x08\xffoov",
     "its CR3 boxes are garbled"),
])
def test_damaged_structures_are_named(data, expected):
    assert expected in verdict(data, 1 << 20)


def test_olympus_and_panasonic_magic_numbers_are_read_as_tiff(samples):
    dng = samples["dng"]
    for magic in (b"IIRO", b"IIU\x00"):
        assert verdict(magic + dng[4:], 1 << 20) == ""


def test_capture_times_of_heic_and_raw_are_read(tmp_path):
    assert read_capture_time(make_heic(tmp_path / "a.heic", (1, 2, 3), when=WHEN)) == WHEN
    assert read_capture_time(make_dng(tmp_path / "a.dng", (1, 2, 3), when=WHEN)) == WHEN
    # An ORF (Olympus' magic, TIFF inside) is read the same way.
    orf = tmp_path / "a.orf"
    orf.write_bytes(b"IIRO" + (tmp_path / "a.dng").read_bytes()[4:])
    assert read_capture_time(orf) == WHEN
    assert read_capture_time(make_dng(tmp_path / "b.dng", (1, 2, 3))) is None


def test_validate_accepts_the_new_formats_and_reads_their_capture_times(tmp_path):
    make_dng(tmp_path / "photos" / "a.dng", (1, 2, 3), when=WHEN)
    make_heic(tmp_path / "photos" / "b.heic", (1, 2, 3), when=WHEN)
    make_tiff16(tmp_path / "photos" / "c.tiff", (1, 2, 3))
    (tmp_path / "lapse.yaml").write_text(SPEC)
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "lapse.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["photos"] == 3
    # Only the TIFF lacks a capture time.
    (warning,) = report["diagnostics"]
    assert "1 of 3 photos have no EXIF capture time (first: photos/c.tiff)" in \
        warning["message"]


def test_corrupt_heic_and_dng_are_named_by_file(tmp_path):
    good = make_dng(tmp_path / "photos" / "good.dng", (1, 2, 3)).read_bytes()
    (tmp_path / "photos" / "cut.dng").write_bytes(good[:len(good) // 2])
    heic = make_heic(tmp_path / "photos" / "x.heic", (1, 2, 3)).read_bytes()
    (tmp_path / "photos" / "x.heic").write_bytes(heic[:len(heic) - 40])
    (tmp_path / "lapse.yaml").write_text(SPEC)
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "lapse.yaml")])
    assert result.exit_code == 1
    assert "2 of 3 photos are broken" in result.output
    assert "photos/cut.dng is truncated" in result.output
    assert "photos/x.heic is truncated" in result.output
    assert "Traceback" not in result.output


def test_an_unsupported_extension_is_still_refused(tmp_path):
    make_dng(tmp_path / "photos" / "a.dng", (1, 2, 3))
    (tmp_path / "photos" / "notes.psd").write_bytes(b"8BPS")
    (tmp_path / "lapse.yaml").write_text(SPEC)
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "lapse.yaml")])
    assert result.exit_code == 1
    assert "notes.psd" in result.output and "dng" in result.output


def test_init_proposes_tiff_heic_and_raw(tmp_path):
    for i in range(1, 4):
        make_dng(tmp_path / "shots" / f"R{i}.dng", (i, 2, 3))
        make_heic(tmp_path / "shots" / f"H{i}.heic", (i, 2, 3))
        make_tiff16(tmp_path / "shots" / f"T{i}.tif", (i, 2, 3))
    result = CliRunner().invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "9 photos in shots/" in result.output
    spec = (tmp_path / "lapse.yaml").read_text()
    for pattern in ('"shots/*.dng"', '"shots/*.heic"', '"shots/*.tif"'):
        assert pattern in spec
    assert CliRunner().invoke(cli, ["validate", str(tmp_path / "lapse.yaml")]).exit_code == 0


def test_init_proposes_one_of_each_raw_and_jpeg_pair(tmp_path):
    for i in range(1, 4):
        write_photo(tmp_path / "card" / f"IMG_{i}.JPG")
        make_dng(tmp_path / "card" / f"IMG_{i}.DNG", (i, 2, 3))
    result = CliRunner().invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "3 photos in card/" in result.output
    spec = (tmp_path / "lapse.yaml").read_text()
    assert 'include: ["card/*.JPG"]' in spec
    assert 'also here as "card/*.DNG"' in spec
