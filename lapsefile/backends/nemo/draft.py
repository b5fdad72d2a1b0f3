"""Reading the session's draft (timeline): short keys as documented, segment fields tolerated.

Documented: ``t`` tracks, each with ``tt`` (0 video, 1 audio, 7 text) and ``sg`` segments,
``d`` the duration in milliseconds, ``m`` metadata (``width``, ``height``, ...). Segment field
names are not documented, so each fact is looked up under a few plausible names; times are
milliseconds like ``d``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Mapping

from ...plan.fingerprint import digest as digest  # re-exported: how drafts are compared

VIDEO, AUDIO, TEXT = 0, 1, 7
_START = ("start", "st", "s", "startTime", "start_ms", "from")
_END = ("end", "et", "e", "endTime", "end_ms", "to")
_LENGTH = ("duration", "du", "dur", "len")
_TEXT = ("text", "tx", "content", "title")
_NAME = ("name", "filename", "file_name", "n")
_SOURCE = ("src", "url", "cdn_url", "source")


@dataclass(frozen=True)
class Segment:
    start: float  # seconds
    end: float  # seconds
    raw: Mapping[str, Any]

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
        return _first_str(self.raw, ("kind", "type"))


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
        meta = raw.get("m") if isinstance(raw.get("m"), Mapping) else {}
        label = raw.get("n") if isinstance(raw.get("n"), str) else None
        found.append(Track(kind if isinstance(kind, int) else None, label, meta, segments))
    return found


def is_ready(draft: Any) -> bool:
    """Exportable, as documented: at least one track with a non-empty ``sg``."""
    return bool(tracks(draft))


def duration(draft: Any) -> float | None:
    """Seconds: ``d`` when given, else the end of the last segment."""
    if isinstance(draft, Mapping) and isinstance(draft.get("d"), (int, float)) and draft["d"]:
        return float(draft["d"]) / 1000
    ends = [s.end for t in tracks(draft) for s in t.segments]
    return max(ends) if ends else None


def canvas(draft: Any, state: Mapping[str, Any] | None = None) -> tuple[int, int] | None:
    """(width, height) from the draft's ``m``, else the state's ``canvas_config``."""
    for source in (draft.get("m") if isinstance(draft, Mapping) else None,
                   (state or {}).get("canvas_config")):
        if isinstance(source, Mapping):
            width, height = source.get("width"), source.get("height")
            if isinstance(width, (int, float)) and isinstance(height, (int, float)):
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
    span = f"{_seconds(min(s.start for s in segments))}-{_seconds(max(s.end for s in segments))}s"
    volume = first.raw.get("volume")
    extra = f", {round(float(volume) * 100)}%" if isinstance(volume, (int, float)) else ""
    if track.type == VIDEO:
        label = "Video"
        photos = [s for s in segments if s.kind in ("image", "photo", None)]
        what = (f"{len(segments)} photos" if len(segments) > 1 and len(photos) == len(segments)
                else first.name or f"{len(segments)} clip(s)")
    elif track.type == AUDIO:
        label, what = "BGM", first.name or "audio"
    elif track.type == TEXT:
        if first.text is not None:
            label, what = "Title", f'"{first.text}"'
        else:
            fmt = first.raw.get("format")
            label, what = "Timestamp", f'capture time "{fmt}"' if fmt else "text"
    else:
        label = track.label or f"Track type {track.type}"
        what = first.name or first.text or f"{len(segments)} segment(s)"
    return f"{label}: {what} ({span}{extra})"


def _segment(raw: Mapping[str, Any]) -> Segment:
    start = _first_number(raw, _START) or 0.0
    end = _first_number(raw, _END)
    if end is None:
        length = _first_number(raw, _LENGTH)
        end = start + (length or 0.0)
    return Segment(start / 1000, end / 1000, raw)


def _first_number(raw: Mapping[str, Any], keys: tuple[str, ...]) -> float | None:
    for key in keys:
        value = raw.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None


def _first_str(raw: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = raw.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _seconds(value: float) -> str:
    return f"{round(value, 2):g}"
