"""Titles in any script: Chinese, Japanese and Korean with the bundled CJK subset and no font
set, Arabic shaped (joined, right to left), emoji only with a font that can draw them.

Every render here has fontconfig pointed at an empty folder (``installed_fonts``), so no font
of the machine plays a part: what is drawn comes from the fonts lapsefile ships.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageStat

from lapsefile.engine import glyphs
from lapsefile.engine.overlays.text import BUNDLED, CJK_FONT, DEFAULT_FONT
from lapsefile.engine.probe import decode_frames

from . import test_font_glyphs
from .test_font_glyphs import cli_run, make_box_font, reasons, title, write_project

# fontconfig sees only an empty folder of this test (test_font_glyphs says how).
installed_fonts = test_font_glyphs.installed_fonts

WIDTH, HEIGHT = 320, 180
SIZE = 0.3  # of the height: 54 px text


def render_title(root: Path, text: str, extra: str = "") -> Image.Image:
    """Run a project showing ``text`` as a white title; its first frame's white pixels."""
    spec = write_project(root, title(text, f"      size: {SIZE:.0%}\n{extra}"),
                         size=f"{WIDTH}x{HEIGHT}")
    result = cli_run("run", str(spec))
    assert result.exit_code == 0, result.output
    frame = decode_frames(root / "out" / "v.mp4", WIDTH, HEIGHT)[0]
    assert min(frame[:3]) < 200  # the photo behind is not white itself
    ink = Image.new("L", (WIDTH, HEIGHT))
    ink.putdata([255 if min(frame[i * 3:i * 3 + 3]) > 200 else 0
                 for i in range(WIDTH * HEIGHT)])
    return ink


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference, 0..255."""
    return ImageStat.Stat(ImageChops.difference(a, b)).mean[0]


def inked(image: Image.Image) -> Image.Image:
    """``image`` cut to its ink."""
    box = image.getbbox()
    assert box is not None, "nothing was drawn"
    return image.crop(box)


def reference(text: str, font: Path, size: int,
              layout: ImageFont.Layout = ImageFont.Layout.BASIC) -> Image.Image:
    """``text`` drawn by Pillow (FreeType too, not ffmpeg) in ``font``, cut to its ink."""
    face = ImageFont.truetype(str(font), size, layout_engine=layout)
    canvas = Image.new("L", (2 * size * max(1, len(text)), 3 * size))
    ImageDraw.Draw(canvas).text((size, size), text, font=face, fill=255)
    return inked(canvas.point(lambda v: 255 if v > 128 else 0))


def likeness(drawn: Image.Image, ref: Image.Image) -> float:
    """How far ``ref``, scaled to ``drawn``'s size, is from it (0: the same)."""
    return difference(drawn, ref.resize(drawn.size))


def test_cjk_titles_differing_in_one_character_differ_there_on_screen(
        tmp_path, installed_fonts):
    you = render_title(tmp_path / "a", "北京欢迎你")
    polite = render_title(tmp_path / "b", "北京欢迎您")
    box = you.getbbox()
    assert box is not None and polite.getbbox() is not None
    left, top, right, bottom = box
    fifth = (right - left) // 5
    same = (left, top, right - fifth - 2, bottom)  # 北京欢迎, common to both
    changed = (right - fifth + 2, top, right, bottom)  # 你 / 您
    assert difference(you.crop(same), polite.crop(same)) < 3
    assert difference(you.crop(changed), polite.crop(changed)) > 20


@pytest.mark.parametrize("text", ["你好世界", "東京の夜", "안녕하세요"])
def test_chinese_japanese_korean_draw_real_glyphs_with_no_font_set(
        tmp_path, installed_fonts, text):
    checked = cli_run("validate", str(write_project(tmp_path, title(text))))
    assert checked.exit_code == 0 and "glyph" not in checked.output, checked.output
    drawn = inked(render_title(tmp_path, text))
    size = round(SIZE * HEIGHT)
    # The bundled CJK font's glyphs, not the empty boxes of a font without them.
    assert likeness(drawn, reference(text, CJK_FONT, size)) < 30
    assert likeness(drawn, reference(text, DEFAULT_FONT, size)) > 60


def test_the_bundled_cjk_font_is_recorded_and_mixed_latin_needs_no_other(
        tmp_path, installed_fonts):
    text = "Tokyo 東京 2024"
    render_title(tmp_path, text)
    lock = json.loads((tmp_path / "lapse.lock").read_text())
    name = BUNDLED + CJK_FONT.name
    assert lock["outputs"]["v"]["settings"]["overlays"]["titles"][0]["style"]["font"] == name
    assert name in lock["inputs"]  # hashed: a new subset in an upgrade re-renders
    assert reasons(tmp_path / "lapse.yaml") == {"v/render": "up_to_date"}


def test_arabic_is_shaped_joined_and_right_to_left(tmp_path, installed_fonts):
    if not ImageFont.core.HAVE_RAQM:
        pytest.skip("this Pillow has no RAQM layout to shape the reference with")
    text = "بيت"  # b-y-t: three letters that join, so shaping changes every one of them
    drawn = inked(render_title(tmp_path, text))
    size = round(SIZE * HEIGHT)
    # RAQM shapes the reference (HarfBuzz, FriBidi); BASIC draws each letter's isolated
    # form, left to right: what drawtext would show unshaped.
    shaped = reference(text, DEFAULT_FONT, size, ImageFont.Layout.RAQM)
    unshaped = reference(text, DEFAULT_FONT, size, ImageFont.Layout.BASIC)
    assert abs(drawn.width - shaped.width) <= 3 < abs(drawn.width - unshaped.width)
    # The same shapes: even scaled to the drawn size, the isolated letters are far off.
    assert likeness(drawn, shaped) < 30
    assert likeness(drawn, unshaped) > 50


def test_emoji_without_a_font_for_them_is_an_error_saying_which_font_would_do(
        tmp_path, installed_fonts):
    spec = write_project(tmp_path, title("Sunset 🌅"))
    result = cli_run("validate", str(spec))
    assert result.exit_code == 1, result.output
    assert "no glyphs for 🌅" in result.output
    assert "monochrome" in result.output and "colour emoji fonts cannot be drawn" in result.output


def test_emoji_with_an_installed_monochrome_emoji_font_is_drawn(tmp_path, installed_fonts):
    chosen = make_box_font(installed_fonts / "emoji.ttf", "Sunset🌅")
    with_emoji = inked(render_title(tmp_path / "a", "Sunset 🌅"))
    without = inked(render_title(tmp_path / "b", "Sunset"))
    # The box font draws no missing glyph at all: the sun is there only if it has its glyph.
    assert with_emoji.width > without.width + 20
    lock = json.loads((tmp_path / "a" / "lapse.lock").read_text())
    assert lock["outputs"]["v"]["settings"]["overlays"]["titles"][0]["style"]["font"] == \
        str(chosen)


def _bitmap_only(path: Path) -> Path:
    """A font whose glyphs have no outlines, as in a colour emoji font (CBDT, sbix)."""
    face = TTFont(str(make_box_font(path.with_suffix(".src.ttf"), "🌅")))
    del face["glyf"], face["loca"]
    face.save(str(path))
    return path


def test_a_colour_bitmap_font_is_refused_before_drawtext_fails_on_it(
        tmp_path, installed_fonts):
    font = _bitmap_only(tmp_path / "emoji.ttf")
    with pytest.raises(glyphs.FontUnreadable, match="only bitmaps"):
        glyphs.missing(font, ["🌅"])
    spec = write_project(tmp_path, title("🌅", "      font: emoji.ttf\n"))
    result = cli_run("validate", str(spec))
    assert result.exit_code == 1, result.output
    assert "the font file emoji.ttf cannot be used: it holds only bitmaps" in result.output
    assert "monochrome" in result.output and "Traceback" not in result.output


def test_a_timestamp_in_chinese_uses_the_bundled_cjk_font(tmp_path, installed_fonts):
    spec = write_project(tmp_path, '  timestamp: {format: "%Y年%m月%d日"}\n')
    result = cli_run("run", str(spec))
    assert result.exit_code == 0, result.output
    assert "glyph" not in result.output
    lock = json.loads((tmp_path / "lapse.lock").read_text())
    assert lock["outputs"]["v"]["settings"]["overlays"]["timestamp"]["style"]["font"] == \
        BUNDLED + CJK_FONT.name


def test_arabic_and_chinese_in_one_title_need_one_font_with_both(tmp_path, installed_fonts):
    spec = write_project(tmp_path, title("بيت 東京"))
    result = cli_run("validate", str(spec))
    assert result.exit_code == 1, result.output
    assert "have no glyphs for all of ب, ي, ت, 東, 京 together" in result.output
    assert "split the text into two titles" in result.output
