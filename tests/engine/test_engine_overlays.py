"""Titles, timestamps and logos: found in the decoded frames by pixel statistics."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from lapsefile.engine.job import Canvas
from lapsefile.engine.probe import decode_frames
from lapsefile.engine.testing import frame_index_from_rgb, make_frames, make_logo
from lapsefile.errors import RenderError
from lapsefile.spec.model import Logo, TextStyle, Timestamp, Title

W, H = 160, 90


def bright(frame: bytes, box: tuple[int, int, int, int], level: int = 235) -> int:
    """How many pixels in ``box`` are near white (the photos' channels stay <= 216)."""
    left, top, right, bottom = box
    count = 0
    for y in range(top, bottom):
        row = frame[(y * W + left) * 3:(y * W + right) * 3]
        count += sum(1 for i in range(0, len(row), 3) if min(row[i:i + 3]) > level)
    return count


def mask(frame: bytes, box: tuple[int, int, int, int]) -> bytes:
    left, top, right, bottom = box
    out = bytearray()
    for y in range(top, bottom):
        row = frame[(y * W + left) * 3:(y * W + right) * 3]
        out.extend(1 if min(row[i:i + 3]) > 200 else 0 for i in range(0, len(row), 3))
    return bytes(out)


CENTER = (W // 4, H // 4, 3 * W // 4, 3 * H // 4)
BOTTOM_RIGHT = (W // 2, H // 2, W, H)


@pytest.fixture
def wide_job(job, tmp_path):
    photos = make_frames(tmp_path / "wide", 12, size=(W, H))
    return lambda **kw: job(**{"frames": tuple(photos), "canvas": Canvas(W, H), "fps": 10,
                               "hold": 0.2, "duration": 2.4, **kw})


def test_title_shows_in_its_window_only(wide_job, render_one):
    title = Title("HELLO", start=0.5, end=1.5,
                  style=TextStyle(position="center", size=0.2, color="white"))
    result, _ = render_one(wide_job(titles=(title,)))
    frames = decode_frames(result.output, W, H)
    counts = [bright(f, CENTER) for f in frames]
    assert all(c > 30 for c in counts[5:15]), counts  # frames 5..14 are 0.5 s .. 1.4 s
    assert all(c == 0 for c in counts[:5] + counts[15:]), counts


def test_title_fades_in(wide_job, render_one):
    title = Title("HELLO", start=0.0, end=2.4, fade_in=1.0,
                  style=TextStyle(position="center", size=0.2, color="white"))
    result, _ = render_one(wide_job(titles=(title,)))
    frames = decode_frames(result.output, W, H)
    # whiteness (lowest channel) of the whitest pixel: the photos all have a channel at 24
    peak = [max(min(f[i:i + 3]) for i in range(0, len(f), 3)) for f in frames]
    assert peak[0] < 40 < peak[1] < peak[5] < peak[9] < peak[15], peak
    assert peak[5] < 200 < peak[15]
    assert bright(frames[1], CENTER) == 0 and bright(frames[15], CENTER) > 30


def test_title_text_with_quotes_colons_percent_backslash_and_unicode(wide_job, render_one):
    plain, _ = render_one(wide_job(output=wide_job().output.with_name("plain.mp4"),
                                   titles=(Title("x", style=TextStyle(size=0.15)),)))
    # Non-ASCII that DejaVu Sans draws: a CJK character would switch the whole title to the
    # bundled CJK font (test_text_scripts.py), whose Latin is greyer at this 8 px size.
    nasty = "Sunset: it's 100% \\ done, [ok]; é ü Ω"
    result, _ = render_one(wide_job(titles=(Title(nasty, style=TextStyle(size=0.15)),)))
    text_pixels = bright(decode_frames(result.output, W, H)[0], (0, 0, W, H))
    assert text_pixels > 3 * bright(decode_frames(plain.output, W, H)[0], (0, 0, W, H))


def test_title_box_and_position(wide_job, render_one):
    title = Title("Hi", style=TextStyle(position="top-left", size=0.15, color="#00ff00",
                                        box=True, box_color="white"))
    result, _ = render_one(wide_job(titles=(title,)))
    frame = decode_frames(result.output, W, H)[0]
    assert bright(frame, (0, 0, W // 3, H // 3)) > 50  # the white box
    assert bright(frame, (W // 2, H // 2, W, H)) == 0


def test_long_title_is_shrunk_to_fit_the_width(wide_job, render_one):
    text = "A title far too long for a narrow frame"
    title = Title(text, style=TextStyle(position="center", size=0.2, box=True,
                                        box_color="white"))
    job = wide_job(titles=(title,), canvas=Canvas(90, 160))
    result, info = render_one(job)
    frame = decode_frames(result.output, 90, 160)[0]
    left = [frame[(80 * 90 + x) * 3] for x in range(2)]
    assert max(left) < 235  # the box (white) does not reach the frame's edge
    assert info.width == 90


def test_missing_font_is_an_error(wide_job, ffmpeg):
    from lapsefile.engine.render import render

    title = Title("Hi", style=TextStyle(font="fonts/none.ttf"))
    with pytest.raises(RenderError, match="none.ttf"):
        render([wide_job(titles=(title,))], ffmpeg)


def test_timestamp_follows_each_photo(tmp_path, job, render_one):
    start = datetime(2024, 5, 1, 18, 0)
    # Two photos share a minute: their stamp is the same text.
    times = [start + timedelta(minutes=m) for m in (0, 1, 1, 2, 3, 4, 5, 6, 7, 8)]
    photos = make_frames(tmp_path / "stamped", 10, size=(W, H), capture_times=times)
    stamp = Timestamp(format="%H:%M", style=TextStyle(position="bottom-right", size=0.2))
    j = job(frames=tuple(photos), canvas=Canvas(W, H), fps=10, hold=0.25, duration=2.5,
            timestamp=stamp, capture_times=tuple(times))
    result, _ = render_one(j)
    frames = decode_frames(result.output, W, H)
    photo_of = [frame_index_from_rgb(f, W) for f in frames]
    masks = [mask(f, BOTTOM_RIGHT) for f in frames]
    by_photo: dict[int, set[bytes]] = {}
    for photo, m in zip(photo_of, masks):
        by_photo.setdefault(photo, set()).add(m)
    assert sorted(by_photo) == list(range(1, 11))
    assert all(len(ms) == 1 for ms in by_photo.values())  # switches exactly with the photo
    stamps = {p: next(iter(ms)) for p, ms in by_photo.items()}

    def distance(a: int, b: int) -> int:  # differing pixels; antialiasing adds a few
        return sum(x != y for x, y in zip(stamps[a], stamps[b]))

    assert distance(2, 3) <= 4  # same text over a different photo
    assert all(distance(a, a + 1) > 10 for a in (1, 3, 4, 5, 6, 7, 8, 9))
    assert all(sum(m) > 20 for m in stamps.values())


def test_timestamp_is_blank_without_capture_time(tmp_path, job, render_one):
    photos = make_frames(tmp_path / "nodate", 4, size=(W, H))
    stamp = Timestamp(style=TextStyle(position="bottom-right", size=0.2))
    when = datetime(2024, 1, 2, 3, 4)
    j = job(frames=tuple(photos), canvas=Canvas(W, H), fps=4, hold=0.5, duration=2.0,
            timestamp=stamp, capture_times=(when, None, None, when))
    result, _ = render_one(j)
    frames = decode_frames(result.output, W, H)
    marks = [sum(mask(f, BOTTOM_RIGHT)) for f in frames]
    assert marks[0] > 20 and marks[2] == 0 and marks[4] == 0 and marks[7] > 20


def test_logo_sits_in_its_corner(tmp_path, wide_job, render_one):
    make_logo(tmp_path / "logo.png", (40, 20), color=(255, 0, 255))
    logo = Logo(file="logo.png", position="top-right", scale=0.25, margin=0.05)
    result, _ = render_one(wide_job(logo=logo))
    frame = decode_frames(result.output, W, H)[3]

    def rgb(x: int, y: int) -> tuple[int, ...]:
        return tuple(frame[(y * W + x) * 3:(y * W + x) * 3 + 3])

    # 40 px wide at 25% of 160, 4-5 px from the top and right edges (margin 5% of 90)
    r, g, b = rgb(W - 5 - 20, 5 + 10)
    assert r > 200 and b > 200 and g < 80
    r, g, b = rgb(25, 15)  # the top-left corner shows the photo
    assert g > 80 or r < 200


def test_logo_opacity_blends_with_the_photo(tmp_path, wide_job, render_one):
    make_logo(tmp_path / "logo.png", (40, 20), color=(255, 0, 255))
    logo = Logo(file="logo.png", position="bottom-left", scale=0.25, opacity=0.5)
    result, _ = render_one(wide_job(logo=logo))
    frame = decode_frames(result.output, W, H)[0]
    x, y = 4 + 20, H - 4 - 10
    r, g, _ = frame[(y * W + x) * 3:(y * W + x) * 3 + 3]
    assert 90 < r < 230 and g < 90  # halfway between the photo and magenta
