"""The session's draft (timeline) and how the agent's edits change it; the draft dialects.

Internal schema, shown as is by the ``classic`` dialect (times in milliseconds; the documented
short keys on the outside)::

    {"v": 1, "d": 10000,
     "m": {"title": "project", "width": 1920, "height": 1080, "aspect": "16:9", "fit": "cover",
           "fps": 24},
     "t": [
       {"id": "video", "tt": 0, "n": "Video",
        "m": {"source": "photos" | "clip", "fps": 24, "hold": 0.5,
              "deflicker": null | {"size": 5, "mode": "am"}, "blend": 1, "interpolate": false},
        "sg": [{"id": "video-1", "kind": "image" | "video", "name": "IMG_1.jpg", "hash": sha256,
                "src": cdn url, "start": 0, "end": 500}, ...]},
       {"id": "title-1", "tt": 7, "n": "Title",
        "sg": [{"id": "title-1-1", "kind": "text", "text": "Sunset", "start": 0, "end": 3000,
                "position": "center", "size": 0.08, "color": "white", "box": false,
                "box_color": null, "fade_in": 500, "fade_out": 500}]},
       {"id": "timestamp", "tt": 7, "n": "Timestamp",
        "sg": [{"kind": "timestamp", "format": "%Y-%m-%d %H:%M", "position", "size", "color",
                "start": 0, "end": d, "span": "video"}]},
       {"id": "logo", "tt": 3, "n": "Logo",
        "sg": [{"kind": "image", "name", "hash", "src", "position", "scale": 0.15,
                "opacity": 0.8, "start": 0, "end": d, "span": "video"}]},
       {"id": "bgm", "tt": 1, "n": "BGM",
        "sg": [{"kind": "audio", "name", "hash", "src", "volume": 0.35, "offset": 0,
                "fade_in": 1000, "fade_out": 2000, "fit": "loop" | "cut",
                "start": 0, "end": d, "span": "video"}]}]}

Track types: 0 video, 1 audio (music), 7 text (titles and the timestamp), 3 image overlay
(the logo; a "sticker" track). Segments marked ``"span": "video"`` last the whole video and
follow its duration when the timeline changes (so does a title added "until the end").

Dialects (``EmulatorConfig.draft_dialect``, ``--draft-dialect``)
-------------------------------------------------------------
How ``/api/state/.../latest`` spells the draft; the session keeps the internal one. In every
dialect ``t``, ``tt`` 0/1/7 for video/music/text, ``sg`` and ``d`` (ms) are as documented, and
``canvas_config`` has ``width``/``height``/``aspect``/``fit``/``fps``. An export request may
send a draft back exactly as read, in any dialect (:mod:`.dialects` renders the session's
draft for it, or decodes it field by field if the client changed it).

- ``classic`` (default): the internal schema above, byte for byte.
- ``camel``: ``m`` keeps ``title``/``width``/``height`` and has ``aspectRatio``, ``fitMode``,
  ``frameRate``. Tracks: ``trackId``, ``tt`` (the logo on **2**), ``name``; the video track's
  ``meta``: ``sourceType``, ``frameRate``, ``holdSeconds``, ``antiFlicker`` (null or
  ``{"windowSize", "method"}``), ``blendFrames``, ``motionInterpolation``. Every segment:
  ``type`` (``photo``, ``clip``, ``text``, ``datetime``, ``sticker``, ``music``),
  ``segmentId``, ``startMs`` and ``durationMs`` (not an end), ``followVideo: true`` for
  whole-video segments; media ``fileName``, ``fileHash``, ``sourceUrl``. Titles:
  ``textContent``, ``anchor`` (camelCase: ``topLeft``, ``bottomRight``, ``center``),
  ``fontSizePct`` (8.0 for 8%), ``fontColor``, ``background: {"enabled", "color"}``,
  ``fadeInSec``/``fadeOutSec`` (seconds). Timestamp: ``pattern``, ``anchor``, ``fontSizePct``,
  ``fontColor``. Logo: ``anchor``, ``widthPct``, ``opacityPct`` (0-100). Music: ``vol``
  (0-100), ``trimStartMs``, ``fadeInSec``, ``fadeOutSec``, ``loop`` (true/false).
- ``opaque``: only the documented facts are readable. ``m`` has ``title`` alone (the canvas is
  under ``x``: ``w``, ``h``, ``a``, ``f``, ``r``; read ``canvas_config`` instead); the logo is
  on ``tt`` **5**; tracks have ``k`` (an encoded id), ``tt``, ``sg`` and for video ``q``.
  Segments: ``{"tr": {"a": start ms, "b": end ms, "s": 1 if whole-video}, "p": {"x0": sort
  code, "x1".."xb": contents}, "r": {"n", "k", "u"} for media, "o": encoded id}``. A title's
  text is ``p.x1``, next to the timestamp's format: a client can see that text tracks exist but
  not which is which, nor read their text under any name it would guess. The ``summary`` (in
  ``/state`` and tool results) then names only track types: ``3. Text track (0-3s)``.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from ..spec.model import look_names
from . import replies
from .agent import Edit
from .intents import DEFAULTS
from .store import Asset

VIDEO, AUDIO, OVERLAY, TEXT = 0, 1, 3, 7
HIDDEN_NAMES = {VIDEO: "Video", AUDIO: "Audio", TEXT: "Text"}  # the documented track types


class Refusal(Exception):
    """The agent cannot do what was asked: it says so, and the draft stays as it was."""


def empty_draft(title: str) -> dict[str, Any]:
    return {"v": 1, "d": 0, "m": {"title": title}, "t": []}


def is_ready(draft: Any) -> bool:
    """Exportable: at least one track with a segment (as documented)."""
    tracks = draft.get("t") if isinstance(draft, dict) else None
    return isinstance(tracks, list) and any(
        isinstance(t, dict) and isinstance(t.get("sg"), list) and t["sg"] for t in tracks)


def video_track(draft: dict[str, Any]) -> dict[str, Any] | None:
    return next((t for t in draft.get("t", []) if t.get("tt") == VIDEO and t.get("sg")), None)


def apply_edit(draft: dict[str, Any], edit: Edit, assets: Sequence[Asset],
               base_url: str) -> dict[str, Any]:
    """A new draft with ``edit`` applied; raises Refusal (with the agent's words) if it cannot."""
    from . import edits  # it builds on this module's helpers

    new = copy.deepcopy(draft)
    lang, p = edit.language, edit.params
    if edit.kind == "timeline":
        photos = [a for a in assets if a.file_type == "image"]
        wanted = p["photos"] if p.get("photos") is not None else max(1, len(photos))
        if len(photos) < wanted:
            raise Refusal(replies.TOO_FEW_PHOTOS[lang].format(found=len(photos), wanted=wanted))
        _set_video(new, photos[:wanted], p, "photos", base_url)
    elif edit.kind == "clip":
        clip = find_asset(assets, p["filename"], "video", lang)
        _set_video(new, [clip], p, "clip", base_url)
    elif video_track(new) is None:
        raise Refusal(replies.NO_VIDEO[lang])
    elif edit.action != "add":
        edits.change(new, edit, assets, base_url)
    elif edit.kind == "look":
        video_track(new)["m"].update(p)  # type: ignore[index]
    elif edit.kind == "title":
        _add_title(new, p)
    elif edit.kind == "timestamp":
        _put_track(new, "timestamp", TEXT, "Timestamp", {
            "kind": "timestamp", "format": p["format"], "position": p["position"],
            "size": p["size"], "color": p["color"]})
    elif edit.kind == "logo":
        logo = find_asset(assets, p["filename"], "image", lang)
        _put_track(new, "logo", OVERLAY, "Logo", {
            **media_fields(logo, base_url), "kind": "image", "position": p["position"],
            "scale": p["scale"], "opacity": p["opacity"]})
    elif edit.kind == "music":
        audio = find_asset(assets, p["filename"], "audio", lang)
        _put_track(new, "bgm", AUDIO, "BGM", {
            **media_fields(audio, base_url), "kind": "audio", "volume": p["volume"],
            "offset": ms(p["start"]), "fade_in": ms(p["fade_in"]),
            "fade_out": ms(p["fade_out"]), "fit": p["fit"]})
    return new


def summary(draft: dict[str, Any], reveal: bool = True) -> str:
    """``Timeline (3 tracks): 1. Video: 20 photos (0-10s) 2. BGM: a.wav (0-10s, 35%) ...``;
    without ``reveal``, only what the documented facts tell: ``3. Text track (0-3s)``."""
    tracks = [t for t in draft.get("t", []) if t.get("sg")]
    items = []
    for n, track in enumerate(tracks, start=1):
        first, last = track["sg"][0], track["sg"][-1]
        span = f"{_s(first.get('start', 0))}-{_s(last.get('end', 0))}s"
        if not reveal:
            items.append(f"{n}. {HIDDEN_NAMES.get(track['tt'], 'Other')} track ({span})")
            continue
        if track["tt"] == VIDEO:
            count = len(track["sg"])
            what = f"{count} photos" if track["m"].get("source") == "photos" else first["name"]
        elif first.get("kind") == "text":
            what = f'"{first["text"]}"'
        elif first.get("kind") == "timestamp":
            what = f'capture time "{first["format"]}"'
        else:
            what = first.get("name", "")
        extra = f", {round(first['volume'] * 100)}%" if "volume" in first else ""
        items.append(f"{n}. {track['n']}: {what} ({span}{extra})")
    return f"Timeline ({len(tracks)} tracks): " + " ".join(items)


def canvas_config(draft: dict[str, Any]) -> dict[str, Any]:
    meta = draft.get("m", {})
    return {key: meta.get(key) for key in ("width", "height", "aspect", "fit", "fps")} | {
        "background": "#000000"}


def _set_video(draft: dict[str, Any], media: Sequence[Asset], p: dict[str, Any], source: str,
               base_url: str) -> None:
    total = ms(p["duration"])
    count = len(media)
    segments = [{**media_fields(asset, base_url), "id": f"video-{i + 1}",
                 "kind": "image" if asset.file_type == "image" else "video",
                 "start": round(i * total / count), "end": round((i + 1) * total / count)}
                for i, asset in enumerate(media)]
    old = video_track(draft)
    look = {k: v for k, v in (old or {}).get("m", {}).items()
            if k in look_names()}
    # A clip shows each of its frames; photos share the duration when no hold was stated.
    hold = p.get("hold", 1 / p["fps"] if source == "clip" else total / 1000 / count)
    track = {"id": "video", "tt": VIDEO, "n": "Video",
             "m": {"source": source, "fps": p["fps"], "hold": hold,
                   **copy.deepcopy(DEFAULTS["look"]), **look},
             "sg": segments}
    draft["t"] = [track] + [t for t in draft["t"] if t.get("tt") != VIDEO]
    draft["d"] = total
    draft["m"].update(width=p["width"], height=p["height"], aspect=p["aspect"], fit=p["fit"],
                      fps=p["fps"])
    for other in draft["t"]:
        for segment in other["sg"]:
            if segment.get("span") == "video":
                segment["end"] = total


def _add_title(draft: dict[str, Any], p: dict[str, Any]) -> None:
    number = 1 + sum(1 for t in draft["t"] if str(t.get("id", "")).startswith("title-"))
    track_id = f"title-{number}"
    whole = {"span": "video"} if p["end"] is None else {}  # "until the end" follows the video
    draft["t"].append({"id": track_id, "tt": TEXT, "n": "Title", "m": {}, "sg": [{
        "id": f"{track_id}-1", "kind": "text", "text": p["text"], "start": ms(p["start"]),
        "end": draft["d"] if p["end"] is None else ms(p["end"]), "position": p["position"],
        "size": p["size"], "color": p["color"], "box": p["box"],
        "box_color": p.get("box_color"), "fade_in": ms(p["fade_in"]),
        "fade_out": ms(p["fade_out"]), **whole}]})


def _put_track(draft: dict[str, Any], track_id: str, kind: int, name: str,
               segment: dict[str, Any]) -> None:
    """Replace (or add) the track ``track_id`` with one whole-video segment."""
    track = {"id": track_id, "tt": kind, "n": name, "m": {}, "sg": [{
        "id": f"{track_id}-1", **segment, "start": 0, "end": draft["d"], "span": "video"}]}
    draft["t"] = [t for t in draft["t"] if t.get("id") != track_id] + [track]


def find_asset(assets: Sequence[Asset], filename: str, kind: str, language: str) -> Asset:
    """The latest upload of ``filename`` (of type ``kind``); a Refusal naming it if none."""
    matches = [a for a in assets if a.filename == filename and a.file_type == kind] or [
        a for a in assets if a.filename.lower() == filename.lower() and a.file_type == kind]
    if not matches:
        raise Refusal(replies.MISSING_FILE[language].format(what=filename))
    return matches[-1]


def media_fields(asset: Asset, base_url: str) -> dict[str, Any]:
    return {"name": asset.filename, "hash": asset.hash, "src": base_url + asset.cdn_path}


def ms(seconds: float) -> int:
    return round(seconds * 1000)


def _s(ms: int) -> str:
    return f"{ms / 1000:g}"
