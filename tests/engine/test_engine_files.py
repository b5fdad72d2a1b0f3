"""Files: awkward names, EXIF orientation, the output folder, atomic outputs, the lock args."""

from __future__ import annotations

import pytest
from PIL import Image, ImageOps

from lapsefile.engine.job import Canvas
from lapsefile.engine.probe import decode_frames, probe
from lapsefile.engine.render import render
from lapsefile.engine.testing import index_color, make_frames, make_logo, make_tone
from lapsefile.spec.model import Logo, Music, Title

from .conftest import frame_indexes

AWKWARD = ["100% sure", "it's here", "spaces  and\ttab", "über café 日本", "[1] *?",
           "back\\slash", "semi;colon,comma", "-dash", "file:colon"]


@pytest.mark.parametrize("folder", AWKWARD)
def test_awkward_names_in_photos_assets_and_outputs(tmp_path, job, render_one, folder):
    place = tmp_path / folder
    photos = make_frames(place, 4, name=folder.replace("/", "_") + " {i}.jpg")
    make_tone(place / f"{folder} tone.wav", 1.0)
    make_logo(place / f"{folder} logo.png")
    j = job(root=tmp_path, frames=tuple(photos), hold=0.25, duration=1.0,
            output=place / "out put" / f"{folder} video.mp4",
            music=Music(f"{folder}/{folder} tone.wav"), logo=Logo(f"{folder}/{folder} logo.png"),
            titles=(Title(folder),))
    result, info = render_one(j)
    assert result.output == j.output and j.output.is_file()
    assert frame_indexes(result.output, info)[::3] == [1, 2, 3, 4]
    assert info.audio_codec == "aac"
    assert not any(str(tmp_path) in arg for arg in result.args)


def test_output_folder_is_created_and_no_temp_file_is_left(tmp_path, job, render_one):
    out = tmp_path / "deep" / "er" / "video.mp4"
    result, _ = render_one(job(output=out))
    assert out.is_file() and result.size == out.stat().st_size
    assert sorted(p.name for p in out.parent.iterdir()) == ["video.mp4"]


def test_recorded_args_hold_no_absolute_paths(tmp_path, job, render_one):
    make_tone(tmp_path / "music.wav", 1.0)
    outside = tmp_path.parent / f"{tmp_path.name}-logo.png"
    make_logo(outside)
    result, _ = render_one(job(music=Music("music.wav"), logo=Logo(str(outside))))
    joined = " ".join(result.args)
    assert str(tmp_path) not in joined and "/tmp" not in joined
    assert "out/video.mp4" in result.args and "music.wav" in result.args
    assert f"<external>/{outside.name}" in result.args
    assert "<work>/frames-0.ffconcat" in result.args


def _quadrants(size: tuple[int, int]) -> Image.Image:
    """Four flat quadrants with distinct colours: orientation changes where each one is."""
    w, h = size
    image = Image.new("RGB", size)
    for n, box in enumerate([(0, 0, w // 2, h // 2), (w // 2, 0, w, h // 2),
                             (0, h // 2, w // 2, h), (w // 2, h // 2, w, h)]):
        image.paste(index_color(n * 31 + 7), box)
    return image


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied(tmp_path, job, ffmpeg, orientation):
    stored = _quadrants((64, 32))
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / f"o{orientation}.jpg"
    stored.save(path, quality=95, exif=exif.tobytes())
    expected = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    width, height = expected.size
    result = render([job(frames=(path,), hold=0.25, duration=0.25,
                         canvas=Canvas(width, height, "contain"))], ffmpeg)[0]
    assert probe(result.output, ffmpeg).rotation is None  # players must not turn it again
    frame = decode_frames(result.output, width, height)[0]
    for x, y in [(width // 4, height // 4), (3 * width // 4, height // 4),
                 (width // 4, 3 * height // 4), (3 * width // 4, 3 * height // 4)]:
        got = frame[(y * width + x) * 3:(y * width + x) * 3 + 3]
        want = expected.getpixel((x, y))
        assert all(abs(a - b) < 20 for a, b in zip(got, want)), (orientation, x, y, got, want)


def test_portrait_photo_in_landscape_contain_has_black_bars(tmp_path, job, ffmpeg):
    tall = make_frames(tmp_path / "tall", 1, size=(36, 64))
    result = render([job(frames=tuple(tall), hold=0.5, duration=0.5,
                         canvas=Canvas(64, 36, "contain"))], ffmpeg)[0]
    frame = decode_frames(result.output, 64, 36)[0]
    left, middle = frame[(18 * 64 + 2) * 3:(18 * 64 + 2) * 3 + 3], \
        frame[(18 * 64 + 32) * 3:(18 * 64 + 32) * 3 + 3]
    assert max(left) < 20 and max(middle) > 60


def test_relative_paths_resolve_against_the_current_folder(tmp_path, monkeypatch, job,
                                                           render_one, photos):
    monkeypatch.chdir(tmp_path)
    make_tone(tmp_path / "music.wav", 1.0)
    relative = tuple(p.relative_to(tmp_path) for p in photos)
    result, info = render_one(job(root=tmp_path.relative_to(tmp_path), frames=relative,
                                  output=tmp_path.relative_to(tmp_path) / "rel" / "v.mp4",
                                  music=Music("music.wav")))
    assert (tmp_path / "rel" / "v.mp4").is_file() and info.audio_codec == "aac"
    assert frame_indexes(result.output, info)[::3] == list(range(1, 13))
