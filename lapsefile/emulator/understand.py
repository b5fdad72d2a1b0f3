"""Reading an instruction's values, whatever its wording: the agent's ears.

:func:`understand` turns a sentence into an :class:`Utterance`: the language, the quoted texts
(``"…"``, ``“…”``, ``「…」``, ``'…'`` ...), the file names (recognized by their extension, with
spaces: ``My Song (final).wav``), the text and box colours, the canvas (``1920x1080``,
``1920×1080``, ``(16:9)``) and every number with its unit (``30 s``, ``30-second``, ``30秒``,
``500 ms``, ``24 fps``, ``8%``, ``7 frames``, ``200 photos``). Literals are replaced by
placeholders first, so a title's text or a file name never reads as a keyword or a number; what
remains is NFKC-normalized and ASCII-lower-cased for the keyword tables of :mod:`.lexicon`.

Numbers get a *role* from the words around them (:meth:`Utterance.roles`): a word right after
the number (``80% opacity``), else the nearest word before it in the same clause (``from 1 s``),
else any word after it in the clause.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .lexicon import Lexicon, first
from .quotes import CJK, mask_files, mask_quotes, placeholder, quoted_file
from .store import file_type
from .words_en import ENGLISH
from .words_zh import CHINESE

LEXICONS = {"en": ENGLISH, "zh": CHINESE}
UPPER_TO_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
UNITS = (("%", r"%|percent|per ?cent|pct"), ("fps", r"fps|frames? per second|帧/秒|帧每秒"),
         ("ms", r"ms|milliseconds?|毫秒"), ("min", r"minutes?|mins?|分钟"),
         ("s", r"seconds?|secs?|s|秒钟?"), ("frames", r"frames?|帧"),
         ("photos", r"photos?|images?|pictures?|stills?|shots?|张(?:照片|图片)?|幅"))
NOT_AFTER = r"(?<![A-Za-z0-9_.])"  # a number may follow Chinese directly: "第2秒"
VALUE = re.compile(NOT_AFTER + r"(\d+(?:\.\d+)?)(?:(?:\s*-\s*|\s*)(" + "|".join(
    pattern for _, pattern in UNITS) + r")(?![a-z]))?")
PER_SECOND = re.compile(r"每秒\s*(\d+(?:\.\d+)?)\s*帧")
PHOTOS_AFTER = re.compile(r"^\s+(?:[a-z]+\s+){1,2}(?:photos?|images?|pictures?|stills|shots)\b")
RANGE_GAP = re.compile(r"^\s*(?:-|–|—|~|to|and|到|至)\s*$")
NOT_BEFORE = r"(?![A-Za-z0-9_]|\.\d)"
RESOLUTION = re.compile(NOT_AFTER + r"(\d{2,5})\s*[x×*]\s*(\d{2,5})" + NOT_BEFORE)
PRESET = re.compile(NOT_AFTER + r"(\d{3,4})p" + NOT_BEFORE)
ASPECT = re.compile(r"\(\s*(\d+)\s*:\s*(\d+)\s*\)|(?:aspect(?: ratio)?|ratio|比例|画幅)\s*"
                    r"(?:of|is|为|:|=)?\s*(\d+)\s*:\s*(\d+)")
CLAUSE_END = re.compile(r"[,;!?。、\n:]|\.(?=\s|$)")
COLOUR_LITERAL = re.compile(r"#[0-9a-f]{3,8}(?:@[\d.]+)?|\b[a-z]+@\d*\.?\d+", re.I)
TIME_UNITS = {"s": 1.0, "ms": 0.001, "min": 60.0}


@dataclass(frozen=True)
class Value:
    """A number as written (``raw``) with its unit: s (ms and minutes converted), %, fps,
    frames, photos, or "" (bare). ``amount`` is in seconds for times, as written otherwise."""

    raw: str
    unit: str
    amount: float
    start: int
    end: int
    ranged: bool = False  # the first of "1-4 s", "1 to 4 s", "between 1 and 4 s"


@dataclass
class Utterance:
    language: str
    words: Lexicon
    text: str  # normalized, literals masked, ASCII lower-cased
    quotes: list[str]
    files: list[str]
    colour: str | None = None
    box: bool | None = None  # None: the sentence does not say
    box_colour: str | None = None
    width: int | None = None
    height: int | None = None
    aspect: str | None = None
    values: list[Value] = field(default_factory=list)

    def has(self, pattern: str) -> bool:
        return re.search(pattern, self.text) is not None

    def position(self) -> str | None:
        return first(self.text, self.words.positions)

    def fit(self) -> str | None:
        return first(self.text, self.words.fits)

    def files_of(self, kind: str) -> list[str]:
        return [name for name in self.files if file_type(name) == kind]

    def of_unit(self, *units: str) -> list[Value]:
        return [v for v in self.values if v.unit in units]

    def roles(self, kind: str, *units: str) -> list[tuple[str | None, Value]]:
        """Each value of ``units`` with the role its neighbouring words give it (or None)."""
        return [(self._role(value, kind), value) for value in self.of_unit(*units)]

    def clause(self, position: int) -> tuple[int, int]:
        ends = [m.start() for m in CLAUSE_END.finditer(self.text)]
        start = max((e + 1 for e in ends if e < position), default=0)
        end = min((e for e in ends if e >= position), default=len(self.text))
        return start, end

    def _role(self, value: Value, kind: str) -> str | None:
        start, end = self.clause(value.start)
        tail, head = self.text[value.end:end], self.text[start:value.start]
        after = self.words.after.get(kind, ())
        right = sorted((m.start(), role) for role, pattern in after
                       if (m := re.search(pattern, tail)))
        if right and re.match(self.words.filler, tail[:right[0][0]]):
            return right[0][1]
        left = [(m.end(), role) for role, pattern in self.words.anchors.get(kind, ())
                for m in re.finditer(pattern, head)]
        if left:
            return max(left)[1]
        return right[0][1] if right else None


def understand(text: str) -> Utterance:
    """Everything :mod:`.intents` needs from ``text``, in the order that keeps literals whole:
    quotes, files, colours, canvas, then numbers."""
    masked, literals = mask_quotes(text.strip())
    language = "zh" if CJK.search(masked) else "en"
    words = LEXICONS[language]
    masked = mask_files(masked, literals, words.file_stops, words.file_intro)
    masked = unicodedata.normalize("NFKC", masked)
    said = Utterance(language, words, "", [], [])
    masked = _read_colours(masked, said, literals)
    masked = _read_canvas(masked.translate(UPPER_TO_LOWER), said, literals)
    said.text = masked
    said.values = _read_values(masked)
    for match in re.finditer("\ue000([a-z])(\\d+)\ue001", masked):  # in reading order
        kind, value = literals[int(match[2])]
        if kind == "f":
            said.files.append(value)
        elif kind == "q":
            said.quotes.append(value)
            if name := quoted_file(value):
                said.files.append(name)
    return said


def _mask(text: str, span: tuple[int, int], literals: list[tuple[str, str]],
          kind: str = "c") -> str:
    literals.append((kind, text[span[0]:span[1]]))
    return text[:span[0]] + placeholder(kind, len(literals) - 1) + text[span[1]:]


def _read_colours(text: str, said: Utterance, literals: list[tuple[str, str]]) -> str:
    """Box and text colours, taken out before numbers are read (``black@0.4`` has digits)."""
    words = said.words
    if re.search(words.box_off, text, re.I):
        said.box = False
    else:
        for pattern in words.box_colour:
            if match := re.search(pattern, text, re.I):
                said.box, said.box_colour = True, _colour_name(match[1], words)
                text = _mask(text, match.span(1), literals)
                break
        else:
            said.box = True if re.search(words.box_on, text, re.I) else None
    if match := re.search(words.colour, text, re.I):
        said.colour = _colour_name(match[1], words)
        text = _mask(text, match.span(1), literals)
    elif match := COLOUR_LITERAL.search(text):
        said.colour = match.group()
    else:  # a bare colour word ("in yellow"), but not "black bars" or "a white background"
        names = "|".join(re.escape(name) for name in words.colour_names)
        if match := re.search(rf"\b(?:{names})\b(?!\s*(?:bars?|box|background|border)\b)",
                              text, re.I):
            said.colour = _colour_name(match.group(), words)
    while match := COLOUR_LITERAL.search(text):  # never read "white@0.8" as a number
        text = _mask(text, match.span(), literals)
    return text


def _colour_name(token: str, words: Lexicon) -> str:
    token = token.rstrip(".")
    return words.colour_names.get(token, token)


def _read_canvas(text: str, said: Utterance, literals: list[tuple[str, str]]) -> str:
    if match := RESOLUTION.search(text):
        said.width, said.height = int(match[1]), int(match[2])
        text = _mask(text, match.span(), literals, "r")
    elif match := PRESET.search(text):
        said.height = int(match[1])
        said.width = round(said.height * 16 / 9 / 2) * 2
        text = _mask(text, match.span(), literals, "r")
    if match := ASPECT.search(text):
        w, h = (match[1], match[2]) if match[1] else (match[3], match[4])
        said.aspect = f"{w}:{h}"
        text = _mask(text, match.span(), literals, "r")
    return text


def _read_values(text: str) -> list[Value]:
    values = [Value(m[1], "fps", float(m[1]), m.start(), m.end())
              for m in PER_SECOND.finditer(text)]
    taken = [(v.start, v.end) for v in values]
    for match in VALUE.finditer(text):
        if any(a <= match.start() < b for a, b in taken):
            continue
        unit = _unit(match[2]) if match[2] else ""
        if not unit and PHOTOS_AFTER.match(text[match.end():]):
            unit = "photos"  # "6 uploaded photos"
        amount = float(match[1]) * TIME_UNITS.get(unit, 1.0)
        if unit == "ms":
            amount = float(match[1]) / 1000  # exact for whole milliseconds
        values.append(Value(match[1], "s" if unit in TIME_UNITS else unit, amount,
                            match.start(), match.end()))
    values.sort(key=lambda v: v.start)
    return _join_ranges(values, text)


def _unit(written: str) -> str:
    return next(unit for unit, pattern in UNITS if re.fullmatch(pattern, written))


def _join_ranges(values: list[Value], text: str) -> list[Value]:
    """"1-4 s", "1 到 4 秒": the bare first number takes the unit of the second."""
    joined = list(values)
    for i, (value, following) in enumerate(zip(values, values[1:])):
        if value.unit or not following.unit or not RANGE_GAP.match(
                text[value.end:following.start]):
            continue
        scale = following.amount / float(following.raw) if float(following.raw) else 1.0
        joined[i] = Value(value.raw, following.unit, float(value.raw) * scale, value.start,
                          value.end, ranged=True)
    return joined
