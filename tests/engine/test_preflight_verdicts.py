"""The preflight's answers about unchanged fonts and music are kept, and a changed file is
asked about again (engine/verdicts.py).

Files are aged an hour (a file changed within ``files.RACY_NS`` of the look is never kept).
Faults reproduced: the answers never used; a replaced music file or font judged by the
answer about the old one (a key without the file's stat).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lapsefile.cli.main import cli
from lapsefile.engine import glyphs, music
from lapsefile.engine.testing import make_frames, make_tone

from .test_audio_damage import not_audio
from .test_font_glyphs import make_box_font

HOUR_NS = 3600 * 10**9


def age(path: Path, hours: float = 1) -> None:
    when = path.stat().st_mtime_ns - int(hours * HOUR_NS)
    os.utime(path, ns=(when, when))


def validate(root: Path) -> Result:
    return CliRunner().invoke(cli, ["validate", str(root / "lapse.yaml")])


def refuse(*args, **kwargs):
    raise AssertionError("asked again about an unchanged file")


@pytest.fixture
def project(tmp_path: Path):
    """Photos and a spec; ``project(body)`` writes the spec with ``body`` before outputs."""
    make_frames(tmp_path / "photos", 3)

    def write(body: str) -> Path:
        (tmp_path / "lapse.yaml").write_text(
            "version: 1\nframes: photos/*.jpg\ntiming: {fps: 10, duration: 2s}\n"
            f"{body}outputs:\n  - {{path: out/v.mp4, size: 64x36}}\n")
        return tmp_path

    return write


def test_music_is_not_probed_again_until_it_changes(project, monkeypatch):
    root = project("music: song.wav\n")
    age(make_tone(root / "song.wav", 1.0))
    assert validate(root).exit_code == 0
    with monkeypatch.context() as patched:
        patched.setattr(music, "describe", refuse)
        assert validate(root).exit_code == 0
    not_audio(root / "song.wav", "text")
    age(root / "song.wav", 2)  # not racy: only its stat tells it changed
    result = validate(root)
    assert result.exit_code == 1 and "holds no audio" in result.output


def test_fonts_are_not_read_again_until_they_change(project, monkeypatch):
    root = project("overlays:\n  titles: [{text: Hi, font: box.ttf}]\n")
    age(make_box_font(root / "box.ttf", "Hi"))
    assert validate(root).exit_code == 0, validate(root).output
    with monkeypatch.context() as patched:
        patched.setattr(glyphs, "missing", refuse)
        assert validate(root).exit_code == 0
    make_box_font(root / "box.ttf", "H")  # the same name, without the i
    age(root / "box.ttf", 2)
    result = validate(root)
    assert result.exit_code == 1 and "no glyphs for i" in result.output
