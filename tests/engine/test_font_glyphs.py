"""Fonts that cannot draw the text: not a font, cut short, or without glyphs for its characters.

Each is an error from validate, plan and run before anything renders; text in the bundled
font falls back to an installed font that has the glyphs, found by the real fontconfig (its
configuration pointed at a folder of this test, so the machine's own fonts play no part).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from hypothesis import given, settings
from hypothesis import strategies as st

from lapsefile.cli.main import cli
from lapsefile.engine import glyphs
from lapsefile.engine.overlays import DEFAULT_FONT
from lapsefile.engine.probe import decode_frames
from lapsefile.engine.testing import make_frames

# Ethiopic: in neither bundled font (DejaVu Sans, the CJK subset), so it needs an installed one.
UNBUNDLED = "ሰላም"


def make_box_font(path: Path, chars: str, width: int = 500) -> Path:
    """A real TrueType font whose every glyph for ``chars`` is a filled box ``width`` units
    wide (of 1000): drawn, it is solid, unlike the hollow box of a missing glyph."""
    def box(filled: bool):
        pen = TTGlyphPen(None)
        if filled:
            pen.moveTo((50, 0))
            pen.lineTo((50, 700))
            pen.lineTo((50 + width, 700))
            pen.lineTo((50 + width, 0))
            pen.closePath()
        return pen.glyph()

    names = [".notdef", "space"] + [f"u{ord(c):04X}" for c in chars]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({32: "space", **{ord(c): f"u{ord(c):04X}" for c in chars}})
    builder.setupGlyf({n: box(n not in (".notdef", "space")) for n in names})
    builder.setupHorizontalMetrics({n: (width + 100, 50) for n in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": f"Lapse Boxes {width}", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    path.parent.mkdir(parents=True, exist_ok=True)
    builder.save(str(path))
    return path


@pytest.fixture
def installed_fonts(tmp_path, monkeypatch) -> Path:
    """The folder fontconfig takes to be every installed font (empty to begin with)."""
    folder = tmp_path / "installed-fonts"
    folder.mkdir()
    config = tmp_path / "fonts.conf"
    config.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
                      f"<fontconfig><dir>{folder}</dir>"
                      f"<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>\n")
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    return folder


def write_project(root: Path, overlays: str, size: str = "64x36") -> Path:
    make_frames(root / "photos", 4)
    spec = root / "lapse.yaml"
    spec.write_text("version: 1\nframes: photos/*.jpg\ntiming: {fps: 10, duration: 1s}\n"
                    f"overlays:\n{overlays}outputs:\n  - {{path: out/v.mp4, size: {size}}}\n",
                    encoding="utf-8")
    return spec


def cli_run(*args: str):
    return CliRunner().invoke(cli, list(args))


def title(text: str, extra: str = "") -> str:
    written = json.dumps(text, ensure_ascii=False)
    return f"  titles:\n    - text: {written}\n      position: center\n{extra}"


def reasons(spec: Path) -> dict[str, str]:
    """What ``plan`` says of each step: step id -> reason."""
    result = cli_run("plan", "--json", str(spec))
    assert result.exit_code == 0, result.output
    return {step["id"]: step["reason"] for step in json.loads(result.stdout)["steps"]}


@pytest.mark.parametrize("command", [["validate"], ["plan"], ["run"]])
def test_text_the_bundled_font_cannot_draw_is_an_error_naming_the_characters(
        tmp_path, installed_fonts, command):
    spec = write_project(tmp_path, title(UNBUNDLED))
    result = cli_run(*command, str(spec))
    assert result.exit_code == 1, result.output
    assert f'title "{UNBUNDLED}"' in result.output
    assert "have no glyphs for ሰ, ላ, ም" in result.output
    assert "DejaVuSans.ttf, NotoSansCJKsc-Subset.otf (the bundled fonts)" in result.output
    assert "overlays.titles[0].text" in result.output
    assert "hint: set `font:`" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "lapse.lock").exists()


def test_timestamp_format_literals_are_checked_but_digits_pass(tmp_path, installed_fonts):
    spec = write_project(tmp_path, '  timestamp: {format: "%Y ዓመት %H:%M"}\n')
    result = cli_run("validate", str(spec))
    assert result.exit_code == 1
    assert "no glyphs for ዓ, መ, ት" in result.output
    assert "overlays.timestamp.format" in result.output
    spec = write_project(tmp_path, '  timestamp: {format: "%a %d %b %Y, %I:%M %p"}\n')
    assert cli_run("validate", str(spec)).exit_code == 0


def test_emoji_is_reported_and_whitespace_needs_no_glyph(tmp_path, installed_fonts):
    spec = write_project(tmp_path, title("Sunset 🌅"))
    result = cli_run("validate", str(spec))
    assert result.exit_code == 1 and "no glyphs for 🌅" in result.output
    spec = write_project(tmp_path, title("Line one\n\tLine two\u00a0\u200d"))
    assert cli_run("validate", str(spec)).exit_code == 0


@pytest.mark.parametrize("broken", ["text", "truncated", "empty"])
def test_a_font_file_that_is_not_a_font_is_an_error(tmp_path, installed_fonts, broken):
    font = tmp_path / "fonts" / "font.ttf"
    font.parent.mkdir()
    if broken == "text":
        font.write_text("this is not a font\n")
    elif broken == "truncated":
        data = DEFAULT_FONT.read_bytes()
        font.write_bytes(data[:len(data) // 3])
    else:
        font.write_bytes(b"")
    spec = write_project(tmp_path, title("Hello", "      font: fonts/font.ttf\n"))
    for command in ("validate", "plan", "run"):
        result = cli_run(command, str(spec))
        assert result.exit_code == 1, (command, result.output)
        assert "the font file fonts/font.ttf cannot be used" in result.output
        assert "overlays.titles[0].font" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_chosen_font_without_the_glyphs_gets_no_fallback(tmp_path, installed_fonts):
    make_box_font(installed_fonts / "cjk.ttf", UNBUNDLED + "Hi")  # would cover it all
    make_box_font(tmp_path / "own.ttf", UNBUNDLED)
    spec = write_project(tmp_path, title(f"Hi {UNBUNDLED}", "      font: own.ttf\n"))
    result = cli_run("validate", str(spec))
    assert result.exit_code == 1
    assert "the font own.ttf has no glyphs for H, i" in result.output


def _solid_share(video: Path) -> float:
    """The share of near-white pixels in the middle band of the first frame."""
    frame = decode_frames(video, 320, 180)[0]
    band = [frame[(y * 320 + x) * 3] for y in range(70, 110) for x in range(40, 280)]
    return sum(1 for value in band if value > 200) / len(band)


def test_an_installed_font_with_the_glyphs_is_used_and_recorded(tmp_path, installed_fonts):
    chosen = make_box_font(installed_fonts / "boxes.ttf", UNBUNDLED)
    spec = write_project(tmp_path, title(UNBUNDLED, "      size: 40%\n"), size="320x180")
    checked = cli_run("validate", str(spec))
    assert checked.exit_code == 0, checked.output
    assert f"drawing it with the installed font {chosen}" in checked.output
    result = cli_run("run", str(spec))
    assert result.exit_code == 0, result.output
    # Solid boxes: the fallback's glyphs; the bundled font's missing-glyph box is hollow.
    assert _solid_share(tmp_path / "out" / "v.mp4") > 0.3
    lock = json.loads((tmp_path / "lapse.lock").read_text())
    assert lock["outputs"]["v"]["settings"]["overlays"]["titles"][0]["style"]["font"] == \
        str(chosen)
    assert str(chosen) in lock["inputs"]
    assert reasons(spec) == {"v/render": "up_to_date"}


def test_a_changed_fallback_font_renders_again(tmp_path, installed_fonts):
    font = make_box_font(installed_fonts / "boxes.ttf", UNBUNDLED)
    spec = write_project(tmp_path, title(UNBUNDLED))
    assert cli_run("run", str(spec)).exit_code == 0
    assert reasons(spec) == {"v/render": "up_to_date"}
    make_box_font(font, UNBUNDLED, width=300)  # the same file, other glyphs
    assert reasons(spec) != {"v/render": "up_to_date"}
    assert cli_run("run", str(spec)).exit_code == 0
    make_box_font(installed_fonts / "other.ttf", UNBUNDLED)
    font.unlink()  # now fontconfig finds only the other font
    assert reasons(spec) != {"v/render": "up_to_date"}


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(codec="ascii", categories=("L", "N", "P", "S", "Zs"))
               | st.sampled_from("\t\n\r\x0b\x0c\u00a0\u2028\u200d\ufe0f")))
def test_printable_ascii_and_whitespace_need_nothing_the_bundled_font_lacks(text):
    assert glyphs.missing(DEFAULT_FONT, glyphs.drawn(text)) == []
    assert all(not ch.isspace() for ch in glyphs.drawn(text))


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1, max_size=6, alphabet=st.characters(min_codepoint=0x4E00,
                                                               max_codepoint=0x9FFF)))
def test_every_cjk_ideograph_is_reported_once_in_order(text):
    lacking = glyphs.missing(DEFAULT_FONT, glyphs.drawn(text))
    assert lacking == list(dict.fromkeys(text))


def test_the_cloud_draws_text_with_its_own_fonts(tmp_path, installed_fonts):
    spec = write_project(tmp_path, title(UNBUNDLED))
    spec.write_text(spec.read_text(encoding="utf-8") + "backend: nemo\n", encoding="utf-8")
    result = cli_run("validate", str(spec))
    assert result.exit_code == 0, result.output
    assert "glyphs" not in result.output
