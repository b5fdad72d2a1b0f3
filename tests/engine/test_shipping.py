"""Chunks shipped as bytes to workers that cannot see the project (engine/shipping.py)."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from PIL import Image

from lapsefile.engine.chunked import render_chunked
from lapsefile.engine.overlays.text import DEFAULT_FONT
from lapsefile.engine.shipping import probe, sees
from lapsefile.executors.local import LocalExecutor
from lapsefile.looks.exposure import Exposure
from lapsefile.spec.model import Logo, Look, Poster, TextStyle, Title

from .test_engine_chunks import _textured


class HidingExecutor(LocalExecutor):
    """Runs the tasks while the project's folder is renamed away, as a worker on another
    machine sees it: a task that opens a project path rather than its shipped copy fails.
    Counts what it was asked to share."""

    def __init__(self, project: Path) -> None:
        super().__init__(2)
        self.project, self.shared = project, 0

    def share(self, blobs: Any, everywhere: bool) -> dict[str, Any]:
        self.shared += len(blobs)
        return super().share(blobs, everywhere)

    def run(self, fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        away = self.project.with_name("moved-away")
        self.project.rename(away)
        try:
            yield from super().run(fn, tasks)
        finally:
            away.rename(self.project)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _both(job, ffmpeg, tmp_path: Path, count: int = 3) -> tuple[list[str], int]:
    """The job rendered in ``count`` chunks on shared storage, then shipped to workers that
    cannot see the project: the files' hashes of each, and how many files were shared."""
    hashes, shared = [], 0
    for ship in (False, True):
        out = tmp_path / ("shipped" if ship else "shared")
        executor = HidingExecutor(job.root) if ship else LocalExecutor(2)
        result = render_chunked([replace(job, output=out / "video.mp4")], count, ffmpeg,
                                executor, [out / "chunks" / "abc"], [{}],
                                lambda *_: None, ship=ship)[0]
        hashes.append([_sha(result.output)] +
                      ([_sha(result.poster.path)] if result.poster else []))
        if ship:
            shared = executor.shared
    assert hashes[0] == hashes[1]
    return hashes[0], shared


def test_shipped_chunks_with_overlay_files_are_the_shared_storage_bytes(job, ffmpeg, tmp_path):
    # Fault: a worker reading the project's paths (the photos, the logo, a spec's font)
    # instead of its shipped copies (the project is moved away while tasks run), a chunk's
    # photos or overlays missing from its parcel, or shipped bytes differing from a shared
    # render's (video and poster).
    project = tmp_path / "project"
    photos = _textured(project / "photos", 24, (96, 54))
    Image.new("RGBA", (16, 16), (250, 30, 30, 200)).save(project / "logo.png")
    shutil.copyfile(DEFAULT_FONT, project / "title.ttf")
    shipped = job(root=project, frames=tuple(photos), duration=8.0, hold=1 / 3,
                  canvas=replace(job().canvas, width=96, height=54), poster=Poster(4.0),
                  titles=(Title("Shipped", 1.0, 7.0,
                                TextStyle("center", 0.3, box=True, font="title.ttf"), 1, 1),),
                  logo=Logo("logo.png"))
    _, shared = _both(shipped, ffmpeg, tmp_path)
    assert shared == 24 + 2  # each photo, the logo and the font once, for all chunks


def test_shipped_chunks_of_decoded_photos_under_a_two_pass_look_match(job, ffmpeg, tmp_path):
    # Fault: a TIFF shipped as itself (the worker decodes it again, or cannot), the look's
    # analysis missing on the worker (its first pass run there on its own paths) or not
    # every photo shipped under a look on the photo sequence.
    project = tmp_path / "project"
    (project / "photos").mkdir(parents=True)
    photos = []
    for i in range(12):
        photos.append(project / "photos" / f"{i:02d}.tif")
        Image.new("RGB", (64, 36), (40 + i * 12, 90, 200 - i * 10)).save(photos[-1])
    shipped = job(root=project, frames=tuple(photos), duration=6.0, hold=0.5,
                  look=Look(exposure=Exposure(window=3)))
    _, shared = _both(shipped, ffmpeg, tmp_path)
    assert shared == 12 + 2  # the decoded PNGs, the exposure analysis and its gains


def test_a_worker_sees_the_project_only_with_the_same_file_at_the_same_path(tmp_path):
    # Fault: a worker taken to see the project when its root is missing, the file is not
    # there, or a different file lies at that path (same size, other bytes): its chunks
    # would fail, or show other photos.
    root = tmp_path / "project"
    root.mkdir()
    photo = root / "1.jpg"
    photo.write_bytes(b"\xff\xd8 the client's photo")
    seen = probe(root, photo)
    assert sees(*seen)
    photo.write_bytes(b"\xff\xd8 the other's  photo")  # same size, other bytes
    assert photo.stat().st_size == seen[2] and not sees(*seen)
    photo.unlink()
    assert not sees(*seen)
    assert not sees(str(tmp_path / "elsewhere"), *seen[1:])


def test_shipped_chunks_of_fed_photos_match(job, ffmpeg, tmp_path, monkeypatch):
    # Fault: the feed of a worker's chunk reading the project's photo paths rather than the
    # shipped copies (the project is moved away while tasks run), or the shipped copy read
    # with another eighth than on shared storage.
    from lapsefile.engine import photos as photos_module
    from lapsefile.engine.feed import plan
    from lapsefile.engine.photos import group_photos

    monkeypatch.setattr(photos_module, "PARALLEL_MIN_PIXELS", 0)  # these count as big
    project = tmp_path / "project"
    photos = _textured(project / "photos", 24, (384, 216))  # 4x the canvas: fed at 2/8
    shipped = job(root=project, frames=tuple(photos), duration=8.0, hold=1 / 3,
                  canvas=replace(job().canvas, width=96, height=54))
    (group,) = group_photos(photos)
    assert plan(group, (96, 54), groups=1, reduced=True) is not None  # the chunks are fed
    _, shared = _both(shipped, ffmpeg, tmp_path)
    assert shared == 24
