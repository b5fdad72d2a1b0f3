"""The photos of a re-plan served by the snapshot are kept as columns (``FrameFiles``): the
same photos, digests and capture times as a fresh resolve, and no object made a photo."""

from __future__ import annotations

import gc
import hashlib
from datetime import datetime
from pathlib import Path

from lapsefile.plan.fingerprint import output_files, output_inputs_digest
from lapsefile.project.model import FrameFiles, InputFile
from lapsefile.project.resolve import resolve_project
from lapsefile.spec.model import Frames

from ..support import make_spec, write_photo
from .test_snapshot import age


def _project(root: Path, **spec_changes):
    spec = make_spec(root, frames=Frames(include=("photos/*.jpg",)), titles=(),
                     **spec_changes)
    return resolve_project(spec)[0]


def _photos_alive() -> int:
    return sum(1 for o in gc.get_objects() if type(o) is InputFile and o.relpath.startswith(
        "photos/"))


def test_a_replan_from_columns_is_the_fresh_resolve(tmp_path: Path) -> None:
    # Fault: a column read off by one (paths against hashes), the display order lost, or the
    # inputs digest computed differently from the columns than from the files.
    for i in range(1, 7):
        write_photo(tmp_path / "photos" / f"IMG_{i}.jpg", shade=30 * i)
    age(tmp_path)
    fresh = _project(tmp_path)
    again = _project(tmp_path)
    assert again.frames == fresh.frames and list(again.frames) == list(fresh.frames)
    assert again.frames.relpaths() == [f.relpath for f in fresh.frames]
    assert again.frames.sha256s() == [f.sha256 for f in fresh.frames]
    output = fresh.spec.outputs[0]
    files = output_files(fresh, output)
    expected = hashlib.sha256("".join(f"{f.relpath}\0{f.sha256}\n" for f in files)
                              .encode()).hexdigest()
    assert output_inputs_digest(again, output) == output_inputs_digest(fresh, output) == \
        expected


def test_a_replan_makes_no_object_a_photo(tmp_path: Path) -> None:
    # Fault: the snapshot's photos made into InputFiles again (10,000 of them per no-op).
    for i in range(1, 41):
        write_photo(tmp_path / "photos" / f"IMG_{i}.jpg", shade=i * 5)
    age(tmp_path)
    _project(tmp_path)
    gc.collect()
    before = _photos_alive()
    again = _project(tmp_path)
    output = again.spec.outputs[0]
    output_inputs_digest(again, output)
    assert _photos_alive() - before == 0
    assert again.frames[3].relpath == "photos/IMG_4.jpg"  # made when asked for, one
    assert _photos_alive() - before == 1


def test_capture_times_read_from_columns_match_the_files() -> None:
    # Fault: a capture time or its source dropped or shifted in the columns.
    when = datetime(2024, 5, 1, 6, 30)
    made = FrameFiles.from_columns(Path("/p"), ["a.jpg", "b.jpg"], [1, 2], [10, 20],
                                   ["0" * 64, "1" * 64], [(when, "exif"), (None, "mtime")])
    assert made.captures() == [(when, "exif"), (None, "mtime")]
    assert [(f.captured_at, f.capture_source) for f in made] == made.captures()
    plain = FrameFiles(list(made))
    assert plain == made and plain.captures() == made.captures()
    assert made[-1].relpath == "b.jpg" and made[0:1] == (made[0],)
