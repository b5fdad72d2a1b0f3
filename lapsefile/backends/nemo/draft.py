"""Reading the session's draft (timeline): short keys as documented, segment fields tolerated.

Documented: ``t`` tracks, each with ``tt`` (0 video, 1 audio, 7 text) and ``sg`` segments,
``d`` the duration in milliseconds, ``m`` metadata (``width``, ``height``, ...). Segment field
names are not documented, so each fact is looked up under a few plausible names; times are
milliseconds like ``d``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from ...plan.fingerprint import digest as digest  # re-exported: how drafts are compared

VIDEO, AUDIO, TEXT = 0, 1, 7
# Plausible spellings of undocumented segment facts, tried in order; a value may also sit one
# level down (``{"timeRange": {"start": ...}}``, ``{"props": {"text": ...}}``).
_START = ("start", "st", "s", "startTime", "start_time", "startMs", "start_ms", "begin",
          "inPoint", "from")
_END = ("end", "et", "e", "endTime", "end_time", "endMs", "end_ms", "outPoint", "to")
_LENGTH = ("duration", "du", "dur", "durationMs", "duration_ms", "len", "length")
_TEXT = ("text", "tx", "textContent", "text_content", "content", "title", "caption", "value")
_NAME = ("name", "filename", "file_name", "fileName", "assetName", "mediaName", "n")
_SOURCE = ("src", "url", "cdn_url", "cdnUrl", "sourceUrl", "source_url", "source", "path")
_VOLUME = ("volume", "vol", "gain")
_FORMAT = ("format", "fmt", "timeFormat", "time_format", "pattern")
_KIND = ("kind", "type", "segmentType", "segment_type")

@dataclass(frozen=True)
class Segment:
    start: float  # seconds
    end: float  # seconds
    raw: Mapping[str, Any]
    timed: bool = True  # whether start/end were read from the segment (not assumed)

    @property
    def text(self) -> str | None:
        return _first_str(self.raw, _TEXT)

    @property
    def name(self) -> str | None:
        name = _first_str(self.raw, _NAME)
        if name:
            return name
        source = _first_str(self.raw, _SOURCE)
        return PurePosixPath(source.split("?")[0]).name if source else None

    @property
    def kind(self) -> str | None:
        return _first_str(self.raw, _KIND)

    @property
    def format(self) -> str | None:
        return _first_str(self.raw, _FORMAT)

    @property
    def volume(self) -> float | None:
        """A fraction (0.35), whether the draft says 0.35 or 35."""
        value = _first_number(self.raw, _VOLUME)
        if value is None:
            return None
        return value / 100 if value > 1 else value

@dataclass(frozen=True)
class Track:
    type: int | None
    label: str | None
    meta: Mapping[str, Any]
    segments: tuple[Segment, ...]


def tracks(draft: Any) -> list[Track]:
    """Tracks that have segments, in draft order."""
    raw_tracks = draft.get("t") if isinstance(draft, Mapping) else None
    found = []
    for raw in raw_tracks if isinstance(raw_tracks, list) else []:
        if not isinstance(raw, Mapping) or not isinstance(raw.get("sg"), list) or not raw["sg"]:
            continue
        segments = tuple(_segment(s) for s in raw["sg"] if isinstance(s, Mapping))
        kind = raw.get("tt")
        raw_meta = raw.get("m")
        meta = raw_meta if isinstance(raw_meta, Mapping) else {}
        label = raw.get("n") if isinstance(raw.get("n"), str) else None
        found.append(Track(kind if isinstance(kind, int) else None, label, meta, segments))
    return found


def is_ready(draft: Any) -> bool:
    """Exportable, as documented: at least one track with a non-empty ``sg``."""
    return bool(tracks(draft))


def documented_duration(draft: Any) -> float | None:
    """Seconds, from the documented ``d`` only."""
    if isinstance(draft, Mapping) and isinstance(draft.get("d"), (int, float)) and \
            not isinstance(draft.get("d"), bool) and draft["d"] > 0:
        return float(draft["d"]) / 1000
    return None


def duration(draft: Any) -> float | None:
    """Seconds: ``d`` when given, else the end of the last segment that states one."""
    documented = documented_duration(draft)
    if documented is not None:
        return documented
    ends = [s.end for t in tracks(draft) for s in t.segments if s.timed]
    return max(ends) if ends else None


def canvas(draft: Any, state: Mapping[str, Any] | None = None) -> tuple[int, int] | None:
    """(width, height) from the draft's ``m``, else the state's ``canvas_config``."""
    return documented_canvas(draft) or _size_of((state or {}).get("canvas_config"))


def documented_canvas(draft: Any) -> tuple[int, int] | None:
    """(width, height) from the draft's ``m``: the documented place for them."""
    return _size_of(draft.get("m") if isinstance(draft, Mapping) else None)


def _size_of(source: Any) -> tuple[int, int] | None:
    if isinstance(source, Mapping):
        width, height = source.get("width"), source.get("height")
        if isinstance(width, (int, float)) and isinstance(height, (int, float)) and \
                not isinstance(width, bool) and not isinstance(height, bool):
            return int(width), int(height)
    return None


def summary(draft: Any) -> str:
    """``Timeline (3 tracks): 1. Video: 200 photos (0-30s) 2. BGM: music.wav (0-30s, 35%) ...``"""
    found = tracks(draft)
    if not found:
        return "Timeline (empty)"
    items = [f"{n}. {_describe(track)}" for n, track in enumerate(found, start=1)]
    return f"Timeline ({len(found)} track{'s' if len(found) != 1 else ''}): " + " ".join(items)


def _describe(track: Track) -> str:
    first, segments = track.segments[0], track.segments
    timed = [s for s in segments if s.timed]
    span = (f"{_seconds(min(s.start for s in timed))}-{_seconds(max(s.end for s in timed))}s"
            if timed else "times not stated")
    volume = first.volume
    extra = f", {round(volume * 100)}%" if volume is not None else ""
    if track.type == VIDEO:
        label = "Video"
        photos = [s for s in segments if s.kind in ("image", "photo", None)]
        what = (f"{len(segments)} photos" if len(segments) > 1 and len(photos) == len(segments)
                else first.name or f"{len(segments)} clip(s)")
    elif track.type == AUDIO:
        label, what = "BGM", first.name or "audio"
    elif track.type == TEXT and first.text is not None:
        label, what = "Title", f'"{first.text}"'
    elif track.type == TEXT and first.format is not None:
        label, what = "Timestamp", f'capture time "{first.format}"'
    elif track.type == TEXT:
        label, what = "Text", f"{len(segments)} segment(s), contents not readable"
    else:
        label = track.label or f"Track type {track.type}"
        what = first.name or first.text or f"{len(segments)} segment(s)"
    return f"{label}: {what} ({span}{extra})"


def _segment(raw: Mapping[str, Any]) -> Segment:
    start = _first_number(raw, _START)
    end = _first_number(raw, _END)
    if end is None:
        length = _first_number(raw, _LENGTH)
        end = None if length is None else (start or 0.0) + length
    timed = start is not None and end is not None
    return Segment((start or 0.0) / 1000, (end or 0.0) / 1000, raw, timed)


def _lookup(raw: Mapping[str, Any], keys: tuple[str, ...]) -> Iterator[Any]:
    """Values under ``keys`` in the segment, then in the mappings nested one level down."""
    for key in keys:
        if key in raw:
            yield raw[key]
    for nested in raw.values():
        if isinstance(nested, Mapping):
            for key in keys:
                if key in nested:
                    yield nested[key]


def _first_number(raw: Mapping[str, Any], keys: tuple[str, ...]) -> float | None:
    for value in _lookup(raw, keys):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None


def _first_str(raw: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    for value in _lookup(raw, keys):
        if isinstance(value, str) and value:
            return value
    return None


def _seconds(value: float) -> str:
    return f"{round(value, 2):g}"
