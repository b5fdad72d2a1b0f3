"""TIFF (8 and 16 bit), HEIC and RAW (DNG) photos render: decoded once, cached, in colour.

Real renders through the CLI, probed: each photo is a flat patch of known colour, and the
video's frames must show that colour (within what yuv420p and x264 move it).
"""

from __future__ import annotations

import json
import threading
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from lapsefile.cli.main import cli
from lapsefile.decoders import raw
from lapsefile.engine import decode
from lapsefile.engine.probe import decode_frames, mean_rgb, probe
from lapsefile.paths import state_dir

from ..inputs_media import make_dng, make_heic, make_tiff16

TOLERANCE = 6  # levels: yuv420p conversion and x264 at standard quality on flat colours

SPEC = """version: 1
frames: {include: ["photos/*"], sort: SORT}
timing: {fps: 4}
outputs:
  - {path: out/v.mp4, size: 64x48}
"""


def run(root: Path, sort: str = "name") -> tuple[int, str]:
    (root / "lapse.yaml").write_text(SPEC.replace("SORT", sort))
    result = CliRunner().invoke(cli, ["run", str(root / "lapse.yaml"), "-q"])
    return result.exit_code, result.output


def frame_colours(video: Path) -> list[tuple[float, float, float]]:
    info = probe(video)
    return [mean_rgb(frame, info.width, (16, 12, 48, 36))
            for frame in decode_frames(video, info.width, info.height)]


def close(seen: tuple[float, ...], expected: tuple[int, ...]) -> bool:
    return all(abs(s - e) <= TOLERANCE for s, e in zip(seen, expected))


def test_dng_heic_and_16_bit_tiff_render_their_colours(tmp_path):
    photos = tmp_path / "photos"
    make_dng(photos / "1.dng", (200, 120, 60))
    make_heic(photos / "2.heic", (40, 90, 200))
    make_tiff16(photos / "3.tif", (257 * 30, 257 * 180, 257 * 90))  # 16-bit levels
    Image.new("RGB", (64, 48), (220, 220, 40)).save(photos / "4.tiff")  # 8-bit
    code, output = run(tmp_path)
    assert code == 0, output
    colours = frame_colours(tmp_path / "out" / "v.mp4")
    assert len(colours) == 4
    for seen, expected in zip(colours, [(200, 120, 60), (40, 90, 200), (30, 180, 90),
                                        (220, 220, 40)]):
        assert close(seen, expected), (seen, expected)


def test_a_second_render_reads_the_decoded_cache(tmp_path):
    photos = tmp_path / "photos"
    make_dng(photos / "1.dng", (200, 120, 60))
    make_heic(photos / "2.heic", (40, 90, 200))
    before = decode.decoded_count
    assert run(tmp_path)[0] == 0
    assert decode.decoded_count == before + 2
    cached = sorted((state_dir(tmp_path) / "cache" / "decoded").glob("*.png"))
    assert len(cached) == 2 and all("-64x48-" in p.name for p in cached)
    stamps = [p.stat().st_mtime_ns for p in cached]
    (tmp_path / "out" / "v.mp4").unlink()  # the output is made again, from the cache
    code, output = run(tmp_path)
    assert code == 0, output
    assert decode.decoded_count == before + 2
    assert [p.stat().st_mtime_ns for p in cached] == stamps
    assert close(frame_colours(tmp_path / "out" / "v.mp4")[0], (200, 120, 60))


def test_a_large_raw_is_decoded_to_the_size_the_output_needs(tmp_path):
    photos = tmp_path / "photos"
    make_dng(photos / "1.dng", (200, 120, 60), size=(256, 192))
    assert run(tmp_path)[0] == 0
    (png,) = (state_dir(tmp_path) / "cache" / "decoded").glob("*.png")
    with Image.open(png) as img:
        assert img.size == (64, 48)
        assert close(img.getpixel((32, 24)), (200, 120, 60))


@pytest.mark.parametrize(("sensor", "wanted", "half"), [
    ((6000, 4000), (1920, 1280), True),  # 24 MP for 1080p: half the sensor is 3000x2000
    ((6000, 4000), (3840, 2560), False),  # for 4K half is too small
    ((6000, 4000), (3000, 2000), True),  # exactly half
    ((6000, 4000), None, False),  # no size asked: the full photo
])
def test_half_size_is_used_only_when_it_covers_the_output(sensor, wanted, half):
    assert raw.half_suffices(sensor, wanted) is half


def test_sort_exif_orders_raws_by_their_capture_time(tmp_path):
    photos = tmp_path / "photos"
    # Names in the opposite order of the shots: only the RAWs' metadata can order them.
    make_dng(photos / "a.dng", (200, 40, 40), when=datetime(2024, 5, 1, 6, 0, 20))
    make_dng(photos / "b.dng", (40, 200, 40), when=datetime(2024, 5, 1, 6, 0, 10))
    make_dng(photos / "c.dng", (40, 40, 200), when=datetime(2024, 5, 1, 6, 0, 0))
    code, output = run(tmp_path, sort="exif")
    assert code == 0, output
    assert "no EXIF capture time" not in output
    colours = frame_colours(tmp_path / "out" / "v.mp4")
    for seen, expected in zip(colours, [(40, 40, 200), (40, 200, 40), (200, 40, 40)]):
        assert close(seen, expected), (seen, expected)


def test_a_file_named_as_raw_that_libraw_cannot_develop_is_named(tmp_path):
    photos = tmp_path / "photos"
    make_dng(photos / "1.dng", (200, 120, 60))
    # A whole TIFF, so the integrity check passes it; but it holds no sensor data.
    Image.new("RGB", (64, 48), (1, 2, 3)).save(photos / "2.dng", "TIFF")
    code, output = run(tmp_path)
    assert code == 1, output
    assert "2.dng" in output and "camera RAW" in output
    assert "Traceback" not in output


def test_photos_to_decode_are_developed_side_by_side(tmp_path, monkeypatch):
    # Fault: RAW, HEIC and TIFF photos decoded one at a time before the render (a 24 MP RAW
    # takes about 0.7 s: a thousand of them, minutes of one busy core). Each decode waits
    # here until another has started: one at a time, the first waits in vain and fails.
    from lapsefile import decoders
    from lapsefile.engine import photos as photo_module

    together = threading.Barrier(2, timeout=10)
    real_decode = decoders.decode
    threads: set[str] = set()

    def decode_beside_another(path, size):
        threads.add(threading.current_thread().name)
        together.wait()
        return real_decode(path, size)

    monkeypatch.setattr(decoders, "decode", decode_beside_another)
    monkeypatch.setattr(photo_module, "decoder_threads", lambda: 2)
    made = [make_dng(tmp_path / "photos" / f"{i}.dng", (200, 40 * i, 60)) for i in (1, 2)]
    groups = photo_module.group_photos(made)
    assert [photo.kind for photo in groups[0].photos] == ["PNG"] * 3  # the decoded copies
    assert len(threads) == 2 and all(name.startswith("lapsefile-develop") for name in threads)


def test_a_broken_photo_among_those_decoded_side_by_side_is_named(tmp_path):
    # Fault: a decoding thread's error lost, or another photo named, when photos decode at once.
    from lapsefile.engine.photos import group_photos
    from lapsefile.errors import RenderError

    made = [make_dng(tmp_path / f"{i}.dng", (200, 120, 60)) for i in (1, 3)]
    broken = tmp_path / "2.dng"
    broken.write_bytes(b"II*\x00" + bytes(200))
    with pytest.raises(RenderError, match="2.dng"):
        group_photos([made[0], broken, made[1]], threads=2)


def test_decoding_before_the_render_is_shown_as_progress(tmp_path):
    # Fault: minutes of RAW decoding before a render shown as nothing at all (a thousand
    # 24 MP RAWs take minutes before ffmpeg reports its first frame).
    from lapsefile.backends.local import DECODING

    for i in (1, 2):
        make_dng(tmp_path / "photos" / f"{i}.dng", (200, 60 * i, 60))
    (tmp_path / "lapse.yaml").write_text(SPEC.replace("SORT", "name"))
    result = CliRunner().invoke(cli, ["run", str(tmp_path / "lapse.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    progress = [event for event in map(json.loads, result.stdout.splitlines())
                if event["event"] == "progress" and event["step"] == "v/render"]
    decoding = [(e["done"], e["total"], e["unit"]) for e in progress if e["label"] == DECODING]
    assert decoding == [(1, 2, "files"), (2, 2, "files")]
    assert progress[0]["label"] == DECODING  # before the render's own progress


@pytest.mark.parametrize(("memory_gb", "megapixels", "threads", "expected"), [
    (16, 24, 8, 8),  # a quarter of 16 GB holds eight 24 MP RAWs (216 MB each)
    (8, 45, 8, 4),  # 45 MP: 405 MB each, 2 GB for those developed at once
    (1, 45, 8, 1),  # never fewer than one
])
def test_photos_developed_at_once_fit_in_a_quarter_of_the_memory(monkeypatch, memory_gb,
                                                                  megapixels, threads, expected):
    # Fault: one RAW per core whatever the memory: eight 45 MP RAWs hold 3 GB at once.
    from lapsefile.engine import photos as photo_module

    monkeypatch.setattr(photo_module, "physical_memory", lambda: memory_gb * 10**9)
    assert photo_module.develop_threads(threads, megapixels * 10**6) == expected
