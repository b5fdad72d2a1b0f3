"""Sort orders for photos: natural (IMG_2 before IMG_10), name, capture time, mtime."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Callable, Sequence

from .model import InputFile

_DIGITS = re.compile(r"(\d+)")


def natural_key(relpath: str) -> tuple[tuple[tuple[int, int | str], ...], str]:
    """Split digits from text so numbers compare by value. The raw text comes last as a
    tie-break, which keeps the order total (``IMG_01`` and ``IMG_1`` never compare equal)."""
    parts = _DIGITS.split(relpath)
    key = tuple((0, int(part)) if i % 2 else (1, part.casefold())
                for i, part in enumerate(parts) if part)
    return key, relpath


def _capture_key(item: InputFile) -> tuple[datetime, tuple]:
    # Photos without a capture time sort by their mtime-derived time; ties (burst shots in the
    # same sub-second, or cameras without sub-seconds) are broken by natural name order.
    when = item.captured_at or datetime.fromtimestamp(item.mtime_ns / 1e9)
    return when, natural_key(item.relpath)


def _mtime_key(item: InputFile) -> tuple[int, tuple]:
    return item.mtime_ns, natural_key(item.relpath)


SORTERS: dict[str, Callable[[InputFile], object]] = {
    "natural": lambda f: natural_key(f.relpath),
    "name": lambda f: f.relpath,
    "exif": _capture_key,
    "mtime": _mtime_key,
}


def order(files: Sequence[InputFile], sort: str, every: int = 1) -> tuple[InputFile, ...]:
    ordered = sorted(files, key=SORTERS[sort])  # type: ignore[arg-type]
    return tuple(ordered[::every])
