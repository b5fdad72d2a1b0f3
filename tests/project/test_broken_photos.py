"""Broken photos are found while hashing, named, and stop validate, plan and run with exit 1.

Truncated, empty, garbled, non-image and absurdly large photos used to render as a grey or
green smear (or the previous photo, varying from run to run), or crash Pillow (exit 3).
"""

from __future__ import annotations

import io
import json
import os
import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from lapsefile.cli.main import cli
from lapsefile.project import statcache
from lapsefile.project.integrity import MAX_PIXELS, SHOWN, Inspector
from lapsefile.project.statcache import StatCache

from ..support import write_photo

SPEC = """version: 1
frames: {include: ["photos/*"], sort: SORT}
timing: {fps: 10}
outputs:
  - {path: out/v.mp4, size: 64x36}
"""


def verdict(data: bytes, chunk: int = 1 << 20) -> str:
    inspector = Inspector()
    for at in range(0, len(data), chunk):
        inspector.feed(data[at:at + chunk])
    return inspector.verdict()


def encoded(fmt: str, size: tuple[int, int] = (40, 30), mode: str = "RGB", **options) -> bytes:
    """A noisy image (so JPEG scans hold stuffed 0xFF bytes), encoded by Pillow."""
    image = Image.effect_noise(size, 70).convert(mode)
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def animated(fmt: str) -> bytes:
    frames = [Image.new("RGB", (12, 10), colour) for colour in ("red", "blue", "green")]
    out = io.BytesIO()
    frames[0].save(out, fmt, save_all=True, append_images=frames[1:])
    return out.getvalue()


def exif_jpeg() -> bytes:
    """A JPEG whose EXIF block holds a whole thumbnail JPEG (with its own end marker)."""
    exif = Image.Exif()
    exif[0x0132] = "2024:06:01 05:30:00"
    out = io.BytesIO()
    Image.effect_noise((40, 30), 70).convert("RGB").save(out, "JPEG", exif=exif.tobytes()
                                                         + encoded("JPEG", (8, 6)))
    return out.getvalue()


WHOLE = {
    "jpeg": lambda: encoded("JPEG"),
    "jpeg-progressive": lambda: encoded("JPEG", progressive=True),
    "jpeg-exif": exif_jpeg,
    "jpeg-grey": lambda: encoded("JPEG", mode="L"),
    "png": lambda: encoded("PNG"),
    "png-rgba": lambda: encoded("PNG", mode="RGBA"),
    "png-palette": lambda: encoded("PNG", mode="P"),
    "gif": lambda: encoded("GIF"),
    "gif-animated": lambda: animated("GIF"),
    "webp": lambda: encoded("WEBP"),
    "webp-lossless": lambda: encoded("WEBP", lossless=True),
    "webp-alpha": lambda: encoded("WEBP", mode="RGBA"),
    "webp-animated": lambda: animated("WEBP"),
}


def png(width: int, height: int, *chunks: tuple[bytes, bytes]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind
                                                                                       + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunks or ((b"IDAT", zlib.compress(b"\0" * 16)), (b"IEND", b""))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + b"".join(chunk(*c) for c in body)


def jpeg_declaring(width: int, height: int) -> bytes:
    """A whole JPEG (Pillow's) with its frame header's size rewritten."""
    data = bytearray(encoded("JPEG", (16, 16)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


class TestInspector:
    @pytest.mark.parametrize("kind", WHOLE)
    def test_a_whole_image_passes_and_every_cut_of_it_is_caught(self, kind):
        data = WHOLE[kind]()
        assert verdict(data) == ""
        for size in range(len(data)):
            assert verdict(data[:size]) != "", f"{kind} cut to {size} of {len(data)} bytes"

    @pytest.mark.parametrize("kind", WHOLE)
    def test_bytes_after_the_end_are_allowed(self, kind):
        # Phones append data after the image (motion photo videos, maker trailers).
        assert verdict(WHOLE[kind]() + b"\xff\xd8 trailer \xff\xd9" * 50) == ""

    @settings(max_examples=60, deadline=None)
    @given(kind=st.sampled_from(sorted(WHOLE)), cut=st.floats(0.0, 1.0),
           splits=st.lists(st.integers(1, 4000), min_size=1, max_size=30))
    def test_the_verdict_does_not_depend_on_how_the_bytes_are_chunked(self, kind, cut, splits):
        data = WHOLE[kind]()
        data = data[:round(len(data) * cut)]
        inspector, at = Inspector(), 0
        for size in splits:
            inspector.feed(data[at:at + size])
            at += size
        inspector.feed(data[at:])
        assert inspector.verdict() == verdict(data)

    def test_a_truncated_jpeg_names_its_missing_end(self):
        data = encoded("JPEG")
        assert verdict(data[:len(data) * 2 // 3]) == \
            "is truncated: the JPEG data stops before its end-of-image marker"

    def test_a_truncated_webp_gives_both_sizes(self):
        data = encoded("WEBP")
        assert verdict(data[:-10]) == (f"is truncated: its WebP header declares {len(data):,} "
                                       f"bytes, the file has {len(data) - 10:,}")

    @pytest.mark.parametrize(("data", "expected"), [
        (b"", "is empty (0 bytes)"),
        (b"These are my holiday notes.\n", "is not an image: it holds text"),
        ("Notes d'été, à trier\n".encode(), "is not an image: it holds text (\"Notes d'été,\"...)"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "the HEIF file holds no image"),
        (b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00mif1avif", "an AVIF image"),
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2", "a video or audio file"),
        (b"II*\x00" + bytes(40), "TIFF or camera raw"),
        (bytes(range(200, 256)), "its first bytes are no image signature"),
        (b"\xff\xd8\xff", "is truncated: the JPEG data"),
    ])
    def test_what_is_not_an_image_is_named(self, data, expected):
        assert expected in verdict(data)

    @pytest.mark.parametrize(("data", "expected"), [
        (png(100_000, 100_000), "is too large: its PNG header declares 100000x100000 pixels "
                                "(10,000 megapixels; lapsefile reads at most 179)"),
        (png(0, 10), "is damaged: its PNG header declares 0x10 pixels"),
        (jpeg_declaring(65535, 65535), "is too large: its JPEG header declares 65535x65535"),
        (jpeg_declaring(16, 0), "is damaged: its JPEG header declares 16x0 pixels"),
        (b"GIF89a" + struct.pack("<HHBBB", 65535, 65535, 0, 0, 0) + b",", "is too large"),
        (b"RIFF" + struct.pack("<I", 22) + b"WEBPVP8X" + struct.pack("<I", 10) + bytes(4)
         + b"\xff\xff\xff" * 2, "is too large: its WebP header declares 16777216x16777216"),
    ])
    def test_absurd_declared_sizes_are_refused_without_decoding(self, data, expected):
        assert expected in verdict(data)

    def test_the_size_cap_is_within_what_pillow_opens(self):
        # Pillow raises DecompressionBombError above twice MAX_IMAGE_PIXELS: the cap must
        # refuse a photo before Pillow would crash on it.
        assert Image.MAX_IMAGE_PIXELS is not None
        assert MAX_PIXELS <= 2 * Image.MAX_IMAGE_PIXELS
        assert verdict(png(MAX_PIXELS, 1)) == ""
        assert verdict(png(MAX_PIXELS + 1, 1)) != ""

    @pytest.mark.parametrize(("data", "expected"), [
        (png(4, 4, (b"ID\x00T", b"xx"), (b"IEND", b"")), "its PNG chunks are garbled"),
        (png(4, 4, (b"IEND", b"")), "the PNG has no image data"),
        (png(4, 4, (b"IDAT", b"xx")), "is truncated: the PNG data stops before its IEND"),
        (b"\xff\xd8\xff\xe0\x00\x01", "a JPEG segment (marker 0xE0) has length 1"),
        (b"\xff\xd8\xff\xd9", "the JPEG ends before any image data"),
        (b"\xff\xd8\xff\xda\x00\x02\xff\xd9", "image data comes before the frame header"),
        (b"\xff\xd8\xff\xe0\x00\x04ab\x00\x00" + bytes(20), "its JPEG segments are garbled"),
        (b"GIF89a" + struct.pack("<HHBBB", 4, 4, 0, 0, 0) + b"\x99", "its GIF blocks are"),
        (b"GIF89a" + struct.pack("<HHBBB", 4, 4, 0, 0, 0) + b";", "the GIF holds no image"),
        (b"RIFF" + struct.pack("<I", 16) + b"WEBPVP8 " + struct.pack("<I", 40), "runs past"),
        (b"RIFF" + struct.pack("<I", 14) + b"WEBPXYZW" + struct.pack("<I", 2) + b"ab",
         "is not a valid VP8, VP8L or VP8X header"),
    ])
    def test_garbled_structure_is_named(self, data, expected):
        assert expected in verdict(data)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Five whole photos, big enough that a cut one still opens in Pillow (which reads only
    the header), as a photo cut short by a full card or a pulled cable does."""
    for i in range(1, 6):
        (tmp_path / "photos").mkdir(exist_ok=True)
        (tmp_path / "photos" / f"IMG_{i}.jpg").write_bytes(encoded("JPEG", (96, 72)))
    (tmp_path / "lapse.yaml").write_text(SPEC.replace("SORT", "natural"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cut(path: Path, keep: float = 0.6) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)])


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "lapse.yaml"])


def assert_refused(result: Result, *names: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    for name in names:
        assert name in result.output
    assert "photos are broken" in result.output


class TestCommands:
    @pytest.mark.parametrize("command", [["validate"], ["plan"], ["run"], ["run", "--dry-run"]])
    def test_a_truncated_jpeg_stops_every_command(self, project, command):
        cut(project / "photos" / "IMG_3.jpg")
        result = invoke(*command)
        assert_refused(result, "photos/IMG_3.jpg is truncated: the JPEG data stops before its "
                       "end-of-image marker", "lapse.yaml:2:19")
        # Before: run rendered a video with a smeared frame, and exited 0.
        assert not (project / "out").exists()
        assert not (project / "lapse.lock").exists()

    @pytest.mark.parametrize("sort", ["natural", "exif"])
    def test_a_decompression_bomb_is_exit_1_not_a_crash(self, project, sort):
        # Before: Pillow's DecompressionBombError escaped (exit 3), in run, and in validate
        # when the EXIF capture times were read.
        (project / "lapse.yaml").write_text(SPEC.replace("SORT", sort))
        (project / "photos" / "IMG_9.png").write_bytes(png(100_000, 100_000))
        for command in (["validate"], ["run"]):
            assert_refused(invoke(*command), "photos/IMG_9.png is too large: its PNG header "
                           "declares 100000x100000 pixels")

    def test_every_broken_photo_is_named_up_to_a_cap(self, project):
        (project / "photos" / "IMG_2.jpg").write_bytes(b"")
        (project / "photos" / "IMG_4.jpg").write_text("not a photo\n")
        for i in range(10, 10 + SHOWN + 1):
            write_photo(project / "photos" / f"IMG_{i}.jpg")
            cut(project / "photos" / f"IMG_{i}.jpg")
        result = invoke("validate", "--json")
        assert result.exit_code == 1
        (diagnostic,) = json.loads(result.stdout)["diagnostics"]
        message = diagnostic["message"]
        total = SHOWN + 3
        assert message.startswith(f"{total} of {total + 3} photos are broken")
        assert "photos/IMG_2.jpg is empty (0 bytes); photos/IMG_4.jpg is not an image" in message
        assert f"photos/IMG_{10 + SHOWN - 3}.jpg is truncated" in message
        assert f"photos/IMG_{10 + SHOWN - 2}.jpg" not in message
        assert message.endswith("; and 3 more")
        assert diagnostic["path"] == "frames.include" and diagnostic["line"] == 2
        assert "frames.exclude" in diagnostic["hint"]

    def test_excluding_the_broken_photo_lets_the_run_go_on(self, project):
        cut(project / "photos" / "IMG_3.jpg")
        text = (project / "lapse.yaml").read_text()
        (project / "lapse.yaml").write_text(text.replace('sort: natural',
                                                         'sort: natural, exclude: ["**/IMG_3.*"]'))
        result = invoke("run")
        assert result.exit_code == 0, result.output
        assert (project / "out" / "v.mp4").is_file()

    @pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                        reason="root reads files whatever their mode")
    def test_an_unreadable_photo_is_named(self, project):
        (project / "photos" / "IMG_3.jpg").chmod(0)
        assert_refused(invoke("validate"), "photos/IMG_3.jpg cannot be read (Permission denied)")

    def test_an_unreadable_photo_is_named_injected(self, project, monkeypatch):
        # Root reads a file whatever its mode, so the refusal is injected where the file is
        # opened (fault injection: the real fault cannot be produced here).
        real_open = open

        def refusing(path, *args, **kwargs):
            if Path(path).name == "IMG_3.jpg":
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(statcache, "open", refusing, raising=False)
        assert_refused(invoke("validate"), "photos/IMG_3.jpg cannot be read (Permission denied)")
        cache = StatCache.load(project)
        assert "photos/IMG_3.jpg" not in cache.entries  # not cached: read again next time
        assert cache.entries["photos/IMG_1.jpg"].problem == ""


class TestVerdictCache:
    def test_an_unchanged_photo_is_not_inspected_again(self, project):
        photo = project / "photos" / "IMG_3.jpg"
        cut(photo)
        # Changed an hour ago: a change in the same mtime tick as the stat cache was written
        # is never trusted (git's racy rule), so the same stat would be read again.
        hour_ago = photo.stat().st_mtime_ns - 3600 * 10**9
        os.utime(photo, ns=(hour_ago, hour_ago))
        assert_refused(invoke("validate"), "photos/IMG_3.jpg is truncated")
        # Overwrite the photo in place with whole bytes of the same size and put its mtime
        # back: the same stat, so the cached verdict is used and the file is not read.
        st = photo.stat()
        whole = encoded("JPEG", (8, 8))
        assert verdict(whole) == "" and len(whole) < st.st_size
        with open(photo, "r+b") as fh:
            fh.write(whole + bytes(st.st_size - len(whole)))  # zeros after the end: allowed
        os.utime(photo, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert photo.stat().st_ino == st.st_ino and photo.stat().st_size == st.st_size
        assert_refused(invoke("validate"), "photos/IMG_3.jpg is truncated")
        # A real change (new mtime) is inspected again.
        write_photo(photo, shade=10, size=(96, 72))
        assert invoke("validate").exit_code == 0

    def test_verdicts_of_an_older_cache_are_not_trusted(self, project):
        cut(project / "photos" / "IMG_3.jpg")
        rows = {}
        for photo in sorted((project / "photos").iterdir()):
            st = photo.stat()
            rows[f"photos/{photo.name}"] = [st.st_size, st.st_mtime_ns, st.st_ino, "0" * 64,
                                            None]
        path = StatCache(project).path
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps({"version": 1, "files": rows}))
        assert_refused(invoke("validate"), "photos/IMG_3.jpg is truncated")
        data = json.loads(path.read_text())
        assert data["version"] == statcache.CACHE_VERSION > 1
        problems = dict(zip(data["paths"], data["problem"]))
        assert problems["photos/IMG_3.jpg"].startswith("is truncated")
        assert problems["photos/IMG_1.jpg"] == ""

    def test_a_tampered_row_is_not_trusted(self, project):
        cut(project / "photos" / "IMG_1.jpg")
        assert_refused(invoke("validate"), "photos/IMG_1.jpg is truncated")
        path = StatCache(project).path
        data = json.loads(path.read_text())
        data["problem"][data["paths"].index("photos/IMG_1.jpg")] = 7  # a verdict, no text
        path.write_text(json.dumps(data))
        result = invoke("validate")
        assert_refused(result, "photos/IMG_1.jpg is truncated")
        assert "IMG_1.jpg 7" not in result.output
