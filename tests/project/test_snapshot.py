"""The photos of the last resolve are re-used only while the disk proves them unchanged.

Every test first ages the project (mtimes an hour back), as a project at rest is: a change
within ``files.RACY_NS`` of the look is never trusted, and a fresh tree would never be kept.
Each test reproduces a fault of the snapshot: a change it would miss (a changed, added or
removed photo, one added in a folder a ``**`` walk entered), a damaged file trusted, the
racy rule left out, or a snapshot never used at all.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lapsefile.paths import cache_file
from lapsefile.project import globbing, resolve, snapshot
from lapsefile.project.resolve import resolve_project
from lapsefile.spec.model import Frames

from ..support import make_spec, write_photo

HOUR_NS = 3600 * 10**9


def age(root: Path, by_ns: int = HOUR_NS) -> None:
    """Every file and folder below ``root`` (and itself) last changed ``by_ns`` ago."""
    when = os.stat(root).st_mtime_ns - by_ns
    for folder, dirs, files in os.walk(root):
        for name in files + dirs:
            os.utime(os.path.join(folder, name), ns=(when, when), follow_symlinks=False)
    os.utime(root, ns=(when, when))


def frames(root: Path, *include: str, **frames_options) -> list[tuple[str, str]]:
    spec = make_spec(root, frames=Frames(include=include or ("photos/*.jpg",),
                                         **frames_options), titles=())
    project, _ = resolve_project(spec)
    return [(f.relpath, f.sha256) for f in project.frames]


@pytest.fixture
def nested(tmp_path: Path) -> Path:
    for i in range(1, 4):
        write_photo(tmp_path / "photos" / f"IMG_{i}.jpg", shade=40 * i)
    for i in range(4, 6):
        write_photo(tmp_path / "photos" / "day2" / "deep" / f"IMG_{i}.jpg", shade=40 * i)
    age(tmp_path)
    return tmp_path


def forbid_walking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any listing of the disk: what is resolved now must come from the snapshot."""
    def refuse(*args, **kwargs):
        raise AssertionError("the folders were walked again")

    monkeypatch.setattr(resolve, "_glob", refuse)
    monkeypatch.setattr(globbing, "walk_glob", refuse)


def test_an_unchanged_project_is_resolved_from_the_snapshot(nested, monkeypatch):
    first = frames(nested, "photos/**/*.jpg")
    assert cache_file(nested, snapshot.CACHE_NAME).is_file()
    forbid_walking(monkeypatch)
    assert frames(nested, "photos/**/*.jpg") == first


def test_a_changed_photo_is_seen(nested):
    before = dict(frames(nested, "photos/**/*.jpg"))
    photo = nested / "photos" / "day2" / "deep" / "IMG_4.jpg"
    write_photo(photo, shade=7)
    after = dict(frames(nested, "photos/**/*.jpg"))
    assert after["photos/day2/deep/IMG_4.jpg"] != before["photos/day2/deep/IMG_4.jpg"]


def test_a_photo_added_in_a_nested_folder_is_seen(nested):
    assert len(frames(nested, "photos/**/*.jpg")) == 5
    added = nested / "photos" / "day2" / "deep" / "IMG_6.jpg"
    write_photo(added, shade=9)
    # The photos known are as they were: only the deep folder's mtime tells.
    when = os.stat(nested / "photos").st_mtime_ns
    os.utime(added, ns=(when, when))
    names = [rel for rel, _ in frames(nested, "photos/**/*.jpg")]
    assert "photos/day2/deep/IMG_6.jpg" in names and len(names) == 6


def test_a_removed_photo_is_seen(nested):
    assert len(frames(nested)) == 3
    (nested / "photos" / "IMG_2.jpg").unlink()
    assert [rel for rel, _ in frames(nested)] == ["photos/IMG_1.jpg", "photos/IMG_3.jpg"]


def test_other_frames_settings_do_not_use_it(nested, monkeypatch):
    assert len(frames(nested)) == 3
    assert [rel for rel, _ in frames(nested, every=2)] == ["photos/IMG_1.jpg",
                                                            "photos/IMG_3.jpg"]


def test_a_folder_changed_within_the_racy_window_is_not_trusted(nested):
    folder = nested / "photos"
    now = os.stat(folder).st_mtime_ns + HOUR_NS  # changed just now
    os.utime(folder, ns=(now, now))
    frames(nested)
    assert not cache_file(nested, snapshot.CACHE_NAME).exists()


@pytest.mark.parametrize("damage", ["truncated", "not json", "other format", "wrong types"])
def test_a_damaged_snapshot_is_resolved_afresh_and_rewritten(nested, damage):
    first = frames(nested)
    path = cache_file(nested, snapshot.CACHE_NAME)
    text = path.read_text()
    data = json.loads(text)
    broken = {"truncated": text[:len(text) // 2], "not json": "\0\1",
              "other format": json.dumps({**data, "key": data["key"].replace("[1,", "[0,")}),
              "wrong types": json.dumps({**data, "stats": [str(v) for v in data["stats"]]})}
    path.write_text(broken[damage])
    (nested / "photos" / "IMG_3.jpg").unlink()  # the answer differs from the damaged one's
    age(nested, HOUR_NS // 2)
    assert frames(nested) == first[:2]
    assert json.loads(path.read_text())["paths"] == ["photos/IMG_1.jpg", "photos/IMG_2.jpg"]
