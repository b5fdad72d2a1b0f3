"""Big photos decoded by several ffmpeg inputs side by side (``photos.decoder_count``).

Splitting a group's photos over inputs must not change the video: every test renders the
same job with one input per group and with three, and wants the same bytes and the photos
in display order. Tiny photos keep the tests fast; the size threshold is lowered for them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lapsefile.engine import photos as photos_module
from lapsefile.engine.photos import Group, Photo, decoder_count
from lapsefile.engine.testing import make_frames

from .conftest import frame_indexes


@pytest.fixture
def split(monkeypatch):
    """Make every group big enough to split, on a machine of three cores."""
    def apply(cores: int = 3) -> None:
        monkeypatch.setattr(photos_module, "PARALLEL_MIN_PIXELS", 0)
        monkeypatch.setattr(photos_module, "available_cores", lambda: cores)
    return apply


def _inputs(args: list[str]) -> list[str]:
    return [args[i + 1] for i, arg in enumerate(args) if arg == "-i"]


def _both(job, render_one, split, **changes):
    """The job rendered with one input per group, then split; (results, infos)."""
    one, one_info = render_one(job(**changes))
    split()
    many, many_info = render_one(job(**changes))
    return (one, one_info), (many, many_info)


def test_split_decoding_renders_the_same_bytes_in_display_order(tmp_path, job, render_one,
                                                                split):
    # Fault: parts merged out of order, a photo lost or doubled at a part's end, or a size
    # change inside a group (every third photo twice as big) not absorbed per part.
    small = make_frames(tmp_path / "photos", 12)
    for big in make_frames(tmp_path / "big", 12, size=(128, 72))[2::3]:
        small[int(big.stem.split("_")[1]) - 1] = big
    (one, one_info), (many, many_info) = _both(job, render_one, split, frames=tuple(small))
    assert len(_inputs(one.args)) == 1 and len(_inputs(many.args)) == 3
    assert many.sha256 == one.sha256
    assert frame_indexes(many.output, many_info) == [i for i in range(1, 13) for _ in range(3)]


def test_split_decoding_keeps_the_exif_orientation(tmp_path, job, render_one, split):
    # Fault: the orientation filters applied to one part only (frames of the other parts
    # would be stored sideways and scaled into a different picture).
    turned = make_frames(tmp_path / "turned", 12, size=(36, 64), orientation=6)
    (one, _), (many, info) = _both(job, render_one, split, frames=tuple(turned))
    assert many.sha256 == one.sha256
    assert frame_indexes(many.output, info) == [i for i in range(1, 13) for _ in range(3)]


def test_split_decoding_of_mixed_shapes_keeps_display_order(tmp_path, job, render_one, split):
    # Fault: a split group's parts given timestamps relative to the group instead of the
    # display index, so the two shapes' groups interleave in the wrong order.
    wide = make_frames(tmp_path / "wide", 12)
    square = make_frames(tmp_path / "square", 12, size=(48, 48))
    mixed = [square[n] if n % 4 in (1, 2) else wide[n] for n in range(12)]
    (one, _), (many, info) = _both(job, render_one, split, frames=tuple(mixed))
    assert len(_inputs(many.args)) == 6  # two groups, three parts each
    assert many.sha256 == one.sha256
    assert frame_indexes(many.output, info) == [i for i in range(1, 13) for _ in range(3)]


def _group(size: tuple[int, int], count: int) -> Group:
    photo = Photo(Path("p.jpg"), *size, "JPEG", 1)
    return Group(tuple(range(count)), (photo,) * count)


def test_decoder_count_splits_only_big_photos(monkeypatch):
    # Fault: small photos split (each extra input costs more than it decodes) or a part
    # left with fewer than two photos.
    monkeypatch.setattr(photos_module, "available_cores", lambda: 4)
    assert decoder_count(_group((6000, 4000), 100)) == 4
    assert decoder_count(_group((6000, 4000), 5)) == 2
    assert decoder_count(_group((6000, 4000), 3)) == 1
    assert decoder_count(_group((1920, 1080), 100)) == 4
    assert decoder_count(_group((640, 480), 100)) == 1
    monkeypatch.setattr(photos_module, "available_cores", lambda: 64)
    assert decoder_count(_group((6000, 4000), 1000)) == photos_module.MAX_DECODERS


def test_split_decoding_in_chunks_keeps_display_order_across_seams(tmp_path, job, ffmpeg,
                                                                   split):
    # Fault: a chunk's parts numbered from the sequence's first photo rather than the chunk's
    # own first one (window.first_photo), so a chunk after the first shows other photos.
    from lapsefile.engine.chunked import render_chunked
    from lapsefile.engine.probe import probe
    from lapsefile.executors.local import LocalExecutor

    photos = make_frames(tmp_path / "many", 24)
    split()
    chunked = job(frames=tuple(photos), duration=6.0)
    place = tmp_path / ".lapsefile" / "chunks" / "main" / "abc"
    made: list[int] = []
    (result,) = render_chunked([chunked], 3, ffmpeg, LocalExecutor(2), [place], [{}],
                               lambda index, _made, _poster: made.append(index))
    assert sorted(made) == [0, 1, 2]
    info = probe(result.output, ffmpeg)
    assert frame_indexes(result.output, info) == [i for i in range(1, 25) for _ in range(3)]
