"""What reaches a terminal: text from specs, file names and the cloud service, made inert.

A title, a file name or a message from the service may hold escape sequences (ANSI CSI and OSC
sequences recolour text, retitle the window, write the clipboard or hide what follows), other
control characters (a carriage return overwrites the line it is on) or bidi controls (U+202E
shows what follows reversed, so ``txt.exe`` can read as ``exe.txt``). :func:`printable` shows
each such character as a visible escape (``\\x1b``, ``\\u202e``) rather than dropping it: the
terminal acts on none of them (an escape sequence is inert once its ESC is plain text), and
the user still sees that the text holds something odd, and where. Newline and tab stay:
messages span lines and tabs do no harm.

JSON output is text too: ``json.dumps`` escapes C0 controls but, with ``ensure_ascii=False``
(kept so that Chinese instructions stay readable), writes C1 controls and bidi controls as
they are; :func:`json_safe` escapes those as ``\\uXXXX``, which JSON reads back unchanged.

The core never prints: the CLI (``cli/output.py``) passes everything it prints through here.
"""

from __future__ import annotations

import re

# C0 controls but newline and tab, DEL, and C1 controls (U+0080-U+009F: an 8-bit CSI is U+009B).
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
# Bidi controls: the Arabic letter mark, LRM/RLM, the embeddings and overrides (LRE RLE PDF
# LRO RLO) and the isolates (LRI RLI FSI PDI); then the line and paragraph separators, which
# some terminals break lines at and others hide.
_BIDI_AND_SEPARATORS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
UNSAFE = re.compile(f"[{_CONTROLS}{_BIDI_AND_SEPARATORS}]")
# In JSON text C0 controls are already escaped by json.dumps; the rest of UNSAFE is not.
_UNSAFE_IN_JSON = re.compile(f"[\x7f-\x9f{_BIDI_AND_SEPARATORS}]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every character a terminal would act on written as a visible escape."""
    return UNSAFE.sub(_visible, text)


def json_safe(json_text: str) -> str:
    """JSON text (as ``json.dumps`` writes it) with C1 and bidi controls ``\\u``-escaped.

    Only valid on ``json.dumps`` output: there such characters can only stand inside strings,
    where ``\\uXXXX`` means the same character.
    """
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)
