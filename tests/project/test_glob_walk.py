"""Glob walks count each real photo once: symlink loops, folders linked twice, two names."""

import glob
import os

import pytest

from lapsefile.project.globbing import walk_glob as _walk_glob
from lapsefile.project.resolve import resolve_project
from lapsefile.spec.model import Frames

from ..support import make_spec, write_photo


def _frames(root, *include, exclude=(), sort="natural"):
    spec = make_spec(root, frames=Frames(include=include, exclude=exclude, sort=sort), titles=())
    project, _ = resolve_project(spec)
    return [f.relpath for f in project.frames]


def _six(root):
    for i in range(1, 7):
        write_photo(root / "photos" / f"IMG_{i}.jpg", shade=i * 30)


class TestSymlinks:
    def test_loop_back_up_is_not_followed(self, tmp_path):
        _six(tmp_path)
        os.symlink("..", tmp_path / "photos" / "loop")
        os.symlink(".", tmp_path / "photos" / "self")
        assert _frames(tmp_path, "photos/**/*.jpg") == [f"photos/IMG_{i}.jpg" for i in range(1, 7)]

    def test_two_loops_at_the_top_still_count_each_photo_once(self, tmp_path):
        _six(tmp_path)
        os.symlink("..", tmp_path / "photos" / "up")
        os.symlink(str(tmp_path), tmp_path / "photos" / "root")
        assert len(_frames(tmp_path, "**/*.jpg")) == 6

    def test_same_folder_linked_twice_keeps_the_first_name_in_sort_order(self, tmp_path):
        _six(tmp_path)
        os.symlink("../photos", tmp_path / "photos" / "b_link")
        os.symlink(str(tmp_path / "photos"), tmp_path / "photos" / "a_link")
        write_photo(tmp_path / "shots" / "day1" / "IMG_1.jpg")
        os.symlink("day1", tmp_path / "shots" / "again")
        got = _frames(tmp_path, "photos/**/*.jpg", "shots/*/*.jpg")
        assert got == [f"photos/IMG_{i}.jpg" for i in range(1, 7)] + ["shots/again/IMG_1.jpg"]

    def test_a_photo_under_two_names_counts_once(self, tmp_path):
        _six(tmp_path)
        os.link(tmp_path / "photos" / "IMG_2.jpg", tmp_path / "photos" / "IMG_20.jpg")
        os.symlink("IMG_3.jpg", tmp_path / "photos" / "IMG_0.jpg")
        got = _frames(tmp_path, "photos/*.jpg")
        # IMG_0 (the symlink) sorts before IMG_3 and is kept; IMG_2 before its hard link IMG_20
        assert got == ["photos/IMG_0.jpg", "photos/IMG_1.jpg", "photos/IMG_2.jpg",
                       "photos/IMG_4.jpg", "photos/IMG_5.jpg", "photos/IMG_6.jpg"]
        assert len(_frames(tmp_path, "photos/*.jpg", sort="name")) == 6

    def test_excluding_one_name_excludes_the_photo(self, tmp_path):
        _six(tmp_path)
        os.link(tmp_path / "photos" / "IMG_2.jpg", tmp_path / "photos" / "IMG_20.jpg")
        got = _frames(tmp_path, "photos/*.jpg", exclude=("photos/IMG_20.jpg",))
        assert "photos/IMG_2.jpg" not in got and len(got) == 5


TREE = ["photos/IMG_1.jpg", "photos/IMG_10.jpg", "photos/IMG_2.jpg", "photos/day 2/IMG_1.jpg",
        "photos/day10/a/IMG_3.jpg", "photos/day2/IMG_1.jpg", "photos/.hidden/IMG_9.jpg",
        "photos/day2/.IMG_8.jpg", "IMG_0.jpg", "other/IMG_5.jpg"]


@pytest.fixture
def tree(tmp_path):
    for n, rel in enumerate(TREE):
        write_photo(tmp_path / rel, shade=n * 20)
    return tmp_path


class TestOrdinaryTree:
    @pytest.mark.parametrize("pattern", ["photos/**/*.jpg", "**/*.jpg", "**", "photos/**",
                                         "**/day*/**/*.jpg", "photos/*/**/IMG_1.jpg",
                                         "photos/.hidden/**/*.jpg", "photos/**/.*"])
    def test_walk_finds_what_glob_finds(self, tree, pattern):
        want = {p for p in glob.glob(pattern, root_dir=tree, recursive=True)
                if os.path.isfile(tree / p)}
        assert {p for p in _walk_glob(tree, pattern) if os.path.isfile(tree / p)} == want

    def test_order_and_relpaths_are_unchanged(self, tree):
        assert _frames(tree, "photos/**/*.jpg") == [
            "photos/day 2/IMG_1.jpg", "photos/day2/IMG_1.jpg", "photos/day10/a/IMG_3.jpg",
            "photos/IMG_1.jpg", "photos/IMG_2.jpg", "photos/IMG_10.jpg"]

    def test_absolute_pattern_is_recorded_relative(self, tree):
        got = _frames(tree / "other", f"{tree}/photos/**/IMG_1.jpg")
        assert got == ["../photos/day 2/IMG_1.jpg", "../photos/day2/IMG_1.jpg",
                       "../photos/IMG_1.jpg"]
