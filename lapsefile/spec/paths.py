"""Document paths: the tuple form used as keys (``("outputs", 0, "size")``) and the text form
users read (``outputs[0].size``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..errors import Location

DocPath = tuple[str | int, ...]


def dotted(path: Iterable[str | int]) -> str:
    """``("outputs", 0, "size")`` -> ``"outputs[0].size"``; the root is ``""``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def nearest(locations: Mapping[DocPath, Location], path: DocPath) -> Location | None:
    """The location of ``path`` or of its nearest ancestor that has one."""
    while True:
        if path in locations:
            return locations[path]
        if not path:
            return None
        path = path[:-1]
