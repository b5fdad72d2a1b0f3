"""Sort orders for photos: natural (IMG_2 before IMG_10), name, capture time, mtime."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

from .model import InputFile

_DIGITS = re.compile(r"\d+")
_WIDTH = 32  # digits: longer numbers (never seen in file names) fall back to text order


def _pad(match: re.Match[str]) -> str:
    return match.group().rjust(_WIDTH, "0")


def natural_key(relpath: str) -> tuple[str, str]:
    """Numbers compare by value (``IMG_2`` before ``IMG_10``), text without case.

    Zero-padding every number to a fixed width turns the comparison into one string compare,
    several times cheaper than tuples of parts at 10,000 photos. The raw text comes last as a
    tie-break, which keeps the order total (``IMG_01`` and ``IMG_1`` never compare equal)."""
    return _DIGITS.sub(_pad, relpath.casefold()), relpath


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
