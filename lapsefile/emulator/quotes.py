"""Literal text inside an instruction: quoted strings and file names, masked by placeholders.

Paired quotes (``“…”``, ``「…」``, ``『…』``, ``《…》``, ``‘…’``, ``«…»``) nest by counting. A
straight quote (``"`` or ``'``) opens after a space, a bracket or punctuation and closes before
one, so ``"He said "hi", ok."`` is one text and ``photo's`` is no quote at all. A quoted text
that looks like a file name is both a text and a file: the kind of instruction decides.

An unquoted file name is a run ending in an accepted extension. After an introducer
(``file_intro``: "the uploaded audio", "the logo") it takes every word up to the extension
(``the uploaded audio track 01.mp3`` -> ``track 01.mp3``); otherwise it extends to the left
over words that are not ``file_stops`` (``Add My Song (final).wav`` -> ``My Song (final).wav``).
"""

from __future__ import annotations

import re

from .store import ACCEPTED

CJK = re.compile(r"[\u4e00-\u9fff]")
PAIRED = {"“": "”", "「": "」", "『": "』", "《": "》", "‘": "’", "«": "»"}
STRAIGHT = "\"'"
OPEN_AFTER = "([{:：,，;；=" + "".join(PAIRED) + STRAIGHT  # ""quoted" at the start of a text
CLOSE_BEFORE = ".,;:!?)]}。，；：！？）、" + "".join(PAIRED.values())
EXTENSIONS = "|".join(sorted(ACCEPTED, key=len, reverse=True))
FILE_NAME = re.compile(rf"[^\n]*\.(?:{EXTENSIONS})", re.I)
FILE_RUN = re.compile(rf"[^\s,;:，；：\"“”「」『』《》\ue000\ue001]*?\.(?:{EXTENSIONS})"
                      r"(?![A-Za-z0-9_])", re.I)
# Chinese words that glue onto a file name written without spaces ("换成日落.mp3").
ZH_LEAD = re.compile("^(?:把|将|用|使用|换成|换为|替换为|替换成|改为|改成|上传的|添加|删除|叠加|"
                     "音频|图片|视频|背景音乐|音乐|标志|水印|文件)+")
BREAKS = frozenset("the a an at as with to and in on for of from by into is it or then please "
                   "instead".split())
LEFT_WORD = re.compile(r"(?:^|(?<=\s))([^\s,;:，；：\ue000\ue001]+) $")


def placeholder(kind: str, index: int) -> str:
    """What stands for literal ``index`` in the masked text; never a word or a number."""
    return f"\ue000{kind}{index}\ue001"


def mask_quotes(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The text with quoted strings replaced, and the literals: ("q", text) or ("f", name)."""
    literals: list[tuple[str, str]] = []
    out: list[str] = []
    i = 0
    while i < len(text):
        end = _closing(text, i)
        if end is None:
            out.append(text[i])
            i += 1
            continue
        literals.append(("q", text[i + 1:end]))
        out.append(placeholder("q", len(literals) - 1))
        i = end + 1
    return "".join(out), literals


def _closing(text: str, i: int) -> int | None:
    """Where the quote opened at ``i`` closes; None if no quote opens there."""
    char = text[i]
    if char in PAIRED:
        depth = 0
        for j in range(i, len(text)):
            depth += (text[j] == char) - (text[j] == PAIRED[char])
            if depth == 0:
                return j
        return None
    if char not in STRAIGHT or not _can_open(text, i):
        return None
    depth, last = 1, None
    for j in range(i + 1, len(text)):
        if text[j] != char:
            continue
        if _can_close(text, j):
            depth, last = depth - 1, j
        elif _can_open(text, j):
            depth += 1
        if depth == 0:
            return j
    return last  # unbalanced: the last possible closer


def _can_open(text: str, i: int) -> bool:
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in OPEN_AFTER or bool(CJK.match(before))) and \
        not after.isspace()


def _can_close(text: str, j: int) -> bool:
    before = text[j - 1]
    after = text[j + 1] if j + 1 < len(text) else " "
    return not before.isspace() and (after.isspace() or after in CLOSE_BEFORE + STRAIGHT
                                     or bool(CJK.match(after)))


def quoted_file(text: str) -> str | None:
    """The file name a quoted text is, if it looks like one."""
    return text.strip() if FILE_NAME.fullmatch(text.strip()) else None


def mask_files(text: str, literals: list[tuple[str, str]], stops: frozenset[str],
               intro: str) -> str:
    """The text with unquoted file names replaced by ("f", name) literals."""
    out, done = [], 0
    for match in FILE_RUN.finditer(text):
        start = match.start() + _trim(match.group())
        introduced = _after_intro(text, start, intro)
        start = introduced if introduced is not None else _extend_left(text, start, stops)
        if start < done:
            continue
        literals.append(("f", text[start:match.end()].rsplit("/", 1)[-1]))
        out += [text[done:start], placeholder("f", len(literals) - 1)]
        done = match.end()
    return "".join(out) + text[done:]


def _trim(run: str) -> int:
    """How much of a run's start cannot belong to the name: an unbalanced "(", or Chinese
    words glued before a Latin name ("音频a.mp3"), or known words before a Chinese one
    ("换成日落.mp3")."""
    start = 1 if run[0] in "(（" and not {")", "）"} & set(run) else 0
    stem = run[start:run.rindex(".")]
    glued = [m.end() for m in CJK.finditer(stem)]
    if glued and glued[-1] < len(stem):
        return start + glued[-1]
    lead = ZH_LEAD.match(stem)
    return start + lead.end() if lead and lead.end() < len(stem) else start


def _after_intro(text: str, start: int, intro: str) -> int | None:
    """Where the name starts when an introducer stands a few plain words before it."""
    if not intro:
        return None
    match = re.search(rf"(?:{intro}) ((?:[^\s,;:\ue000\ue001]+ ){{0,4}})$", text[:start],
                      re.IGNORECASE)
    if not match or BREAKS & {word.lower() for word in match[1].split()}:
        return None  # "swap the watermark for b.png": "for" is no part of a name
    return match.start(1)


def _extend_left(text: str, start: int, stops: frozenset[str]) -> int:
    """A capitalized word mid-sentence belongs to the name even if it is a stop word:
    ``the uploaded audio My Song.mp3`` but ``Remove song.mp3``."""
    for _ in range(4):
        match = LEFT_WORD.search(text[:start])
        if not match:
            break
        word = match[1]
        stop = word.lower() in stops and (word.islower() or not text[:match.start(1)].strip())
        if stop or CJK.search(word) or word.endswith(".") or word.isdigit():
            break
        start = match.start(1)
    return start
