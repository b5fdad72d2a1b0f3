"""Build the bundled CJK font: a subset of Noto Sans CJK SC (OFL 1.1) covering everyday
Chinese, Japanese and Korean text, small enough to ship in the wheel.

    apt-get download fonts-noto-cjk          # Debian's package, 1:20220127+repack1-1
    python tools/build_cjk_font.py fonts-noto-cjk_*.deb

It writes ``lapsefile/engine/fonts/NotoSansCJKsc-Subset.otf`` (and the licence beside it is
``OFL-NotoSansCJK.txt``, copied by hand once: the font's licence does not change with the
subset). The same package gives the same bytes: the subsetter is deterministic and the font's
own timestamp is kept.

Which characters: the level-1 sets of the national standards, i.e. what everyday text uses:

- Chinese: GB 2312 level 1 (3,755 hanzi, 99.7% of characters in modern running text);
- Japanese: JIS X 0208 level 1 kanji (2,965), and all of its kana and symbols;
- Korean: the 2,350 precomposed hangul syllables of KS X 1001 and its compatibility jamo;

plus every non-ideographic row of the three standards (punctuation, full-width forms, Greek,
Cyrillic, box drawing), ASCII and Latin-1. Rarer characters fall back to an installed font
(fontconfig), or the error says which ones are missing and how to set ``font:``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

FACE = "Noto Sans CJK SC"  # Simplified Chinese glyph shapes: `cloud.language: zh` is Chinese
TTC = "usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
OUT = (Path(__file__).resolve().parent.parent / "lapsefile" / "engine" / "fonts"
       / "NotoSansCJKsc-Subset.otf")

# (codec, first row, last row) of the EUC encodings: row r, cell c is bytes (0xA0+r, 0xA0+c).
# Rows 1-15 are symbols, kana, alphabets; the ranges after them are each standard's level 1.
_ROWS = (
    ("gb2312", 1, 15), ("gb2312", 16, 55),  # GB 2312 level 1 hanzi: rows 16-55
    ("euc_jp", 1, 15), ("euc_jp", 16, 47),  # JIS X 0208 level 1 kanji: rows 16-47
    ("euc_kr", 1, 15), ("euc_kr", 16, 40),  # KS X 1001 hangul syllables: rows 16-40
)


def characters() -> set[int]:
    """Every code point the subset keeps."""
    wanted = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    for codec, first, last in _ROWS:
        for row in range(first, last + 1):
            for cell in range(1, 95):
                try:
                    text = bytes((0xA0 + row, 0xA0 + cell)).decode(codec)
                except UnicodeDecodeError:
                    continue  # an unassigned cell
                wanted.update(ord(ch) for ch in text)
    wanted |= set(range(0x3000, 0x3040))  # CJK punctuation: 「」、。 and the ideographic space
    return wanted


def face_number(ttc: Path) -> int:
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(ttc), lazy=True)
    for number, font in enumerate(collection.fonts):
        if font["name"].getDebugName(4) == FACE:
            return number
    raise SystemExit(f"{ttc} has no face named {FACE!r}")


def build(ttc: Path, out: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.hinting = False  # measured: the CFF hints made 8 px text no crisper in drawtext
    options.layout_features = ["*"]  # keep every GSUB/GPOS feature of the kept glyphs
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True  # a missing glyph shows as a box, not as nothing
    options.recalc_timestamp = False  # the same input gives the same bytes
    font = TTFont(str(ttc), fontNumber=face_number(ttc), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(characters()))
    subsetter.subset(font)
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out))


def extracted(deb: Path, folder: Path) -> Path:
    subprocess.run(["dpkg-deb", "-x", str(deb), str(folder)], check=True)
    return folder / TTC


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path,
                        help="fonts-noto-cjk .deb, or NotoSansCJK-Regular.ttc itself")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temp:
        ttc = (extracted(args.source, Path(temp)) if args.source.suffix == ".deb"
               else args.source)
        build(ttc, args.out)
    print(f"{args.out}: {args.out.stat().st_size:,} bytes, {len(characters()):,} characters")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
