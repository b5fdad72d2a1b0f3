"""Does the draft show what an instruction asked for? Three verdicts, by what is knowable.

Only the documented draft facts are hard facts: ``t`` tracks, their ``tt`` type (0 video,
1 audio, 7 text), non-empty ``sg``, ``d`` in milliseconds and ``m`` (``width``, ``height``).
Only they can prove an instruction *missing* (no text track after "add a title"; a duration or
canvas other than asked), and only a proof buys a corrective instruction. Everything else
(segment text, windows, file names, volumes, smoothing flags) is read through plausible
spellings (``draft.py``): when it agrees the check is *confirmed*; when it cannot be found, or
contradicts the intent through an undocumented field, the check is *unverifiable*: the run
warns, records it and goes on.

Style details (position, size, colour, box, fades, opacity) are sent but not checked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ...spec.defaults import default
from ...spec.model import look_names
from . import draft as drafts
from .draft import AUDIO, TEXT, VIDEO, Segment, Track

Verdict = Literal["confirmed", "unverifiable", "missing"]
WINDOW_TOLERANCE = 0.05  # seconds; titles are placed to the millisecond
VOLUME_TOLERANCE = 0.01  # one percentage point


@dataclass
class Findings:
    missing: list[str] = field(default_factory=list)  # proved by documented facts
    unverified: list[str] = field(default_factory=list)  # not readable, or not proof

    @property
    def verdict(self) -> Verdict:
        if self.missing:
            return "missing"
        return "unverifiable" if self.unverified else "confirmed"

    def __iadd__(self, other: Findings) -> Findings:
        self.missing += other.missing
        self.unverified += other.unverified
        return self


def check(draft: Any, kind: str, params: Mapping[str, Any], timeline: Mapping[str, Any] | None,
          state: Mapping[str, Any] | None = None, mode: str = "add") -> Findings:
    """What the draft shows of one instruction, plus the timeline basics every edit must keep."""
    found = drafts.tracks(draft)
    findings = _timeline(draft, found, timeline or {}, state)
    if kind == "timeline":
        return findings
    checker = (_REMOVED if mode == "remove" else _CHECKS).get(kind)
    if checker is not None:
        findings += checker(found, params)
    return findings


def _timeline(draft: Any, found: list[Track], timeline: Mapping[str, Any],
              state: Mapping[str, Any] | None) -> Findings:
    result = Findings()
    if _video(found) is None:
        result.missing.append("there is no video track")
        return result
    want = timeline.get("duration")
    fps = float(timeline.get("fps") or 25)
    if isinstance(want, (int, float)):
        have = drafts.documented_duration(draft)
        target = result.missing
        if have is None:
            have, target = drafts.duration(draft), result.unverified
        if have is None:
            result.unverified.append("the draft states no duration")
        elif abs(have - want) > 2 / fps + 1e-3:
            target.append(f"the video lasts {have:g} s, not {want:g} s")
    width, height = timeline.get("width"), timeline.get("height")
    if width and height:
        size, target = drafts.documented_canvas(draft), result.missing
        if size is None:
            size, target = drafts.canvas({}, state), result.unverified
        if size is None:
            result.unverified.append("the draft states no canvas size")
        elif size != (int(width), int(height)):
            target.append(f"the canvas is {size[0]}x{size[1]}, not {width}x{height}")
    return result


def _title(found: list[Track], p: Mapping[str, Any]) -> Findings:
    result = _needs_track(found, TEXT, "there is no text track")
    if result.missing:
        return result
    wanted = _norm(str(p.get("text", "")))
    texts = [s for s in _segments(found, TEXT) if s.text is not None]
    matches = [s for s in texts if _norm(s.text or "") == wanted]
    if not texts:
        result.unverified.append(f'the title "{p.get("text")}" cannot be read from the draft')
    elif not matches:
        shown = ", ".join(f'"{s.text}"' for s in texts[:3])
        result.unverified.append(f'the text tracks read {shown}, not "{p.get("text")}"')
    else:
        result += _window(matches, p)
    return result


def _window(matches: list[Segment], p: Mapping[str, Any]) -> Findings:
    start, end = float(p.get("start", 0)), p.get("end")
    timed = [s for s in matches if s.timed]
    for segment in timed:
        if abs(segment.start - start) <= WINDOW_TOLERANCE and (
                end is None or abs(segment.end - float(end)) <= WINDOW_TOLERANCE):
            return Findings()
    if not timed:
        return Findings(unverified=[f'the window of "{matches[0].text}" cannot be read'])
    shown = ", ".join(f"{s.start:g}-{s.end:g} s" for s in timed)
    until = f"{float(end):g}" if end is not None else "the end"
    return Findings(unverified=[f'the title "{matches[0].text}" reads as shown {shown}, '
                                f"not {start:g}-{until} s"])


def _timestamp(found: list[Track], p: Mapping[str, Any]) -> Findings:
    result = _needs_track(found, TEXT, "there is no text track for the timestamp")
    if result.missing:
        return result
    stamps = _timestamps(found)
    formats = [s.format for s in stamps if s.format]
    if not stamps:
        result.unverified.append("no segment of the text tracks reads as a timestamp")
    elif formats and p.get("format") not in formats:
        result.unverified.append(f'the timestamp reads as formatted "{formats[0]}", '
                                 f'not "{p.get("format")}"')
    return result


def _logo(found: list[Track], p: Mapping[str, Any]) -> Findings:
    if _named(found, str(p.get("filename", "")), exclude=VIDEO):
        return Findings()
    return Findings(unverified=[f"the logo {p.get('filename')} is not named on the timeline"])


def _music(found: list[Track], p: Mapping[str, Any]) -> Findings:
    result = _needs_track(found, AUDIO, "there is no music track")
    if result.missing:
        return result
    segments = _segments(found, AUDIO)
    named = [s.name for s in segments if s.name]
    filename = str(p.get("filename", ""))
    if not named:
        result.unverified.append("the music track names no file")
    elif filename.lower() not in (n.lower() for n in named):
        result.unverified.append(f"the music track reads as {named[0]}, not {filename}")
    want = p.get("volume_pct")
    volumes = [v for v in (s.volume for s in segments) if v is not None]
    if isinstance(want, (int, float)):
        if not volumes:
            result.unverified.append("the music volume cannot be read")
        elif not any(abs(v - want / 100) <= VOLUME_TOLERANCE for v in volumes):
            result.unverified.append(f"the music reads as {round(volumes[0] * 100)}% volume, "
                                     f"not {want:g}%")
    return result


def _look(found: list[Track], p: Mapping[str, Any]) -> Findings:
    """Each look option the draft states (by its name, as the emulator and the plausible
    readings keep it) against the instruction: numbers equal, anything else on or off alike.
    An option the instruction leaves out is off (its schema default)."""
    video = _video(found)
    meta = video.meta if video else {}
    result = Findings()
    known = [name for name in look_names() if name in meta]
    if not known:
        result.unverified.append("the draft does not state the smoothing settings")
    for name in known:
        wanted, read = p.get(name, default(f"look.{name}")), meta[name]
        if _is_number(wanted) and _is_number(read):
            if read != wanted:
                result.unverified.append(f"{name} reads as {read}, not {wanted}")
        elif bool(read) != bool(wanted):
            result.unverified.append(f"{name} reads as {'on' if read else 'off'}")
    return result


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# Removals: the draft changing is checked by the caller; here, whether the thing still shows.

def _title_gone(found: list[Track], p: Mapping[str, Any]) -> Findings:
    wanted = _norm(str(p.get("text", "")))
    if any(_norm(s.text or "") == wanted for s in _segments(found, TEXT)):
        return Findings(unverified=[f'the title "{p.get("text")}" still reads on the timeline'])
    return Findings()


def _timestamp_gone(found: list[Track], p: Mapping[str, Any]) -> Findings:
    if _timestamps(found):
        return Findings(unverified=["a timestamp still reads on the timeline"])
    return Findings()


def _logo_gone(found: list[Track], p: Mapping[str, Any]) -> Findings:
    if _named(found, str(p.get("filename", "")), exclude=VIDEO):
        return Findings(unverified=[f"the logo {p.get('filename')} is still on the timeline"])
    return Findings()


def _music_gone(found: list[Track], p: Mapping[str, Any]) -> Findings:
    if any(t.type == AUDIO for t in found):
        return Findings(unverified=["the timeline still has a music track"])
    return Findings()


def _look_gone(found: list[Track], p: Mapping[str, Any]) -> Findings:
    return _look(found, {})  # every option off


def _needs_track(found: list[Track], kind: int, problem: str) -> Findings:
    return Findings() if any(t.type == kind for t in found) else Findings(missing=[problem])


def _segments(found: list[Track], kind: int) -> list[Segment]:
    return [s for t in found if t.type == kind for s in t.segments]


def _timestamps(found: list[Track]) -> list[Segment]:
    return [s for s in _segments(found, TEXT)
            if s.kind == "timestamp" or (s.format is not None and s.text is None)]


def _named(found: list[Track], filename: str, exclude: int) -> bool:
    name = filename.lower()
    return any((s.name or "").lower() == name for t in found if t.type != exclude
               for s in t.segments)


def _video(found: list[Track]) -> Track | None:
    return next((t for t in found if t.type == VIDEO), None)


def _norm(text: str) -> str:
    return " ".join(text.split())


Check = Callable[[list[Track], Mapping[str, Any]], Findings]
_CHECKS: dict[str, Check] = {"title": _title, "timestamp": _timestamp, "logo": _logo,
                             "music": _music, "look": _look}
_REMOVED: dict[str, Check] = {"title": _title_gone, "timestamp": _timestamp_gone,
                              "logo": _logo_gone, "music": _music_gone, "look": _look_gone}
