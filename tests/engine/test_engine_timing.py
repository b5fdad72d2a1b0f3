"""Frame order, timing and the shape of the output: real renders of tiny photos, probed."""

from __future__ import annotations

import itertools
import math

import pytest

from lapsefile.engine.job import Canvas
from lapsefile.engine.overlays import first_frames
from lapsefile.engine.testing import make_frames

from .conftest import frame_indexes


def test_photos_appear_in_the_given_order_each_for_its_hold(job, photos, render_one):
    result, info = render_one(job())
    assert frame_indexes(result.output, info) == [i for i in range(1, 13) for _ in range(3)]
    assert (info.frame_count, info.fps, info.duration) == (36, 12.0, 3.0)


def test_order_is_the_list_order_not_the_file_names(job, photos, render_one):
    shuffled = [photos[i] for i in (11, 0, 5, 1, 10, 2, 9, 3, 8, 4, 7, 6)]
    result, info = render_one(job(frames=tuple(shuffled)))
    assert frame_indexes(result.output, info)[::3] == [12, 1, 6, 2, 11, 3, 10, 4, 9, 5, 8, 7]


@pytest.mark.parametrize("fps,hold", [(10, 0.25), (24, 0.15), (8, 0.3)])
def test_fractional_frames_per_photo_keep_every_photo_boundary_in_place(job, photos,
                                                                       render_one, fps, hold):
    duration = 12 * hold
    result, info = render_one(job(fps=fps, hold=hold, duration=duration))
    shown = frame_indexes(result.output, info)
    expected_starts = first_frames(12, hold * fps)
    total = round(duration * fps)
    expected = [max(i + 1 for i, s in enumerate(expected_starts) if s <= k) for k in range(total)]
    assert shown == expected
    # photo i starts within half a frame of i * hold, and the last is held to the end
    for i, start in enumerate(expected_starts):
        assert abs(start - i * hold * fps) <= 0.5 + 1e-6
    assert shown[-1] == 12 and info.frame_count == total


def test_more_photos_than_frames_drops_photos_evenly(job, photos, render_one):
    result, info = render_one(job(fps=4, hold=0.1, duration=1.2))
    shown = frame_indexes(result.output, info)
    assert info.frame_count == 5  # round(1.2 * 4)
    assert shown == sorted(shown) and len(set(shown)) == 5


@pytest.mark.parametrize("canvas,size", [
    (Canvas(64, 36, "cover"), (64, 36)),
    (Canvas(36, 64, "blur"), (36, 64)),
    (Canvas(48, 48, "contain"), (48, 48)),
    (Canvas(40, 50, "cover"), (40, 50)),
    (Canvas(65, 37, "cover"), (64, 36)),  # odd sizes never reach libx264: evened
])
def test_output_shape(job, render_one, canvas, size):
    j = job(canvas=canvas, fps=24, hold=0.125, duration=1.5)
    result, info = render_one(j)
    assert (info.width, info.height) == size
    assert (info.video_codec, info.pix_fmt, info.sar, info.profile) == ("h264", "yuv420p",
                                                                         "1:1", "High")
    assert info.fps == 24 and info.frame_count == 36
    assert abs(info.duration - j.duration) <= 1 / 24
    assert info.faststart is True and info.audio_codec is None
    assert frame_indexes(result.output, info)[::3] == list(range(1, 13))


def test_duration_not_a_multiple_of_the_hold_is_met_within_a_frame(job, render_one):
    j = job(fps=25, hold=0.25, duration=3.37)
    result, info = render_one(j)
    assert info.frame_count == round(3.37 * 25)
    assert abs(info.duration - 3.37) <= 1 / 25
    assert frame_indexes(result.output, info)[-1] == 12  # the last photo fills the rest


def test_draft_keeps_the_output_size(job, render_one):
    result, info = render_one(job(canvas=Canvas(128, 72), quality="draft"))
    assert (info.width, info.height) == (128, 72) and info.frame_count == 36
    assert frame_indexes(result.output, info)[::3] == list(range(1, 13))


def test_mixed_shapes_and_formats_keep_their_order_and_fit(tmp_path, job, render_one):
    wide = make_frames(tmp_path / "mix", 3, size=(64, 36), start=1)
    tall = make_frames(tmp_path / "mix", 2, size=(36, 64), start=4)
    big = make_frames(tmp_path / "mix", 1, size=(256, 144), start=6)
    png = make_frames(tmp_path / "mix", 2, size=(80, 60), start=7, name="P_{i}.png")
    order = [wide[0], tall[0], png[0], wide[1], big[0], tall[1], png[1], wide[2]]
    result, info = render_one(job(frames=tuple(order), hold=0.25, duration=2.0,
                                  canvas=Canvas(64, 36, "contain")))
    assert frame_indexes(result.output, info)[::3] == [1, 4, 7, 2, 6, 5, 8, 3]
    assert info.frame_count == 24 and (info.width, info.height) == (64, 36)


def test_interpolation_keeps_length_and_ends_on_the_last_photo(job, render_one):
    from lapsefile.spec.model import Look

    j = job(look=Look(interpolate=True), fps=12, hold=0.5, duration=6.0)
    result, info = render_one(j)
    shown = frame_indexes(result.output, info)
    assert info.frame_count == 72 and abs(info.duration - 6.0) <= 1 / 12
    assert shown[0] == 1 and shown[-6:] == [12] * 6


def test_look_filters_render(job, render_one):
    from lapsefile.looks.deflicker import Deflicker
    from lapsefile.spec.model import Look

    j = job(look=Look(deflicker=Deflicker(size=3, mode="pm"), blend=3))
    _, info = render_one(j)
    assert info.frame_count == 36
    assert math.isclose(info.duration, 3.0, abs_tol=1 / 12)


def test_single_photo_with_every_look_option(job, photos, render_one):
    from lapsefile.looks.deflicker import Deflicker
    from lapsefile.spec.model import Look, Title

    j = job(frames=(photos[4],), hold=1.0, duration=1.0, titles=(Title(""), Title("  ")),
            look=Look(deflicker=Deflicker(), blend=3, interpolate=True))
    result, info = render_one(j)
    assert info.frame_count == 12 and set(frame_indexes(result.output, info)) == {5}


def test_frame_count_from_the_mp4_boxes_matches_decoding(job, render_one):
    from lapsefile.engine.probe import mp4_video_frames

    result, info = render_one(job(fps=10, hold=0.3, duration=3.6))
    assert mp4_video_frames(result.output) == info.frame_count == 36


def _greys(folder, levels):
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, level in enumerate(levels):
        path = folder / f"G_{n}.jpg"
        Image.new("RGB", (64, 36), (level, level, level)).save(path, quality=95)
        paths.append(path)
    return paths


def _brightness(path, info):
    from lapsefile.engine.probe import decode_frames, mean_rgb

    return [sum(mean_rgb(f, info.width)) / 3 for f in decode_frames(path, info.width,
                                                                    info.height)]


def test_deflicker_evens_out_brightness_and_keeps_the_level(tmp_path, job, render_one):
    from lapsefile.looks.deflicker import Deflicker
    from lapsefile.spec.model import Look

    photos = _greys(tmp_path / "flicker", [100, 140] * 8)
    base = {"frames": tuple(photos), "fps": 4, "hold": 0.25, "duration": 4.0}
    plain, plain_info = render_one(job(output=tmp_path / "plain.mp4", **base))
    even, even_info = render_one(job(output=tmp_path / "even.mp4",
                                     look=Look(deflicker=Deflicker(size=5)), **base))
    before, after = _brightness(plain.output, plain_info), _brightness(even.output, even_info)

    def swing(values):
        middle = values[4:13]  # away from the ends, where the window is one-sided
        return max(abs(a - b) for a, b in itertools.pairwise(middle))

    assert swing(before) > 30 and swing(after) < swing(before) / 3
    assert abs(sum(after) / len(after) - sum(before) / len(before)) < 10


@pytest.mark.parametrize("count", [1, 2, 4])
def test_deflicker_on_fewer_photos_than_its_window_does_not_darken(tmp_path, job,
                                                                   render_one, count):
    from lapsefile.looks.deflicker import Deflicker
    from lapsefile.spec.model import Look

    photos = _greys(tmp_path / "few", [128] * count)
    result, info = render_one(job(frames=tuple(photos), fps=4, hold=0.5, duration=count * 0.5,
                                  look=Look(deflicker=Deflicker(size=9))))
    assert all(abs(b - 128) < 6 for b in _brightness(result.output, info))


def test_blend_mixes_neighbouring_photos(tmp_path, job, render_one):
    from lapsefile.spec.model import Look

    photos = _greys(tmp_path / "blend", [60, 200] * 4)
    result, info = render_one(job(frames=tuple(photos), fps=4, hold=0.5, duration=4.0,
                                  look=Look(blend=2)))
    values = _brightness(result.output, info)
    assert all(abs(v - 130) < 8 for v in values[2:-2])  # each photo averaged with the last


@pytest.mark.parametrize("size", [3, 4, 5])
def test_blend_is_centred_on_each_photo_and_ends_on_the_last(tmp_path, job, render_one,
                                                              size):
    from lapsefile.engine.probe import decode_frames, mean_rgb
    from lapsefile.engine.testing import index_color
    from lapsefile.spec.model import Look

    count, half = 8, size // 2
    photos = make_frames(tmp_path / "coded", count)
    result, info = render_one(job(frames=tuple(photos), fps=4, hold=0.5, duration=4.0,
                                  look=Look(blend=size)))
    shown = [mean_rgb(f, info.width) for f in decode_frames(result.output, info.width,
                                                          info.height)]
    assert len(shown) == 2 * count
    for i in range(count):
        reach = min(half, i, count - 1 - i)  # the window narrows symmetrically at the ends
        weights = {j: 1.0 for j in range(i - reach, i + reach + 1)}
        if reach == half and size % 2 == 0:  # an even window weighs its two ends half
            weights[i - half] = weights[i + half] = 0.5
        expected = [sum(w * index_color(j + 1)[c] for j, w in weights.items())
                    / sum(weights.values()) for c in range(3)]
        for frame in shown[2 * i:2 * i + 2]:  # both frames of photo i
            assert all(abs(a - b) < 6 for a, b in zip(frame, expected)), (i, frame, expected)
    first, last = index_color(1), index_color(count)
    assert all(abs(a - b) < 6 for a, b in zip(shown[0], first))
    assert all(abs(a - b) < 6 for a, b in zip(shown[-1], last))
