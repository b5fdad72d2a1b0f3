"""Damaged EXIF data: no raw Pillow warning on stderr, one lapsefile warning naming the file."""

import struct
import sys
import warnings
from datetime import datetime

import pytest
from click.testing import CliRunner

from lapsefile.cli.main import cli
from lapsefile.project.exif import read_capture

from ..support import write_photo

SPEC = """version: 1
frames: {include: ["photos/*.jpg"], sort: exif}
timing: {fps: 10}
outputs:
  - {path: out/v.mp4, size: 720p}
"""


def _damage_datetime_original(path):
    """Point DateTimeOriginal's value past the end of the EXIF block, as a torn write does."""
    data = bytearray(path.read_bytes())
    tiff = data.index(b"Exif\x00\x00") + 6
    order = ">" if data[tiff:tiff + 2] == b"MM" else "<"
    entry = data.index(struct.pack(order + "HH", 0x9003, 2), tiff)
    data[entry + 8:entry + 12] = struct.pack(order + "L", 0xFFF0)
    path.write_bytes(bytes(data))


def _to_stderr(message, category, filename, lineno, file=None, line=None):
    # What Python does outside pytest (which records warnings instead of printing them).
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


@pytest.fixture
def project(tmp_path):
    for i in range(1, 5):
        write_photo(tmp_path / "photos" / f"IMG_{i}.jpg", when=datetime(2024, 6, 1, 5, 30 + i))
    _damage_datetime_original(tmp_path / "photos" / "IMG_3.jpg")
    (tmp_path / "lapse.yaml").write_text(SPEC)
    return tmp_path


class TestDamagedExif:
    def test_read_capture_reports_damage_without_warning(self, project):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            read = read_capture(project / "photos" / "IMG_3.jpg")
            good = read_capture(project / "photos" / "IMG_2.jpg")
        assert caught == []
        assert read.when is None and read.damaged
        assert good.when == datetime(2024, 6, 1, 5, 32) and not good.damaged

    @pytest.mark.parametrize("twice", [False, True], ids=["first", "cached"])
    def test_validate_prints_a_lapsefile_warning_not_pillows(self, project, twice):
        runner = CliRunner()
        for _ in range(2 if twice else 1):
            with warnings.catch_warnings():
                warnings.simplefilter("always")
                warnings.showwarning = _to_stderr
                result = runner.invoke(cli, ["validate", str(project / "lapse.yaml")])
        assert result.exit_code == 0, result.output
        for raw in ("UserWarning", "PIL", "Truncated File Read", "Possibly corrupt",
                    "Metadata Warning"):
            assert raw not in result.stderr
        assert "warning" in result.stderr and "photos/IMG_3.jpg" in result.stderr
        assert "damaged" in result.stderr
        assert "valid. 4 photos" in result.stdout
