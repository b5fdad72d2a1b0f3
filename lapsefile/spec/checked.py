"""Specs already read and found valid against the schema, kept so an unchanged one is not read
with YAML nor checked with jsonschema again (together most of a light command's time).

One file per spec in ``.lapsefile/cache/`` (``spec-<digest of its path>.json``) holds:

- ``key``: what the reading depends on: the spec's text, the name messages give it (positions
  carry it), this cache's format and lapsefile's version (which fixes the schema,
  ``schema_file.SUPPORTED_VERSION`` and the schema's text included);
- ``libraries``: the files of the YAML reader and the schema checker (``READERS``) with their
  stat, found without importing them: another version installed is read and checked with
  afresh;
- ``document``: the data and positions the YAML reader made of that text;
- ``checked``: the digest of the data as checked against the schema, ``${VAR}``s replaced:
  it holds the environment values the spec uses, so another value of a variable it names is
  checked again, while a change to any other variable is not.

Only a spec that read without a problem and passed the schema without one is kept. The
checks that look at the disk (``semantic.py``: music, fonts, output paths) and normalizing
run every time: they are cheap and their answer may change while the text does not. A file
that is missing, damaged, of another format or for other text is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from .. import __version__
from ..disk_looks import package_files, rows_hold, stat_row
from ..errors import Location
from ..paths import read_cache, write_cache
from .document import Document
from .paths import DocPath
from .schema_file import SUPPORTED_VERSION, schema_text

FORMAT = 2  # bump when what is stored changes
READERS = ("yaml", "jsonschema", "referencing")  # what read and checked a kept spec


def _cache_name(spec: Path) -> str:
    return f"spec-{hashlib.sha256(str(spec).encode()).hexdigest()[:16]}.json"


def key(text: str, label: str) -> str:
    """What reading ``text`` depends on besides the code (see the module docstring)."""
    parts = json.dumps([FORMAT, __version__, SUPPORTED_VERSION, schema_digest(), label, text])
    return hashlib.sha256(parts.encode("utf-8", "surrogatepass")).hexdigest()


def data_digest(data: Any) -> str | None:
    """The digest of ``data`` as JSON, or None when JSON would not give it back as it is
    (a key that is not text, a NaN): such a spec is not kept."""
    try:
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        return None
    if json.loads(text) != data:
        return None
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Known(NamedTuple):
    """A spec read before: its document, and the digest of the data that passed the schema."""

    document: Document
    checked: str


def load(spec: Path, text: str, label: str) -> Known | None:
    """What is kept for ``spec`` when it was read from this very ``text``; else None."""
    raw = read_cache(spec.parent, _cache_name(spec))
    if raw is None:
        return None
    try:
        stored = json.loads(raw)
        if not isinstance(stored, dict) or stored.get("key") != key(text, label):
            return None
        if not isinstance(stored["checked"], str) or not rows_hold(stored["libraries"]):
            return None
        return Known(_document(stored["document"], label), stored["checked"])
    except (ValueError, TypeError, KeyError, IndexError):
        return None  # damaged or hand-edited: read afresh and written again


def save(spec: Path, text: str, label: str, document: Document, checked: str) -> None:
    """Keep ``document`` and the digest of the data found valid (``checked``)."""
    if data_digest(document.data) is None:
        return
    libraries = [[path, stat_row(path)] for path in package_files(READERS)]
    stored = {"key": key(text, label), "checked": checked, "libraries": libraries, "document": {
        "data": document.data,
        "values": [[list(p), loc.line, loc.col] for p, loc in document.values.items()],
        "keys": [[list(p), loc.line, loc.col] for p, loc in document.keys.items()],
        "plain": [list(p) for p in document.plain],
        "written": [[list(p), text] for p, text in document.written.items()]}}
    write_cache(spec.parent, _cache_name(spec), json.dumps(stored).encode("utf-8"))


def _document(stored: dict[str, Any], label: str) -> Document:
    """The Document ``save`` wrote; ValueError or TypeError for anything else."""
    def path(items: Any) -> DocPath:
        if not isinstance(items, list) or not all(
                type(item) in (str, int) for item in items):
            raise ValueError("not a document path")
        return tuple(items)

    def located(rows: Any) -> dict[DocPath, Location]:
        found = {}
        for items, line, col in rows:
            if type(line) is not int or type(col) is not int:
                raise ValueError("not a position")
            found[path(items)] = Location(label, line, col)
        return found

    written = {path(items): text for items, text in stored["written"]}
    if not all(isinstance(text, str) for text in written.values()):
        raise ValueError("not written text")
    return Document(stored["data"], located(stored["values"]), located(stored["keys"]),
                    {path(items) for items in stored["plain"]}, written)


@lru_cache(maxsize=1)
def schema_digest() -> str:
    """The schema's text, hashed: kept verdicts are of this schema only (an edited schema in
    a source checkout does not change lapsefile's version)."""
    return hashlib.sha256(schema_text().encode("utf-8")).hexdigest()
