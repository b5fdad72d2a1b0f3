"""Chunked renders (engine/chunks.py, engine/chunked.py): frame-exact seams, resume, checks."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from lapsefile.engine.chunked import Piece, render_chunked
from lapsefile.engine.chunks import photo_span
from lapsefile.engine.ffmpeg import find_ffmpeg
from lapsefile.engine.probe import decode_frames, probe
from lapsefile.engine.render import render
from lapsefile.engine.testing import make_tone
from lapsefile.errors import RenderError
from lapsefile.executors.local import LocalExecutor
from lapsefile.spec.model import Motion, Music, Poster, TextStyle, Timestamp, Title, View

from .conftest import write_script

START = datetime(2024, 6, 1, 18, 0)


@pytest.fixture
def full_job(tmp_path, job):
    """30 photos, 10 s at 12 fps with everything that could show a seam: a held start, a
    camera move, a title fading in and out across chunks, timestamps, music and a poster."""
    photos = _textured(tmp_path / "many", 30, (96, 54))
    make_tone(tmp_path / "music.wav", 12)
    return job(frames=tuple(photos), duration=10.0, hold=1 / 3, hold_start=0.5,
               canvas=replace(job().canvas, width=96, height=54),
               capture_times=tuple(START + timedelta(minutes=i) for i in range(30)),
               motion=Motion(View(1.0, (0.5, 0.5)), View(1.5, (0.6, 0.4)), "ease-in-out"),
               # big, boxed: a fade or a timestamp out of step changes many pixels
               titles=(Title("Seam", 1.0, 7.0, TextStyle("center", 0.35, box=True), 1.5, 1.5),),
               timestamp=Timestamp("%H:%M", TextStyle("bottom", 0.3, box=True)),
               music=Music("music.wav"), poster=Poster(5.0))


def _textured(folder: Path, count: int, size: tuple[int, int]) -> list[Path]:
    """Photos a camera move visibly changes (flat colours look the same at any zoom): a
    gradient with a block whose place and shade say which photo it is."""
    folder.mkdir(parents=True)
    width, height = size
    paths = []
    for i in range(count):
        image = Image.new("RGB", size)
        image.putdata([(x * 255 // width, y * 255 // height, 128)
                       for y in range(height) for x in range(width)])
        ImageDraw.Draw(image).rectangle((i * 2 % (width - 12), 10, i * 2 % (width - 12) + 11,
                                         30), fill=(255 - i * 8, 40, i * 8))
        image.save(folder / f"IMG_{i + 1}.jpg", quality=95)
        paths.append(folder / f"IMG_{i + 1}.jpg")
    return paths


def _chunked(job, ffmpeg, tmp_path, count=4, executor=None, reuse=None, made=None):
    place = tmp_path / ".lapsefile" / "chunks" / "main" / "abc"
    seen: list[tuple[int, bool]] = [] if made is None else made
    results = render_chunked([job], count, ffmpeg, executor or LocalExecutor(2), [place],
                             [reuse or {}], lambda i, m, p: seen.append((i, m is not None)))
    return results[0]


def test_chunked_video_shows_the_unchunked_frames_with_exact_count(full_job, ffmpeg, tmp_path):
    # Fault: a frame lost or doubled at a seam, a move/fade/timestamp restarting in each
    # chunk (its timestamps not the output's), a chunk fed the wrong photos, audio per chunk.
    whole = render([full_job], ffmpeg)[0]
    cut = _chunked(replace(full_job, output=tmp_path / "out" / "cut.mp4"), ffmpeg, tmp_path)
    a, b = probe(whole.output, ffmpeg), probe(cut.output, ffmpeg)
    assert (b.frame_count, b.duration, b.audio_duration) == (120, 10.0, 10.0)
    assert (a.frame_count, a.duration) == (b.frame_count, b.duration)
    for x, y in zip(decode_frames(whole.output, a.width, a.height),
                    decode_frames(cut.output, b.width, b.height), strict=True):
        # The encoder's tolerance: each chunk's x264 plans its bits over its own frames
        # (measured: up to 1.9 levels a pixel on this gradient); a move restarting in each
        # chunk differs by 5 and more.
        assert sum(abs(p - q) for p, q in zip(x, y)) / len(x) < 3.0
    assert cut.poster is not None and whole.poster is not None
    assert cut.poster.sha256 == whole.poster.sha256  # the frame itself, from its chunk
    assert not (tmp_path / ".lapsefile" / "chunks" / "main").exists()  # removed once joined


class _StopsAfter(LocalExecutor):
    """An executor that dies (as a killed run does) after ``count`` chunks."""

    def __init__(self, count: int) -> None:
        super().__init__(1)
        self.count = count

    def run(self, fn, tasks):
        for n, item in enumerate(super().run(fn, tasks), start=1):
            yield item
            if n == self.count:
                raise KeyboardInterrupt


def test_a_resumed_render_encodes_only_missing_or_changed_chunks(job, ffmpeg, tmp_path):
    # Fault: recorded chunks encoded again, a chunk changed on disk joined, or a resumed
    # video differing from an uninterrupted one.
    job = job(duration=10.0)
    first = _chunked(replace(job, output=tmp_path / "out" / "a.mp4"), ffmpeg, tmp_path)
    pieces: dict[int, Piece] = {}
    place = tmp_path / ".lapsefile" / "chunks" / "main" / "abc"
    with pytest.raises(KeyboardInterrupt):
        render_chunked([job], 4, ffmpeg, _StopsAfter(3), [place], [{}],
                       lambda i, m, p: pieces.__setitem__(i, p[0]))
    assert len(pieces) == 3
    changed = sorted(pieces)[0]
    with open(pieces[changed].file.path, "r+b") as fh:  # damaged since it was recorded
        fh.seek(100)
        fh.write(b"\0\0\0\0")
    made: list[tuple[int, bool]] = []
    result = _chunked(job, ffmpeg, tmp_path, reuse=pieces, made=made)
    encoded = {i for i, fresh in made if fresh}
    assert encoded == {changed} | ({0, 1, 2, 3} - set(pieces))
    assert {i for i, fresh in made if not fresh} == set(pieces) - {changed}
    assert result.sha256 == first.sha256


def test_a_chunk_reads_only_the_photos_its_frames_show(job):
    # Fault: every chunk decoding every photo (no speed-up), or a chunk missing the photo
    # still shown at its first frame.
    plain = job(duration=10.0, hold=1 / 3, hold_start=0.5)  # 4 frames a photo after 6 held
    assert photo_span(plain, 0, 24) == (0, 4)
    assert photo_span(plain, 24, 48) == (4, 10)
    assert photo_span(plain, 96, 120) == (11, 11)  # the last photo, held to the end
    from lapsefile.looks.deflicker import Deflicker
    from lapsefile.spec.model import Look

    looked = replace(plain, look=Look(deflicker=Deflicker(5, "am")))
    assert photo_span(looked, 48, 72) == (0, 11)  # a look reaches across photos


def test_a_chunk_that_fails_twice_stops_with_ffmpegs_words(job, ffmpeg, tmp_path):
    # Fault: a failing chunk retried for ever or never, its ffmpeg's stderr lost on the way
    # back, or a half-made video left behind.
    calls = tmp_path / "calls"
    script = write_script(tmp_path / "ffmpeg", f"""case "$*" in
  *start_pts=24:*) echo x >> {calls}; echo "boom: chunk two is cursed" >&2; exit 1;;
esac
exec {ffmpeg.path} "$@"
""")
    job = job(duration=10.0)
    place = tmp_path / ".lapsefile" / "chunks" / "main" / "abc"
    done: list[int] = []
    with pytest.raises(RenderError) as caught:
        render_chunked([job], 4, find_ffmpeg(str(script)), LocalExecutor(1), [place], [{}],
                       lambda i, m, p: done.append(i), ffmpeg_option=str(script))
    assert "chunk 2 of 4" in str(caught.value) and "boom: chunk two is cursed" in str(caught.value)
    assert calls.read_text().count("x") == 2  # tried once more, then given up
    assert 1 not in done and 0 in done  # what finished is handed back (and recorded)
    assert not list(Path(job.output).parent.glob("*.mp4"))


def test_chunks_are_checked_before_they_are_joined(job, ffmpeg, tmp_path):
    # Fault: a recorded chunk whose file was cut short after recording gets joined.
    job = job(duration=10.0)
    pieces: dict[int, Piece] = {}
    place = tmp_path / ".lapsefile" / "chunks" / "main" / "abc"
    with pytest.raises(KeyboardInterrupt):
        render_chunked([job], 2, ffmpeg, _StopsAfter(2), [place], [{}],
                       lambda i, m, p: pieces.__setitem__(i, p[0]))
    # A piece whose recorded hash is its (damaged) file's: only the frame count can tell.
    path = pieces[0].file.path
    data = path.read_bytes()[:-2000]
    path.write_bytes(data)
    forged = replace(pieces[0], file=replace(pieces[0].file, size=len(data),
                                              sha256=hashlib.sha256(data).hexdigest()))
    with pytest.raises(RenderError, match="not as recorded"):
        _chunked(job, ffmpeg, tmp_path, count=2, reuse={0: forged, 1: pieces[1]})


def test_a_recorded_chunk_is_taken_only_from_its_own_name(job, ffmpeg, tmp_path):
    # Fault: a lock entry (the lock is committed) pointing a chunk at any file with a
    # matching hash, which would then be joined into the video.
    job = job(duration=10.0)
    pieces: dict[int, Piece] = {}
    place = tmp_path / ".lapsefile" / "chunks" / "main" / "abc"
    with pytest.raises(KeyboardInterrupt):
        render_chunked([job], 2, ffmpeg, _StopsAfter(1), [place], [{}],
                       lambda i, m, p: pieces.__setitem__(i, p[0]))
    elsewhere = tmp_path / "elsewhere.mp4"
    elsewhere.write_bytes(pieces[0].file.path.read_bytes())
    moved = replace(pieces[0], file=replace(pieces[0].file, path=elsewhere))
    made: list[tuple[int, bool]] = []
    _chunked(job, ffmpeg, tmp_path, count=2, reuse={0: moved}, made=made)
    assert sorted(made) == [(0, True), (1, True)]  # both encoded here
