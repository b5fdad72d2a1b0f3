"""Which characters a font can draw, and finding an installed font that draws the rest.

drawtext draws a character its font has no glyph for as an empty box, silently, so a title in
Japanese drawn with DejaVu Sans renders as a row of boxes. The font's character map
(``cmap``, read with fontTools) says beforehand which characters it covers. Whitespace, line
breaks and invisible format characters (joiners, variation selectors) draw nothing, so they
need no glyph.

An installed font covering characters the bundled one lacks is looked up with fontconfig's
``fc-list``/``fc-match`` when they exist; without them there is simply no fallback.
"""

from __future__ import annotations

import os
import struct
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

FONTS = Path(__file__).parent / "fonts"
DEFAULT_FONT = FONTS / "DejaVuSans.ttf"
CJK_FONT = FONTS / "NotoSansCJKsc-Subset.otf"  # built by tools/build_cjk_font.py
BUNDLED_FONTS = (DEFAULT_FONT, CJK_FONT)  # the chain: the first that draws all the text
# A ``style.font`` naming a bundled font (preflight records its choice so): not a path of the
# machine, so a lock written here stays true in another checkout or virtualenv.
BUNDLED = "lapsefile:"


def bundled_name(path: Path) -> str:
    """How ``style.font`` names the bundled font ``path``."""
    return BUNDLED + path.name


FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
_FC_TIMEOUT = 20.0  # seconds; fontconfig builds its cache on first use, which can be slow


class FontUnreadable(Exception):
    """The file is not a font FreeType could draw with (``reason`` says why)."""

    def __init__(self, path: Path, reason: str):
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}")


def drawn(text: str) -> list[str]:
    """The characters of ``text`` that need a glyph, each once, in order of appearance."""
    return list(dict.fromkeys(ch for ch in text if _needs_glyph(ch)))


def _needs_glyph(ch: str) -> bool:
    if ch.isspace():
        return False
    # Cf: zero-width joiners, directional marks; variation selectors pick a glyph's style.
    # Text shapers draw nothing for them, and fonts rarely map them.
    if unicodedata.category(ch) == "Cf":
        return False
    code = ord(ch)
    return not (0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF)


def missing(font: Path, chars: Iterable[str]) -> list[str]:
    """The characters of ``chars`` that ``font`` has no glyph for; FontUnreadable when it is
    not a readable font."""
    covered = coverage(font)
    return [ch for ch in chars if ord(ch) not in covered]


def coverage(font: Path) -> frozenset[int]:
    """The code points ``font`` maps to glyphs (its first face, the one drawtext uses)."""
    try:
        st = os.stat(font)
    except OSError as exc:
        raise FontUnreadable(font, exc.strerror or "cannot be read") from None
    return _coverage(str(font), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=32)
def _coverage(path: str, mtime_ns: int, size: int) -> frozenset[int]:
    # Keyed by mtime and size too: a font replaced at the same path is read again.
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(path, lazy=True, fontNumber=0) as face:
            _check_tables(face, size)
            cmap = face.getBestCmap()
            tables = set(face.reader.keys())
    except TTLibError as exc:
        raise FontUnreadable(Path(path), _plain_reason(str(exc))) from None
    except (OSError, EOFError, struct.error, KeyError, ValueError, IndexError,
            AssertionError) as exc:  # what a damaged table makes fontTools' parsers raise
        raise FontUnreadable(Path(path), f"its data is damaged ({exc or type(exc).__name__})"
                             ) from None
    if not cmap:
        raise FontUnreadable(Path(path), "it maps no characters to glyphs (no usable cmap)")
    if not _OUTLINES & tables:
        # Colour emoji fonts (CBDT, sbix) are fixed-size pictures: FreeType cannot scale
        # them, and drawtext then fails ("Could not set font size") instead of drawing.
        raise FontUnreadable(Path(path), f"it holds only bitmaps ({_bitmap_tables(tables)}), "
                             "like colour emoji fonts, which ffmpeg's drawtext cannot scale; "
                             "use an outline font (for emoji a monochrome one, such as Noto "
                             "Emoji or Symbola)")
    return frozenset(cmap)


_OUTLINES = {"glyf", "CFF ", "CFF2"}  # the tables holding scalable glyph outlines


def _bitmap_tables(tables: set[str]) -> str:
    found = [tag.strip() for tag in ("CBDT", "sbix", "EBDT", "bdat") if tag in tables]
    return ", ".join(found) or "no outline table"


def _check_tables(face, size: int) -> None:
    """A truncated font still has its table directory: every table must lie inside the file,
    or FreeType fails (or draws nothing) when it reaches the missing part."""
    reader = face.reader
    for tag, entry in reader.tables.items():
        if entry.offset + entry.length > size:
            raise FontUnreadable(Path(reader.file.name), f"it is cut short: its {tag.strip()!r} "
                                 f"table ends at byte {entry.offset + entry.length}, past the "
                                 f"end of the file ({size} bytes)")


def _plain_reason(text: str) -> str:
    if "sfntVersion" in text or "not enough data" in text:
        return "it is not a TrueType or OpenType font"
    return f"it cannot be read as a font ({text})"


def find_fallback(chars: Iterable[str]) -> Path | None:
    """The installed font fontconfig prefers for sans-serif text among those covering every
    character of ``chars``; None without fontconfig or without such a font."""
    import shutil  # here: a spec without text that needs a fallback never looks one up

    wanted = sorted({ord(ch) for ch in chars})
    if not wanted:
        return None
    fc_list, fc_match = shutil.which("fc-list"), shutil.which("fc-match")
    if fc_list is None or fc_match is None:
        return None
    charset = ":charset=" + " ".join(f"{code:x}" for code in wanted)
    covering = set(_fc(fc_list, [charset]))
    # fc-list filters but does not rank; fc-match -s ranks every font for the pattern.
    for candidate in _fc(fc_match, ["-s", "sans-serif" + charset]):
        if candidate not in covering:
            continue
        try:
            if not missing(candidate, [chr(c) for c in wanted]):
                return candidate
        except FontUnreadable:
            continue
    return None


def _fc(binary: str, args: list[str]) -> list[Path]:
    """Font files (first faces only: drawtext opens face 0) that a fontconfig tool lists."""
    import subprocess  # here: validate imports this module, and most specs start no process

    try:
        done = subprocess.run([binary, "--format", "%{file}\t%{index}\n", *args],
                              stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=_FC_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return []  # a broken fontconfig means no fallback, not a failed run
    found = []
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        file, _, index = line.partition("\t")
        if index.strip() == "0" and file.lower().endswith(FONT_SUFFIXES):
            found.append(Path(file))
    return list(dict.fromkeys(found))
