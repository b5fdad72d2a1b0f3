"""Outputs never overwrite what the project reads, never escape the project through a symlinked
folder, and never land where the photo globs would read them back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lapsefile.cli.main import cli
from lapsefile.project.globbing import glob_files as _glob
from lapsefile.project.outputs import _glob_matches

from ..support import write_photo

FONT = Path(__file__).resolve().parents[2] / "lapsefile" / "engine" / "fonts" / "DejaVuSans.ttf"


def spec_text(include: str = "photos/*.jpg", outputs: str = "  - {path: out/v.mp4}\n",
              extra: str = "", exclude: str = "") -> str:
    excluded = f", exclude: [{exclude!r}]" if exclude else ""
    return (f"version: 1\nframes: {{include: [{include!r}]{excluded}}}\ntiming: {{fps: 10}}\n"
            f"{extra}outputs:\n{outputs}")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for i in range(1, 5):
        write_photo(tmp_path / "photos" / f"IMG_{i}.jpg", shade=i * 50)
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(project: Path, text: str, command: str = "validate") -> Result:
    (project / "lapse.yaml").write_text(text)
    return CliRunner().invoke(cli, [command, "lapse.yaml"])


def assert_refused(result: Result, *parts: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    for part in parts:
        assert part in result.output


class TestInsideTheProject:
    def test_a_symlinked_output_folder_pointing_elsewhere_is_outside(self, project,
                                                                     tmp_path_factory):
        elsewhere = tmp_path_factory.mktemp("elsewhere")
        (project / "out").rmdir()
        os.symlink(elsewhere, project / "out")
        result = invoke(project, spec_text())
        # Before: normpath saw out/v.mp4 inside the project and let it through.
        assert_refused(result, "lapse.yaml:5:12: error: output out/v.mp4 is outside the project "
                       f"folder (it resolves to {elsewhere.resolve() / 'v.mp4'} through a "
                       "symlinked folder) (at outputs[0].path)", "allow_outside: true")

    def test_allow_outside_still_lets_it_through(self, project, tmp_path_factory):
        elsewhere = tmp_path_factory.mktemp("elsewhere")
        (project / "out").rmdir()
        os.symlink(elsewhere, project / "out")
        result = invoke(project, spec_text(outputs="  - {path: out/v.mp4, allow_outside: true}\n"))
        assert result.exit_code == 0, result.output

    def test_a_symlinked_folder_inside_the_project_is_fine(self, project):
        (project / "renders").mkdir()
        (project / "out").rmdir()
        os.symlink("renders", project / "out")
        assert invoke(project, spec_text()).exit_code == 0

    def test_two_outputs_writing_one_file_through_a_symlinked_folder(self, project):
        os.symlink("out", project / "alias")
        result = invoke(project, spec_text(outputs="  - {path: out/v.mp4, name: a}\n"
                                                   "  - {path: alias/v.mp4, name: b}\n"))
        assert_refused(result, "lapse.yaml:6:12: error: outputs 'a' and 'b' both write "
                       "alias/v.mp4, which is out/v.mp4 through a symlinked folder (the first "
                       "at lapse.yaml:5:12)")


def _link_into_output(project: Path, relpath: str) -> None:
    """``relpath`` (an input) becomes a symlink to an existing out/v.mp4."""
    (project / "out" / "v.mp4").write_bytes(b"an earlier video")
    target = project / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    os.symlink(os.path.relpath(project / "out" / "v.mp4", target.parent), target)


class TestNotAnInput:
    @pytest.mark.parametrize(("relpath", "extra", "named"), [
        ("photos/IMG_2.jpg", "", "the photo photos/IMG_2.jpg"),
        ("music.m4a", "music: music.m4a\n", "the music file music.m4a"),
        ("logo.png", "overlays: {logo: {file: logo.png}}\n", "the logo logo.png"),
        ("fonts/title.ttf", "overlays: {titles: [{text: Hi, font: fonts/title.ttf}]}\n",
         "the font fonts/title.ttf"),
        ("tpl/en/title.j2", "cloud: {templates: tpl}\n", "the template tpl/en/title.j2"),
    ])
    def test_an_input_that_is_a_symlink_to_the_output(self, project, relpath, extra, named):
        _link_into_output(project, relpath)
        (project / "tpl" / "en").mkdir(parents=True, exist_ok=True)
        result = invoke(project, spec_text(extra=extra), "run")
        line = 5 + extra.count("\n")
        assert_refused(result, f"lapse.yaml:{line}:12: error: out/v.mp4 is the same file as "
                       f"{named} (joined by a symlink or a hard link), so writing the video "
                       "would overwrite it (at outputs[0].path)", "remove the link")
        # Nothing was rendered over the input.
        assert (project / "out" / "v.mp4").read_bytes() == b"an earlier video"

    @pytest.mark.parametrize(("name", "named"), [
        ("lapse.yaml", "the spec lapse.yaml"),
        ("lapse.lock", "the lock file lapse.lock"),
        ("photos/IMG_3.jpg", "the photo photos/IMG_3.jpg"),
        ("logo.png", "the logo logo.png"),
    ])
    def test_an_output_that_is_a_symlink_to_an_input(self, project, name, named):
        write_photo(project / "logo.png")
        (project / "lapse.lock").write_text("{}")
        os.symlink(f"../{name}", project / "out" / "v.mp4")
        text = spec_text(extra="overlays: {logo: {file: logo.png}}\n")
        (project / "lapse.yaml").write_text(text)
        before = (project / name).read_bytes()
        for command in ("validate", "run"):
            assert_refused(invoke(project, text, command), f"lapse.yaml:6:12: error: out/v.mp4 "
                           f"is the same file as {named}")
        assert (project / name).read_bytes() == before

    def test_a_dangling_symlink_to_the_lock_not_yet_written(self, project):
        os.symlink("../lapse.lock", project / "out" / "v.mp4")
        assert_refused(invoke(project, spec_text(), "run"),
                       "out/v.mp4 is the same file as the lock file lapse.lock")
        assert not (project / "lapse.lock").exists()

    def test_an_ordinary_existing_output_is_fine(self, project):
        (project / "out" / "v.mp4").write_bytes(b"an earlier video")
        assert invoke(project, spec_text()).exit_code == 0


class TestNotReadBackAsAPhoto:
    def test_an_output_folder_symlinked_to_the_photos(self, project):
        (project / "out").rmdir()
        os.symlink("photos", project / "out")
        result = invoke(project, spec_text(include="photos/*"), "run")
        # Before: the first run wrote photos/v.mp4, and every later run failed on it.
        assert_refused(result, "lapse.yaml:5:12: error: out/v.mp4 would be written among the "
                       "photos (as photos/v.mp4), where frames.include[0] 'photos/*' matches it: "
                       "the next run would read the video as a photo", "such as out/")
        assert sorted(p.name for p in (project / "photos").iterdir()) == [
            f"IMG_{i}.jpg" for i in range(1, 5)]

    def test_a_narrow_pattern_does_not_read_it_back(self, project):
        (project / "out").rmdir()
        os.symlink("photos", project / "out")
        assert invoke(project, spec_text(include="photos/*.jpg")).exit_code == 0

    @pytest.mark.parametrize(("include", "output", "exclude", "refused"), [
        ("photos/*", "photos/v.mp4", "", True),
        ("photos/*", "photos/v.mp4", "photos/*.mp4", False),
        ("photos/**", "photos/new/v.mp4", "", True),
        ("**/*", "out/v.mp4", "", True),
        ("photos/*", "photos/.v.mp4", "", False),  # glob skips hidden names
        ("*.jpg", "v.mp4", "", False),
        ("photos/IMG_?.*", "photos/IMG_5.mp4", "", True),
    ])
    def test_patterns(self, project, include, output, exclude, refused):
        if include == "*.jpg":  # photos beside the spec, the video too: a common layout
            for path in project.glob("photos/*.jpg"):
                path.rename(project / path.name)
        result = invoke(project, spec_text(include, f"  - {{path: {output}, name: v}}\n",
                                           exclude=exclude))
        if refused:
            assert_refused(result, f"{output} would be written among the photos")
        else:
            assert result.exit_code == 0, result.output


NAMES = st.sampled_from(["a", "b", ".h", "x.jpg", "y.mp4", ".z.jpg"])
PARTS = st.sampled_from(["*", "**", "?", "*.jpg", "a", ".*", "[ab]", "x.*", "*.mp4", ".", ".."])


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(st.lists(NAMES, min_size=1, max_size=3), min_size=1, max_size=8),
       pattern=st.lists(PARTS, min_size=1, max_size=4))
# The resolver's ** walk skipped hidden folders even for a ".*" part, which glob matches.
@example(files=[[".h", "a"], ["b", ".h", "c"]], pattern=["**", ".*", "*"])
@example(files=[["a"]], pattern=["*", "."])
def test_glob_matching_agrees_with_the_resolvers_glob(tmp_path_factory, files, pattern):
    """``_glob_matches`` decides for a file not written yet; it must agree with the glob that
    will read it once it exists (and the resolver's ** walk with glob.glob)."""
    root = tmp_path_factory.mktemp("tree")
    made = []
    for parts in files:
        path = root.joinpath(*parts)
        if any(p.is_file() for p in [path, *path.parents]) or path.is_dir():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
        made.append("/".join(parts))
    text = "/".join(pattern)
    found = {os.path.normpath(rel) for rel in _glob(root, text)}  # "./a" is the file a
    matched = {rel for rel in made if _glob_matches(root, text, rel)}
    if ".." in pattern:
        assert matched <= found, (text, made)  # never a match the glob would not make
    else:
        assert matched == found, (text, made)
