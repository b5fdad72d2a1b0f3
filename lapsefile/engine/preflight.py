"""Checks that need the engine's knowledge, run by ``validate``, ``plan`` and ``run`` before
anything renders: can the fonts draw the text, is the music audio, do fades overlap.

Called from ``runner.prepare`` (the project layer may not import the engine, which owns the
bundled fonts and ffmpeg). Text without a ``font:`` is drawn with the first font of a chain
that has all its characters: DejaVu Sans, then the bundled CJK subset (recorded as
``lapsefile:NotoSansCJKsc-Subset.otf``, a name the same in every install), then an installed
font fontconfig finds (recorded as its absolute path); else an error names the characters. A
recorded font becomes the text's ``style.font`` and one of the project's assets, so the
fingerprint follows it (another choice, or the same file changed, re-renders) and the render
draws with it.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import Diagnostic, EngineUnavailable, SpecError
from ..project.model import InputFile, Project
from ..spec.model import Spec, TextStyle
from .verdicts import Verdicts

if TYPE_CHECKING:
    from .glyphs import FontUnreadable  # glyphs.py: imported when a spec has text
    from .music import AudioFacts  # imported when a spec has music: ffmpeg's, the renderer's

_SHOWN_CHARS = 12  # missing characters listed in a message; the rest are counted


def check(project: Project, warnings: Sequence[Diagnostic] = (), *, fonts: bool = True
          ) -> tuple[Project, list[Diagnostic]]:
    """``project`` (with fallback fonts applied) and ``warnings`` plus what was found here;
    raises SpecError with all of them when something is wrong. ``fonts``: whether lapsefile
    draws the text (not for a backend with fonts of its own: ``BackendEntry.own_fonts``)."""
    found = list(warnings)
    verdicts = Verdicts(project.root)  # answers about unchanged files, kept (verdicts.py)
    if fonts:
        project = _fonts(project, found, verdicts)
    found += _title_fades(project.spec, project.timing.duration)
    found += _music(project.spec, project.timing.duration, verdicts)
    verdicts.save()
    if any(d.severity == "error" for d in found):
        raise SpecError(found)
    return project, found


class _Text(NamedTuple):
    """One piece of text the engine draws, and where the spec writes it."""

    what: str  # 'title "Hello"', 'timestamp format "%H:%M"'
    doc_path: tuple[str | int, ...]  # of the text itself
    font_path: tuple[str | int, ...]  # where its font is set
    style: TextStyle
    chars: list[str]  # those needing a glyph


def _texts(spec: Spec) -> Iterator[_Text]:
    if not spec.titles and spec.timestamp is None:
        return  # no text: no font is read (nor glyphs.py, fontTools' tables, imported)
    from . import glyphs

    for i, title in enumerate(spec.titles):
        yield _Text(f"title {_quoted(title.text)}", ("overlays", "titles", i, "text"),
                    ("overlays", "titles", i, "font"), title.style, glyphs.drawn(title.text))
    if spec.timestamp is not None:
        stamp = spec.timestamp
        yield _Text(f"timestamp format {_quoted(stamp.format)}",
                    ("overlays", "timestamp", "format"), ("overlays", "timestamp", "font"),
                    stamp.style, glyphs.drawn("".join(stamp_samples(stamp.format))))


def stamp_samples(fmt: str) -> list[str]:
    """``fmt`` applied to dates that between them use every digit, month, weekday and
    half-day: the characters a timestamp can show (its literal text included)."""
    dates = [datetime(2019 + k, k, 9 + k, 2 * k - 1, 5 * k - 4, 4 * k) for k in range(1, 13)]
    dates += [datetime(2024, 1, day, 23, 59, 59) for day in range(1, 8)]  # all weekdays
    texts = [when.strftime(fmt) for when in dates]
    if "%" in fmt.replace("%%", ""):
        texts.append("0123456789")  # numbers of any value
    return texts


def _fonts(project: Project, found: list[Diagnostic], verdicts: Verdicts) -> Project:
    spec, assets = project.spec, dict(project.assets)
    chosen_fonts: dict[tuple[str | int, ...], str] = {}
    for text in _texts(spec):
        chosen = _check_text(spec, text, found, verdicts)
        if chosen is not None:
            name, path = chosen
            chosen_fonts[text.font_path] = name
            assets[name] = _font_asset(name, path)
    if not chosen_fonts:
        return project
    return replace(project, spec=_with_fonts(spec, chosen_fonts), assets=assets)


def _check_text(spec: Spec, text: _Text, found: list[Diagnostic], verdicts: Verdicts
                ) -> tuple[str, Path] | None:
    """Report what ``text``'s font cannot draw. The font to record for it, as ``style.font``
    names it and its file, when the spec sets none and DejaVu Sans will not do: the bundled
    CJK font, else an installed fallback (the chain of ``overlays.text``)."""
    from . import glyphs

    if not text.chars:
        return None
    if text.style.font is not None:
        _check_own_font(spec, text, text.style.font, found, verdicts)
        return None
    lacking = list(text.chars)  # those no bundled font has
    for bundled in glyphs.BUNDLED_FONTS:
        try:
            lacks = _missing(verdicts, bundled, text.chars)
        except glyphs.FontUnreadable as exc:
            found.append(_unusable(spec, text, f"{bundled.name} (a bundled font)", exc))
            return None
        if not lacks:
            return None if bundled == glyphs.DEFAULT_FONT else (glyphs.bundled_name(bundled),
                                                                bundled)
        lacking = [ch for ch in lacking if ch in lacks]
    shown = ", ".join(f.name for f in glyphs.BUNDLED_FONTS) + " (the bundled fonts)"
    # Each character in some bundled font, but no font with all: drawtext draws one font.
    names = (_char_list(lacking) if lacking else
             f"all of {_char_list(text.chars)} together (each draws some; a text is drawn "
             f"in one font)")
    fallback = glyphs.find_fallback(text.chars)
    if fallback is not None:
        found.append(Diagnostic(
            f"{text.what}: the fonts {shown} have no glyphs for {names}; drawing it with the "
            f"installed font {fallback}, which has them", path=_dotted(text.doc_path),
            location=spec.where(*text.doc_path), severity="warning",
            hint="set `font:` here to a font file of the project, so every machine draws it "
                 "the same"))
        return str(fallback), fallback
    found.append(_no_glyphs(spec, text, shown, names, lacking, "have",
                            "install one fontconfig finds, split the text into two titles, "))
    return None


def _check_own_font(spec: Spec, text: _Text, own: str, found: list[Diagnostic],
                    verdicts: Verdicts) -> None:
    """The font the spec names (``own``) must draw every character: no fallback overrides
    a choice."""
    from . import glyphs

    try:
        lacking = _missing(verdicts, spec.root / own, text.chars)
    except glyphs.FontUnreadable as exc:
        found.append(_unusable(spec, text, own, exc))
        return
    if lacking:
        found.append(_no_glyphs(spec, text, own, _char_list(lacking), lacking, "has", ""))


def _missing(verdicts: Verdicts, font: Path, chars: list[str]) -> list[str]:
    """``glyphs.missing``, answered from ``verdicts`` while the font file is unchanged (an
    unreadable font raises every time: only answers are kept)."""
    from . import glyphs

    key = verdicts.key("glyphs", font, extra="".join(chars))
    known = verdicts.get(key)
    if isinstance(known, list) and all(isinstance(ch, str) and ch in chars for ch in known):
        return known
    lacking = glyphs.missing(font, chars)
    verdicts.put(key, lacking)
    return lacking


def _unusable(spec: Spec, text: _Text, shown: str, exc: FontUnreadable) -> Diagnostic:
    own = text.style.font is not None
    return Diagnostic(
        f"{text.what}: the font file {shown} cannot be used: {exc.reason}",
        path=_dotted(text.font_path), location=spec.where(*text.font_path),
        hint="use a TrueType or OpenType font file (.ttf, .otf, .ttc); a file renamed to .ttf "
             "is not one" if own else "reinstall lapsefile")


def _no_glyphs(spec: Spec, text: _Text, shown: str, names: str, lacking: Sequence[str],
               verb: str, also: str) -> Diagnostic:
    """The error for characters ``shown`` cannot draw; ``also``: other ways out, if any."""
    emoji = any(_is_emoji(ch) for ch in lacking)
    what = ("a font that has them (for emoji a monochrome one such as Noto Emoji or Symbola: "
            "colour emoji fonts cannot be drawn)" if emoji else
            "a font file that has them (e.g. a Noto Sans CJK, Noto Sans Arabic or Noto Sans "
            "Devanagari .otf/.ttf)")
    return Diagnostic(
        f"{text.what}: the font {shown} {verb} no glyphs for {names}, which would be drawn as "
        f"empty boxes", path=_dotted(text.doc_path), location=spec.where(*text.doc_path),
        hint=f"set `font:` ({_dotted(text.font_path)}) to {what}, {also}or leave those "
             f"characters out")


def _is_emoji(ch: str) -> bool:
    """Pictographs: the emoji blocks, and the symbols and dingbats many emoji come from."""
    code = ord(ch)
    return 0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF


def _with_fonts(spec: Spec, chosen: dict[tuple[str | int, ...], str]) -> Spec:
    def styled(item: Any, path: tuple[str | int, ...]) -> Any:
        font = chosen.get(path)
        if font is None:
            return item
        return replace(item, style=replace(item.style, font=font))

    titles = tuple(styled(t, ("overlays", "titles", i, "font"))
                   for i, t in enumerate(spec.titles))
    stamp = (styled(spec.timestamp, ("overlays", "timestamp", "font"))
             if spec.timestamp is not None else None)
    return replace(spec, titles=titles, timestamp=stamp)


def _font_asset(name: str, path: Path) -> InputFile:
    """The font file ``path`` as an input, named as ``style.font`` names it."""
    st = os.stat(path)
    return InputFile(name, path, st.st_size, st.st_mtime_ns,
                     _sha256(str(path), st.st_mtime_ns, st.st_size))


@lru_cache(maxsize=8)
def _sha256(path: str, mtime_ns: int, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _title_fades(spec: Spec, duration: float) -> list[Diagnostic]:
    found = []
    for i, title in enumerate(spec.titles):
        start = max(0.0, title.start)
        end = duration if title.end is None else min(title.end, duration)
        span = end - start
        fades = title.fade_in + title.fade_out
        if fades <= 0 or span <= 0 or fades <= span + 1e-6:
            continue
        found.append(Diagnostic(
            f"title {_quoted(title.text)} fades in for {title.fade_in:g} s and out for "
            f"{title.fade_out:g} s but is on screen for only {_seconds(span)}: the fades "
            f"overlap, so it never shows fully", path=f"overlays.titles[{i}]",
            location=_first_written(spec, ("overlays", "titles", i), "fade", "fade_in",
                                    "fade_out"),
            severity="warning", hint="make the fades together no longer than the time on "
                                     "screen, or show the title longer"))
    return found


def _music(spec: Spec, duration: float, verdicts: Verdicts) -> list[Diagnostic]:
    music = spec.music
    if music is None:
        return []
    from .ffmpeg import locate_ffmpeg
    from .music import played_seconds

    try:
        facts = _audio_facts(locate_ffmpeg(), spec.root / music.file, verdicts)
    except EngineUnavailable:
        return []  # without ffmpeg nothing renders; the run says so
    location = spec.where("music", "file")
    if not facts.has_audio:
        return [Diagnostic(
            f"the music file {music.file} holds no audio ffmpeg can read ({facts.reason})",
            path="music.file", location=location,
            hint="use a real audio file (.mp3, .m4a, .wav, ...): renaming a file does not "
                 "convert it")]
    track = facts.seconds if facts.seconds is not None else math.inf
    played = played_seconds(music.fit, music.start, track, duration)
    fades = music.fade_in + music.fade_out
    if fades <= 0 or fades <= played + 1e-6:
        return []
    short = " (the track ends before the video does)" if played < duration - 1e-6 else ""
    return [Diagnostic(
        f"the music fades in for {music.fade_in:g} s and out for {music.fade_out:g} s but "
        f"plays for only {_seconds(played)}{short}: the fades overlap, so it never reaches "
        f"full volume", path="music",
        location=_first_written(spec, ("music",), "fade", "fade_in", "fade_out"),
        severity="warning", hint="make the fades together no longer than the music plays")]


def _audio_facts(binary: Path, path: Path, verdicts: Verdicts) -> AudioFacts:
    """``music.describe`` (an ffmpeg process), answered from ``verdicts`` while the file and
    the ffmpeg ``binary`` are unchanged. "Cannot tell" (ffmpeg did not run) is not kept."""
    from . import music
    from .ffmpeg import find_ffmpeg

    key = verdicts.key("music", path, str(binary))
    known = verdicts.get(key)
    if (isinstance(known, list) and len(known) == 3 and isinstance(known[0], bool)
            and isinstance(known[1], (int, float, type(None))) and isinstance(known[2], str)):
        return music.AudioFacts(*known)
    facts = music.describe(find_ffmpeg(str(binary)), path)
    if not facts.has_audio or facts.seconds is not None:
        verdicts.put(key, [facts.has_audio, facts.seconds, facts.reason])
    return facts


def _first_written(spec: Spec, base: tuple[str | int, ...], *keys: str) -> Any:
    for key in keys:
        written = base + (key,)
        if written in spec.locations:
            return spec.locations[written]
    return spec.where(*base)


def _dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else key)
    return out


def _quoted(text: str) -> str:
    short = text if len(text) <= 40 else text[:39] + "…"
    return '"' + short.replace("\n", "\\n") + '"'


def _char_list(chars: Sequence[str]) -> str:
    import unicodedata  # here: only a font lacking characters names them

    def name(ch: str) -> str:
        visible = unicodedata.category(ch)[0] not in "MCZ"
        return ch if visible else f"U+{ord(ch):04X}"

    shown = ", ".join(name(ch) for ch in chars[:_SHOWN_CHARS])
    more = len(chars) - _SHOWN_CHARS
    return shown + (f" and {more} more" if more > 0 else "")


def _seconds(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + " s"
