"""Does the draft show what an instruction asked for? The numbers come from the plan's params.

Every check includes the timeline basics (a video track, the total duration within two frames
of the solved timing, the canvas size), because a later edit must not break them, plus what
the instruction's own kind adds: a title's text and window, the timestamp, the logo file, the
music track and its volume, the look settings where the draft states them.
"""

from __future__ import annotations

from typing import Any, Mapping

from . import draft as drafts
from .draft import AUDIO, TEXT, VIDEO, Track

WINDOW_TOLERANCE = 0.05  # seconds; titles are placed to the millisecond


def problems(draft: Any, kind: str, params: Mapping[str, Any],
             timeline: Mapping[str, Any] | None,
             state: Mapping[str, Any] | None = None) -> list[str]:
    """What differs from the intent, in words; empty when the draft is right."""
    found = drafts.tracks(draft)
    issues = _timeline_problems(draft, found, timeline or {}, state)
    check = _CHECKS.get(kind)
    if check is not None and kind != "timeline":
        issues += check(found, params)
    return issues


def _timeline_problems(draft: Any, found: list[Track], timeline: Mapping[str, Any],
                       state: Mapping[str, Any] | None) -> list[str]:
    video = _video(found)
    if video is None:
        return ["there is no video track"]
    issues = []
    want = timeline.get("duration")
    have = drafts.duration(draft)
    fps = float(timeline.get("fps") or 25)
    if isinstance(want, (int, float)) and have is not None and abs(have - want) > 2 / fps + 1e-3:
        issues.append(f"the video lasts {have:g} s, not {want:g} s")
    size = drafts.canvas(draft, state)
    width, height = timeline.get("width"), timeline.get("height")
    if size and width and height and size != (int(width), int(height)):
        issues.append(f"the canvas is {size[0]}x{size[1]}, not {width}x{height}")
    return issues


def _title(found: list[Track], p: Mapping[str, Any]) -> list[str]:
    text = _norm(str(p.get("text", "")))
    candidates = [s for t in found if t.type == TEXT for s in t.segments
                  if s.text is not None and _norm(s.text) == text]
    if not candidates:
        return [f'there is no title "{p.get("text")}"']
    start, end = float(p.get("start", 0)), p.get("end")
    for segment in candidates:
        if abs(segment.start - start) <= WINDOW_TOLERANCE and (
                end is None or abs(segment.end - float(end)) <= WINDOW_TOLERANCE):
            return []
    shown = ", ".join(f"{s.start:g}-{s.end:g} s" for s in candidates)
    return [f'the title "{p.get("text")}" is shown {shown}, not {start:g}-{float(end):g} s']


def _timestamp(found: list[Track], p: Mapping[str, Any]) -> list[str]:
    for track in found:
        for segment in track.segments:
            if track.type == TEXT and (segment.kind == "timestamp" or "format" in segment.raw):
                return []
    return ["there is no timestamp track"]


def _logo(found: list[Track], p: Mapping[str, Any]) -> list[str]:
    video = _video(found)
    name = str(p.get("filename", "")).lower()
    for track in found:
        if track is video:
            continue
        if any((s.name or "").lower() == name for s in track.segments):
            return []
    return [f"the logo {p.get('filename')} is not on the timeline"]


def _music(found: list[Track], p: Mapping[str, Any]) -> list[str]:
    audio = [t for t in found if t.type == AUDIO]
    if not audio:
        return ["there is no music track"]
    name = str(p.get("filename", "")).lower()
    segments = [s for t in audio for s in t.segments]
    named = [s for s in segments if s.name is not None]
    if named and not any(s.name.lower() == name for s in named):  # type: ignore[union-attr]
        return [f"the music track holds {named[0].name}, not {p.get('filename')}"]
    want = p.get("volume_pct")
    volumes = [s.raw["volume"] for s in segments if isinstance(s.raw.get("volume"), (int, float))]
    if isinstance(want, (int, float)) and volumes and \
            not any(abs(v * 100 - want) <= 1.0 for v in volumes):
        return [f"the music plays at {round(volumes[0] * 100)}% volume, not {want:g}%"]
    return []


def _look(found: list[Track], p: Mapping[str, Any]) -> list[str]:
    video = _video(found)
    meta = video.meta if video else {}
    issues = []
    if "blend" in meta and p.get("blend") is not None and meta["blend"] != p["blend"]:
        issues.append(f"frames are blended by {meta['blend']}, not {p['blend']}")
    if "deflicker" in meta and bool(meta["deflicker"]) != bool(p.get("deflicker")):
        issues.append("deflicker is " + ("on" if meta["deflicker"] else "off"))
    if "interpolate" in meta and bool(meta["interpolate"]) != bool(p.get("interpolate")):
        issues.append("interpolation is " + ("on" if meta["interpolate"] else "off"))
    return issues


def _video(found: list[Track]) -> Track | None:
    return next((t for t in found if t.type == VIDEO), None)


def _norm(text: str) -> str:
    return " ".join(text.split())


_CHECKS = {"title": _title, "timestamp": _timestamp, "logo": _logo, "music": _music,
           "look": _look}
