"""What the preflight found about a file, kept while the file is unchanged.

Every plan asks whether the fonts can draw the text (reading the font's character map with
fontTools, tens of milliseconds) and whether the music is audio (``ffmpeg -i``, a process).
The answers depend on nothing but the file and the question, so they are kept in
``.lapsefile/cache/preflight.json``, keyed by the question, the file's path, size, mtime,
inode and device, and lapsefile's version (``music`` also by the ffmpeg binary's path and
stat: another build may read the file otherwise).

A file changed within ``project.files.RACY_NS`` of the look is not kept (it could change again
within the same mtime tick). A missing, damaged or old-format cache file is ignored and
rewritten; an answer that is not what the question expects is not used.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from .. import __version__
from ..paths import read_cache, write_cache
from ..project.files import RACY_NS

CACHE_NAME = "preflight.json"
FORMAT = 1
_KEPT = 256  # answers kept, the latest: one per font, text and music file a project had


def _stat_key(path: Path | str) -> list[Any] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [str(path), st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev]


class Verdicts:
    """The kept answers of one project, read once, written back if any was added."""

    def __init__(self, root: Path):
        self.root = root
        self.started_ns = time.time_ns()
        self.dirty = False
        self.answers: dict[str, Any] = {}
        raw = read_cache(root, CACHE_NAME)
        try:
            stored = json.loads(raw) if raw is not None else None
        except ValueError:
            stored = None
        if (isinstance(stored, dict) and stored.get("format") == [FORMAT, __version__]
                and isinstance(stored.get("answers"), dict)):
            self.answers = stored["answers"]

    def key(self, question: str, *files: Path | str, extra: Any = None) -> str | None:
        """The key of ``question`` about ``files`` as they are now; None when one cannot be
        read, or changed too recently to keep an answer about."""
        stats = [_stat_key(f) for f in files]
        if any(s is None or s[2] >= self.started_ns - RACY_NS for s in stats):
            return None
        return json.dumps([question, stats, extra], ensure_ascii=False)

    def get(self, key: str | None) -> Any:
        return self.answers.get(key) if key is not None else None

    def put(self, key: str | None, answer: Any) -> None:
        if key is not None and self.answers.get(key) != answer:
            self.answers[key] = answer
            self.dirty = True

    def save(self) -> None:
        """Write the answers back if any was added (keeping only this run's questions would
        drop the other spec's answers in a folder of two: all are kept, they are small)."""
        if self.dirty:
            latest = dict(list(self.answers.items())[-_KEPT:])
            data = {"format": [FORMAT, __version__], "answers": latest}
            write_cache(self.root, CACHE_NAME, json.dumps(data, ensure_ascii=False).encode())
            self.dirty = False
