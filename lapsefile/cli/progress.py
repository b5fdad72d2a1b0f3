"""Live progress lines, one per thing followed (an output's step), for ``EventPrinter``.

On a terminal the lines form a block redrawn in place: ``\\r`` back to the start of the line,
and, when the block has more than one line, the ANSI "cursor up" sequence (``ESC [ n A``) to
its first line, so two outputs rendering at once each keep their own line instead of taking
turns on one. Lines are cut to the terminal's width, because a wrapped line would throw the
count of lines to go up off. The block stays open until every line in it is finished or
other text is printed: then the cursor leaves it (what it showed stays in the scrollback)
and lines still going are drawn again below that text at their next update.

Not on a terminal (logs, CI), each line is printed as plain text at most every
``PLAIN_EVERY`` seconds, and once more when it finishes if it was shown before; work that
finishes quickly prints nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from ..terminal import printable

PLAIN_EVERY = 5.0  # seconds between plain lines of one key
UP = "\x1b[{}A"  # ANSI: cursor up n lines


class LiveLines:
    """The open progress lines, keyed; ``write`` prints any other line above them."""

    def __init__(self, stream: TextIO, tty: bool,
                 clock: Callable[[], float] = time.monotonic):
        self.stream, self.tty, self._clock = stream, tty, clock
        self._lines: dict[str, str] = {}
        self._final: set[str] = set()
        self._drawn = 0  # lines of the block on screen; the cursor ends the last one
        self._first: dict[str, float] = {}  # plain mode: when each key was first updated
        self._printed: dict[str, float] = {}  # plain mode: when each key last printed

    def update(self, key: str, text: str, final: bool = False) -> None:
        """Show ``text`` as the line of ``key``; ``final``: the last of it."""
        if self.tty:
            self._lines[key] = text
            if final:
                self._final.add(key)
            self._draw()
            if all(k in self._final for k in self._lines):
                self.close()
            return
        now = self._clock()
        last = self._printed.get(key, self._first.setdefault(key, now))
        if now - last >= PLAIN_EVERY or (final and key in self._printed):
            self._printed[key] = now
            self.write(text)

    def write(self, text: str) -> None:
        """A line of its own (a step, a message), below the block, which it closes."""
        self.close()
        self.stream.write(printable(text) + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Leave the block: the cursor goes below it; finished lines are forgotten."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = 0
        for key in self._final:
            self._lines.pop(key, None)
        self._final.clear()

    def _draw(self) -> None:
        import shutil  # here: output.py imports this module for every command, few draw

        width = max(20, shutil.get_terminal_size((80, 24)).columns - 1)
        back = "\r" + (UP.format(self._drawn - 1) if self._drawn > 1 else "")
        lines = [printable(text)[:width].ljust(width) for text in self._lines.values()]
        # A block that grew by a line draws it below the old last one: "\n" joins them.
        self.stream.write(back + "\n".join(lines))
        self.stream.flush()
        self._drawn = len(lines)
