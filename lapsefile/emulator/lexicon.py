"""The words the emulated agent listens for, as data: one :class:`Lexicon` per language.

The tables themselves live in :mod:`.words_en` and :mod:`.words_zh`; this module holds their
shape and the small search helpers every reader of them needs. Patterns are matched against the
instruction after :mod:`.understand` has masked quoted text, file names and colours, normalized
it (NFKC) and lower-cased its ASCII letters, so they are written in lower case.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

Table = tuple[tuple[str, str], ...]  # (meaning, regular expression), in priority order


@dataclass(frozen=True)
class Lexicon:
    language: str
    kinds: Table  # what an instruction is about: the earliest mention wins
    weak_kinds: Table  # only when no strong kind word appears at all
    verbs: Table  # what to do with it: the earliest verb wins
    weak_verbs: Table  # verbs that lose to any other verb ("use X to replace Y")
    positions: Table  # compound positions first
    fits: Table  # blur before contain before cover: their wordings overlap
    anchors: Mapping[str, Table]  # per kind: words that give the value after them a role
    after: Mapping[str, Table]  # per kind: words that give the value just before them a role
    filler: str  # what may stand between a value and its ``after`` word ("of the frame")
    look_parts: Table  # deflicker, blend, interpolate
    music_fits: Table  # loop or cut the music to the video's length
    negation: str  # put before a look part, it turns the part off
    mode: str  # deflicker mode, one group
    both_fades: str  # "fade in and out over N s": one value for both fades
    colour: str  # the text colour, one group
    box_colour: tuple[str, ...]  # a box and its colour, one group each
    box_on: str
    box_off: str
    colour_names: Mapping[str, str]  # colour words -> ffmpeg colour names
    show_new: str  # "show a ..." adds; "show the ..." changes what is there
    file_stops: frozenset[str]  # words that end a file name with spaces, to its left
    file_intro: str  # words after which everything up to the extension is the file name


def earliest(text: str, table: Table) -> tuple[str, int] | None:
    """(meaning, position) of the table entry that appears first in ``text``."""
    found = [(m.start(), meaning) for meaning, pattern in table
             if (m := re.search(pattern, text))]
    if not found:
        return None
    position, meaning = min(found)
    return meaning, position


def first(text: str, table: Table) -> str | None:
    """The meaning of the first table entry (in table order) found anywhere in ``text``."""
    return next((meaning for meaning, pattern in table if re.search(pattern, text)), None)
