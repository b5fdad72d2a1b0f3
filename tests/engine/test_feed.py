"""Big JPEGs decoded by lapsefile at a fraction of their size, fed to ffmpeg (``engine/feed.py``).

Renders are real: tiny photos stand in for big ones (the size threshold is lowered), four
times larger than the canvas so 2/8 of their size covers it. Each test says which fault it
catches.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from lapsefile.engine import photos as photos_module
from lapsefile.engine.feed import Feed, plan, scaled_size
from lapsefile.engine.photos import Group, Photo
from lapsefile.engine.probe import decode_frames, probe
from lapsefile.engine.render import render
from lapsefile.engine.testing import index_color, make_frames
from lapsefile.errors import RenderError

from .conftest import frame_indexes

BIG = (256, 144)  # 4x the 64x36 canvas: decoded at 2/8


@pytest.fixture
def fed(monkeypatch):
    """Photos of any size count as big (the feed's threshold is ``PARALLEL_MIN_PIXELS``)."""
    monkeypatch.setattr(photos_module, "PARALLEL_MIN_PIXELS", 0)


def _inputs(args: list[str]) -> list[str]:
    return [args[i + 1] for i, arg in enumerate(args) if arg == "-i"]


def _pixels(path: Path, info) -> list[bytes]:
    return list(decode_frames(path, info.width, info.height))


def _mean_difference(a: bytes, b: bytes) -> float:
    return sum(abs(x - y) for x, y in zip(a, b)) / len(a)


def test_big_jpegs_are_fed_smaller_in_display_order(tmp_path, job, render_one, fed):
    # Fault: frames written out of order by the decoding threads, one lost or doubled at the
    # window's end, or the photos decoded at full size (the feed's point) instead of 2/8.
    photos = make_frames(tmp_path / "big", 12, size=BIG)
    result, info = render_one(job(frames=tuple(photos)))
    assert _inputs(result.args) == ["pipe:0"]
    assert result.args[result.args.index("-video_size") + 1] == "64x36"
    assert (info.width, info.height) == (64, 36)
    assert frame_indexes(result.output, info) == [i for i in range(1, 13) for _ in range(3)]


def test_fed_frames_do_not_depend_on_the_number_of_threads(tmp_path, job, render_one, fed,
                                                           monkeypatch):
    # Fault: a frame's bytes depending on which thread decoded it or on how many ran (a
    # shared buffer re-used before its frame was written would mix two photos).
    photos = make_frames(tmp_path / "big", 12, size=BIG)
    monkeypatch.setattr(photos_module, "available_cores", lambda: 1)
    one, _ = render_one(job(frames=tuple(photos)))
    monkeypatch.setattr(photos_module, "available_cores", lambda: 3)
    three, _ = render_one(job(frames=tuple(photos)))
    assert one.sha256 == three.sha256


def _halves(path: Path, size: tuple[int, int], orientation: int, index: int) -> Path:
    """A photo whose stored left half has ``index``'s colour and right half white, with
    EXIF ``orientation``: turned the wrong way, the halves land elsewhere."""
    image = Image.new("RGB", size, (255, 255, 255))
    image.paste(index_color(index), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[0x0112] = orientation
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=95, exif=exif.tobytes())
    return path


def test_fed_photos_look_as_ffmpeg_decodes_them_orientation_included(tmp_path, job,
                                                                     render_one, monkeypatch):
    # Fault: the EXIF orientation lost or applied twice for fed photos, their colours
    # converted with the wrong matrix, or the frame size mistaken for the stored one.
    photos = tuple(_halves(tmp_path / "turned" / f"IMG_{i}.jpg", (144, 256), 6, i)
                   for i in range(1, 13))
    read, read_info = render_one(job(frames=photos))
    assert "pipe:0" not in _inputs(read.args)
    monkeypatch.setattr(photos_module, "PARALLEL_MIN_PIXELS", 0)
    fed_result, fed_info = render_one(job(frames=photos))
    assert _inputs(fed_result.args) == ["pipe:0"]
    assert (fed_info.width, fed_info.height) == (read_info.width, read_info.height)
    for mine, theirs in zip(_pixels(fed_result.output, fed_info),
                            _pixels(read.output, read_info), strict=True):
        assert _mean_difference(mine, theirs) < 4


def test_photos_larger_than_the_groups_smallest_are_resized_to_the_frame(tmp_path, job,
                                                                         render_one, fed):
    # Fault: a bigger photo of the same shape written at its own decoded size (ffmpeg would
    # read a raw stream of the wrong frame size: every later frame shifted and torn).
    photos = make_frames(tmp_path / "big", 12, size=BIG)
    for bigger in make_frames(tmp_path / "bigger", 12, size=(384, 216))[1::3]:  # at 2/8: 96x54
        photos[int(bigger.stem.split("_")[1]) - 1] = bigger
    result, info = render_one(job(frames=tuple(photos)))
    assert _inputs(result.args) == ["pipe:0"]
    assert frame_indexes(result.output, info) == [i for i in range(1, 13) for _ in range(3)]


def test_greyscale_jpegs_are_fed(tmp_path, job, render_one, fed):
    # Fault: a greyscale JPEG decoded as one byte a pixel into an RGB stream.
    photos = []
    for i in range(1, 13):
        path = tmp_path / "grey" / f"IMG_{i}.jpg"
        path.parent.mkdir(exist_ok=True)
        Image.new("L", BIG, 40 + 15 * i).save(path, "JPEG", quality=95)
        photos.append(path)
    result, info = render_one(job(frames=tuple(photos)))
    assert _inputs(result.args) == ["pipe:0"]
    frames = _pixels(result.output, info)
    middle = (info.height // 2 * info.width + info.width // 2) * 3
    for number, frame in enumerate(frames[::3], start=1):
        red, green, blue = frame[middle:middle + 3]
        assert max(red, green, blue) - min(red, green, blue) <= 3  # grey
        assert abs(green - (40 + 15 * number)) <= 4


def test_a_photo_that_does_not_decode_stops_the_render_naming_it(tmp_path, job, ffmpeg, fed):
    # Fault: the feed's error swallowed and the input closed early, so ffmpeg finishes a
    # video short of photos (the last one held) and it is published as if complete.
    photos = make_frames(tmp_path / "big", 12, size=BIG)
    data = photos[6].read_bytes()
    photos[6].write_bytes(data[:data.index(b"\xff\xda")])  # headers only: no scan
    broken = job(frames=tuple(photos))
    with pytest.raises(RenderError, match=r"cannot decode the photo .*IMG_7\.jpg"):
        render([broken], ffmpeg)
    assert not broken.output.exists()
    assert not [p for p in broken.output.parent.iterdir()]  # no temp file left either


def test_a_feed_of_a_missing_photo_says_so(tmp_path):
    # Fault: a photo removed during the render reported as a decoding failure or a traceback.
    with pytest.raises(RenderError, match="photo not found"):
        Feed((tmp_path / "gone.jpg",), (8, 8), 1).write_to(open(tmp_path / "sink", "wb"))


def _group(size: tuple[int, int], kind: str = "JPEG", mode: str = "RGB") -> Group:
    photo = Photo(Path("p.jpg"), *size, kind, 1, mode)
    return Group((0, 1), (photo, photo))


@pytest.mark.parametrize(("need", "eighths", "size"), [
    ((1920, 1280), 3, (2250, 1500)),  # a 24 MP photo into a 1080p cover
    ((3000, 2000), 4, (3000, 2000)),
    ((960, 640), 2, (1500, 1000)),  # a draft: half the working size
    ((750, 500), 1, (750, 500)),
])
def test_plan_picks_the_smallest_eighth_that_covers_the_need(need, eighths, size):
    # Fault: an eighth too small (the picture enlarged back, softer) or needlessly large.
    feed = plan(_group((6000, 4000)), need, groups=1, reduced=True)
    assert feed is not None and (feed.eighths, feed.size) == (eighths, size)


@pytest.mark.parametrize(("group", "need", "groups", "reduced"), [
    (_group((6000, 4000)), (3001, 2000), 1, True),  # only 5/8 or more would cover it
    (_group((6000, 4000), mode="CMYK"), (1920, 1280), 1, True),
    (_group((6000, 4000), kind="PNG"), (1920, 1280), 1, True),
    (_group((1600, 1000)), (400, 250), 1, True),  # under PARALLEL_MIN_PIXELS
    (_group((6000, 4000)), (1920, 1280), 2, True),  # photos of several shapes
    (_group((6000, 4000)), (1920, 1280), 1, False),  # the high preset decodes full size
])
def test_plan_leaves_to_ffmpeg_what_the_feed_does_not_pay_for(group, need, groups, reduced):
    # Fault: 5/8 to 7/8 used (slower than full-size decoding), CMYK JPEGs fed as RGB, small
    # photos fed, or mixed shapes fed (the feed has one frame size).
    assert plan(group, need, groups, reduced) is None


def test_scaled_size_rounds_up_as_libjpeg_does():
    # Fault: rounding down, so the raw stream's frame size differs from the decoded one.
    assert scaled_size((6001, 4001), 3) == (2251, 1501)
    assert scaled_size((100, 75), 1) == (13, 10)


def test_fed_chunks_join_in_display_order(tmp_path, job, ffmpeg, fed):
    # Fault: a chunk fed the whole sequence's photos, or from the wrong first photo, so a
    # chunk after the first shows other photos than its frames' (each chunk has its feed).
    from lapsefile.engine.chunked import render_chunked
    from lapsefile.executors.local import LocalExecutor

    photos = make_frames(tmp_path / "big", 24, size=BIG)
    place = tmp_path / ".lapsefile" / "chunks" / "main" / "abc"
    (result,) = render_chunked([job(frames=tuple(photos), duration=6.0)], 3, ffmpeg,
                               LocalExecutor(2), [place], [{}], lambda *_: None)
    info = probe(result.output, ffmpeg)
    assert frame_indexes(result.output, info) == [i for i in range(1, 25) for _ in range(3)]


def test_a_two_pass_look_analyses_the_fed_photos(tmp_path, job, ffmpeg, fed):
    # Fault: the look's first pass built with the feed's pipe input but run without the
    # feed (ffmpeg waits on an empty standard input, or analyses nothing).
    from lapsefile.engine.render import required_features
    from lapsefile.looks.stabilize import Stabilize
    from lapsefile.spec.model import Look

    steadied = job(frames=tuple(make_frames(tmp_path / "big", 12, size=BIG)),
                   look=Look(stabilize=Stabilize(smoothing=2)))
    if not required_features(steadied) <= ffmpeg.features:
        pytest.skip("this ffmpeg has no vid.stab")
    result = render([steadied], ffmpeg)[0]
    assert _inputs(result.args) == ["pipe:0"]
    info = probe(result.output, ffmpeg)
    assert frame_indexes(result.output, info) == [i for i in range(1, 13) for _ in range(3)]
