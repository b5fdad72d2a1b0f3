"""How the draft is presented on ``/state`` and read back from an export request: dialects.

The session keeps one internal draft (the ``classic`` dialect, documented in
:mod:`lapsefile.emulator.draft`); a dialect is only a way of spelling it. ``camel`` and
``opaque`` are declared as tables (:mod:`.dialect_tables`) that map each internal field to a
path in the presented draft, both ways. Reading back (:func:`read`): a draft that is exactly a
presentation the session served (same digest) is that session's internal draft; otherwise the
draft's own shape says which dialect to decode (``kind`` in its segments: classic; ``tr``:
opaque; ``startMs``: camel), so edited drafts are decoded field by field.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Path = tuple[str, ...]
Draft = dict[str, Any]


def same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Field:
    key: str  # the internal name
    path: Path  # where the dialect keeps it
    out: Callable[[Any], Any] = same  # internal value -> the dialect's
    back: Callable[[Any], Any] = same  # the dialect's value -> internal


@dataclass(frozen=True)
class Window:
    start: Path
    end: Path
    as_length: bool  # the dialect keeps the segment's duration instead of its end


@dataclass(frozen=True)
class Dialect:
    name: str
    draft: tuple[Field, ...]  # keys of the draft's ``m``, placed anywhere in the draft
    track: tuple[Field, ...]  # a track's own keys (id, tt, n)
    video: tuple[Field, ...]  # keys of the video track's ``m``, placed in the track
    common: tuple[Field, ...]  # every segment's: id, media name/hash/src, span
    window: Window
    tag: Path  # where a segment says what it is
    tags: Mapping[str, str]  # sort of segment -> the dialect's word for it
    segments: Mapping[str, tuple[Field, ...]]  # per sort of segment


# A segment's sort follows from its track type and internal kind (photos and the logo are both
# "image" inside, on different tracks).
SORTS = {(0, "image"): "photo", (0, "video"): "clip", (7, "text"): "text",
         (7, "timestamp"): "timestamp", (3, "image"): "logo", (1, "audio"): "audio"}
KINDS = {sort: kind for (_, kind), sort in SORTS.items()}
NAMES = {"photo": "Video", "clip": "Video", "text": "Title", "timestamp": "Timestamp",
         "logo": "Logo", "audio": "BGM"}


def present(draft: Draft, dialect: str) -> Draft:
    """``draft`` as the ``/state`` endpoint shows it in ``dialect``."""
    if dialect == "classic":
        return draft
    return encode(draft, _table(dialect))


def read(sent: Any, served: Mapping[str, Draft]) -> Any:
    """The internal draft for a draft sent with an export request. ``served``: digest ->
    internal draft of every presentation this session served."""
    known = served.get(digest(sent)) if isinstance(sent, dict) else None
    if known is not None:
        return copy.deepcopy(known)
    shape = shape_of(sent)
    if shape == "classic":
        return sent
    try:
        return decode(sent, _table(shape))
    except (KeyError, TypeError, ValueError, AttributeError):
        return sent  # the renderer will say what it cannot read


def digest(draft: Any) -> str:
    text = json.dumps(draft, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def shape_of(draft: Any) -> str:
    tracks = draft.get("t") if isinstance(draft, dict) else None
    segments = [s for t in tracks or [] if isinstance(t, dict)
                for s in t.get("sg") or [] if isinstance(s, dict)]
    for key, shape in (("kind", "classic"), ("tr", "opaque"), ("startMs", "camel")):
        if any(key in s for s in segments):
            return shape
    return "classic"


def _table(name: str) -> Dialect:
    from .dialect_tables import DIALECTS

    return DIALECTS[name]


def encode(draft: Draft, dialect: Dialect) -> Draft:
    out: Draft = {"v": draft.get("v"), "d": draft.get("d")}
    _put_fields(out, draft.get("m", {}), dialect.draft)
    out["t"] = [_encode_track(track, dialect) for track in draft.get("t", [])]
    return out


def _encode_track(track: Draft, dialect: Dialect) -> Draft:
    out: Draft = {}
    _put_fields(out, track, dialect.track)
    if track.get("tt") == 0:
        _put_fields(out, track.get("m", {}), dialect.video)
    out["sg"] = [_encode_segment(segment, SORTS[(track["tt"], segment["kind"])], dialect)
                 for segment in track.get("sg", [])]
    return out


def _encode_segment(segment: Draft, sort: str, dialect: Dialect) -> Draft:
    out: Draft = {}
    _put(out, dialect.tag, dialect.tags[sort])
    _put_fields(out, segment, dialect.common)
    window = dialect.window
    _put(out, window.start, segment["start"])
    _put(out, window.end, segment["end"] - segment["start"] if window.as_length
         else segment["end"])
    _put_fields(out, segment, dialect.segments[sort])
    return out


def decode(draft: Draft, dialect: Dialect) -> Draft:
    tracks = [_decode_track(track, dialect) for track in draft["t"]]
    return {"v": draft.get("v", 1), "d": draft["d"], "m": _get_fields(draft, dialect.draft),
            "t": tracks}


def _decode_track(track: Draft, dialect: Dialect) -> Draft:
    out = _get_fields(track, dialect.track)
    sorts = {word: sort for sort, word in dialect.tags.items()}
    segments = [_decode_segment(segment, sorts[_get(segment, dialect.tag)], dialect)
                for segment in track["sg"]]
    out.setdefault("n", NAMES[sorts[_get(track["sg"][0], dialect.tag)]] if track["sg"]
                   else "Track")
    out["m"] = _get_fields(track, dialect.video) if out.get("tt") == 0 else {}
    out["sg"] = segments
    return out


def _decode_segment(segment: Draft, sort: str, dialect: Dialect) -> Draft:
    out = {"kind": KINDS[sort], **_get_fields(segment, dialect.common)}
    window = dialect.window
    out["start"] = _get(segment, window.start)
    end = _get(segment, window.end)
    out["end"] = out["start"] + end if window.as_length else end
    out.update(_get_fields(segment, dialect.segments[sort]))
    return out


def _put_fields(target: Draft, source: Mapping[str, Any], fields: tuple[Field, ...]) -> None:
    for field in fields:
        if field.key in source:
            _put(target, field.path, field.out(source[field.key]))


def _get_fields(source: Draft, fields: tuple[Field, ...]) -> Draft:
    return {field.key: field.back(_get(source, field.path)) for field in fields
            if _has(source, field.path)}


def _put(target: Draft, path: Path, value: Any) -> None:
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value


def _get(source: Draft, path: Path) -> Any:
    for key in path:
        source = source[key]
    return source


def _has(source: Any, path: Path) -> bool:
    for key in path:
        if not isinstance(source, dict) or key not in source:
            return False
        source = source[key]
    return True
