"""`validate`'s kept verdicts (check_cache.py) are exactly as correct as a fresh check.

Each test settles a project (checked twice with everything at rest, so its verdict is kept),
proves the kept verdict would answer, then changes one input and expects the fresh verdict:
a cache that ignored that input would print the old one.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lapsefile import check_cache
from lapsefile.cli.main import cli
from lapsefile.engine.glyphs import DEFAULT_FONT
from lapsefile.engine.testing import make_frames, make_tone
from lapsefile.spec import display_path

SPEC = """version: 1
frames: {include: ["photos/**/*.jpg"]}
timing: {fps: 24, duration: 2s}
outputs:
  - {path: out/small.mp4, size: 64x36}
"""
VALID = "lapse.yaml: valid. 3 photos, 2 s at 24 fps"
HOUR_AGO = time.time_ns() - 3600 * 10**9  # one moment: what is aged twice keeps its stat


def at_rest(root: Path) -> None:
    """Every file and folder below ``root`` (itself too) last changed an hour ago: older than
    the racy window (project/files.py), as a project between two edits is."""
    for folder, _, files in os.walk(root):
        for name in files:
            os.utime(os.path.join(folder, name), ns=(HOUR_AGO, HOUR_AGO))
        os.utime(folder, ns=(HOUR_AGO, HOUR_AGO))


def validate(root: Path, *args: str) -> Result:
    """``lapsefile validate ARGS lapse.yaml`` in ``root``, as a user types it there."""
    cwd = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(cli, ["validate", *args, "lapse.yaml"])
    finally:
        os.chdir(cwd)


def kept(root: Path, schema_only: bool = False) -> bool:
    """Whether a kept verdict would answer ``validate`` in ``root`` now."""
    cwd = os.getcwd()
    os.chdir(root)
    try:
        attempt = check_cache.begin("lapse.yaml", display_path(Path("lapse.yaml")), schema_only)
        return attempt is not None and check_cache.lookup(attempt) is not None
    finally:
        os.chdir(cwd)


def settled(root: Path, *args: str) -> Result:
    """Check ``root`` until its verdict is kept (the first check made ``.lapsefile/``, a
    change of the project folder within the racy window); the verdict printed."""
    validate(root, *args)
    at_rest(root)
    first = validate(root, *args)
    assert kept(root, "--schema-only" in args), first.output
    again = validate(root, *args)
    assert (again.output, again.exit_code) == (first.output, first.exit_code)
    return again


@pytest.fixture
def project(tmp_path: Path) -> Path:
    make_frames(tmp_path / "photos" / "day1", 3)
    (tmp_path / "lapse.yaml").write_text(SPEC, encoding="utf-8")
    at_rest(tmp_path)
    return tmp_path


def test_a_kept_verdict_is_the_fresh_one(project: Path) -> None:
    """Fault: a kept verdict printed otherwise than the check that made it."""
    fresh = validate(project)
    result = settled(project)
    assert result.exit_code == 0 and VALID in result.output
    assert result.output == fresh.output


def test_a_photo_added_in_a_walked_folder_is_counted(project: Path) -> None:
    """Fault: the folders a ``**`` walk read are not part of the proof."""
    settled(project)
    make_frames(project / "photos" / "day1", 1, start=4)
    assert "4 photos" in validate(project).output


def test_a_photo_removed_is_missed(project: Path) -> None:
    """Fault: the photos' folders are not part of the proof."""
    settled(project)
    (project / "photos" / "day1" / "IMG_2.jpg").unlink()
    assert "2 photos" in validate(project).output


def test_a_photo_rewritten_is_checked_again(project: Path) -> None:
    """Fault: the photos' stats are not part of the proof (a photo broken since is passed)."""
    settled(project)
    (project / "photos" / "day1" / "IMG_1.jpg").write_bytes(b"\xff\xd8 not a photo any more")
    result = validate(project)
    assert result.exit_code == 1 and "IMG_1.jpg" in result.output, result.output


def test_a_font_replaced_is_read_again(project: Path) -> None:
    """Fault: the files the spec names are not part of the proof."""
    (project / "fonts").mkdir()
    shutil.copy(DEFAULT_FONT, project / "fonts" / "title.ttf")
    (project / "lapse.yaml").write_text(
        SPEC + 'overlays: {titles: [{text: "Dawn", font: fonts/title.ttf}]}\n', encoding="utf-8")
    at_rest(project)
    assert settled(project).exit_code == 0
    (project / "fonts" / "title.ttf").write_bytes(b"not a font")
    result = validate(project)
    assert result.exit_code == 1 and "fonts/title.ttf cannot be used" in result.output


def test_an_edited_spec_is_checked_again(project: Path) -> None:
    """Fault: the spec's text is not part of the key."""
    settled(project)
    (project / "lapse.yaml").write_text(SPEC.replace("fps: 24", "fps: 12"), encoding="utf-8")
    at_rest(project)
    assert "2 s at 12 fps" in validate(project).output


def test_another_value_of_a_variable_the_spec_uses_is_seen(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault: the values of the spec's ``${VAR}``s are not part of the key."""
    (project / "lapse.yaml").write_text(
        SPEC.replace("timing: {fps: 24, duration: 2s}", "timing:\n  fps: ${FPS}\n  duration: 2s"),
        encoding="utf-8")
    at_rest(project)
    monkeypatch.setenv("FPS", "24")
    assert VALID in settled(project).output
    monkeypatch.setenv("FPS", "12")
    assert "2 s at 12 fps" in validate(project).output
    monkeypatch.delenv("FPS")
    result = validate(project)
    assert result.exit_code == 1 and "FPS is not set" in result.output


def test_a_verdict_of_another_lapsefile_version_is_not_used(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault: lapsefile's version is not part of the key (an upgrade may judge otherwise)."""
    settled(project)
    monkeypatch.setattr(check_cache, "__version__", "99.0")
    assert not kept(project)


def test_a_library_the_check_ran_with_upgraded_is_checked_again(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault: the libraries are not part of what a verdict is proved by (a new PyYAML,
    jsonschema or Pillow may judge otherwise, and a source checkout keeps its version).
    A package of the test's stands for one: imported in the process, then reinstalled."""
    site = project / "site"
    (site / "fakelib").mkdir(parents=True)
    init = site / "fakelib" / "__init__.py"
    init.write_text("VERSION = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    import fakelib  # noqa: F401 - in sys.modules while the check runs
    try:
        settled(project)
        init.write_text("VERSION = 22\n", encoding="utf-8")
        assert not kept(project)
    finally:
        sys.modules.pop("fakelib", None)


def test_a_kept_failure_is_reported_exactly_as_the_fresh_one(project: Path) -> None:
    """Fault: a kept failure loses a diagnostic's position, hint or severity, or exits 0."""
    (project / "lapse.yaml").write_text(SPEC.replace("64x36", "64x3x6") + "colour: red\n",
                                        encoding="utf-8")
    at_rest(project)
    fresh, fresh_json = validate(project), validate(project, "--json")
    assert fresh.exit_code == 1 and "lapse.yaml:5:" in fresh.output
    settled(project)
    settled(project, "--json")
    for args, before in (((), fresh), (("--json",), fresh_json)):
        again = validate(project, *args)
        assert (again.output, again.exit_code) == (before.output, before.exit_code)
    assert json.loads(fresh_json.stdout.splitlines()[0])["error"] == "SpecError"


def test_a_failure_found_after_the_spec_is_not_kept(tmp_path: Path) -> None:
    """Fault: a verdict kept although the check read what it does not list (the photos a
    failed resolve looked for)."""
    (tmp_path / "lapse.yaml").write_text(SPEC, encoding="utf-8")
    at_rest(tmp_path)
    assert validate(tmp_path).exit_code == 1
    at_rest(tmp_path)
    assert validate(tmp_path).exit_code == 1 and not kept(tmp_path)
    make_frames(tmp_path / "photos", 3)
    assert VALID in validate(tmp_path).output


def test_a_folder_where_the_output_goes_is_seen(project: Path) -> None:
    """Fault: the outputs' paths are not part of the proof."""
    settled(project)
    (project / "out" / "small.mp4").mkdir(parents=True)
    result = validate(project)
    assert result.exit_code == 1 and "is a folder" in result.output


def test_a_damaged_lock_is_seen(project: Path) -> None:
    """Fault: the lock is not part of the proof."""
    settled(project)
    (project / "lapse.lock").write_text("{not json", encoding="utf-8")
    assert validate(project).exit_code == 1


def test_the_spec_alone_and_the_full_check_are_kept_apart(tmp_path: Path) -> None:
    """Fault: one kept verdict answers both kinds of check (the spec alone is valid here,
    the project is not: it has no photos)."""
    (tmp_path / "lapse.yaml").write_text(SPEC, encoding="utf-8")
    at_rest(tmp_path)
    assert settled(tmp_path, "--schema-only").exit_code == 0
    assert validate(tmp_path).exit_code == 1


def test_nothing_is_kept_of_a_file_that_just_changed(project: Path) -> None:
    """Fault: the racy rule is not applied (a font rewritten again within the same clock
    tick keeps its size and mtime, so a kept verdict could outlive it unseen)."""
    (project / "fonts").mkdir()
    shutil.copy(DEFAULT_FONT, project / "fonts" / "title.ttf")
    (project / "lapse.yaml").write_text(
        SPEC + 'overlays: {titles: [{text: "Dawn", font: fonts/title.ttf}]}\n', encoding="utf-8")
    settled(project)
    shutil.copy(DEFAULT_FONT, project / "fonts" / "title.ttf")  # now: within the racy window
    assert validate(project).exit_code == 0
    assert not kept(project)


def test_a_damaged_cache_file_is_ignored(project: Path) -> None:
    """Fault: a torn or hand-edited cache file crashes validate or answers for it."""
    settled(project)
    for kept_file in (project / ".lapsefile" / "cache").glob("check-*.json"):
        stored = json.loads(kept_file.read_text())
        stored["verdict"]["diagnostics"] = [{"severity": "bogus"}]
        kept_file.write_text(json.dumps(stored))
    result = validate(project)
    assert result.exit_code == 0 and VALID in result.output


def test_a_check_that_started_a_process_is_not_kept(project: Path) -> None:
    """Fault: a verdict kept although a process judged part of it (here ffmpeg, asked about
    the music the first time; another ffmpeg or fontconfig may answer otherwise)."""
    make_tone(project / "music.wav", 1.0)
    (project / "lapse.yaml").write_text(SPEC + "music: {file: music.wav}\n", encoding="utf-8")
    validate(project, "--schema-only")  # makes .lapsefile/ (a change of the project folder)
    at_rest(project)
    assert validate(project).exit_code == 0  # asks ffmpeg: the answer is not kept
    assert not kept(project)
    assert validate(project).exit_code == 0  # ffmpeg's answer from engine/verdicts.py
    assert kept(project)


def test_a_bundled_font_changed_is_read_again(
        project: Path, tmp_path_factory: pytest.TempPathFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault: the bundled fonts that text without ``font:`` is checked with are not part of
    the proof (a source checkout's fonts change without lapsefile's version)."""
    from lapsefile.engine import glyphs

    fonts = tmp_path_factory.mktemp("bundled")
    chain = tuple(Path(shutil.copy(font, fonts / font.name)) for font in glyphs.BUNDLED_FONTS)
    at_rest(fonts)
    monkeypatch.setattr(glyphs, "BUNDLED_FONTS", chain)  # preflight reads them from glyphs
    monkeypatch.setattr(glyphs, "DEFAULT_FONT", chain[0])
    (project / "lapse.yaml").write_text(SPEC + 'overlays: {titles: [{text: "Dawn"}]}\n',
                                        encoding="utf-8")
    at_rest(project)
    assert settled(project).exit_code == 0
    chain[0].write_bytes(b"not a font")
    result = validate(project)
    assert result.exit_code == 1 and "a bundled font" in result.output, result.output
