"""Changing, replacing and removing what is already on the timeline (set, replace and remove
edits; adds live in :mod:`.draft`).

An edit changes only what it names: a title whose text changes keeps its window and style. An
edit of something that is not on the timeline (no such title text, another logo file, no music)
raises :class:`~.draft.Refusal`: the agent says so and the draft stays as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from . import draft as drafts
from . import replies
from .agent import Edit
from .store import Asset

Draft = dict[str, Any]
TITLE_TIMES = ("start", "end", "fade_in", "fade_out")


def change(draft: Draft, edit: Edit, assets: Sequence[Asset], base_url: str) -> None:
    """Apply a set, replace or remove ``edit`` to ``draft`` in place."""
    OPERATIONS[edit.kind](draft, edit, assets, base_url)


def _title(draft: Draft, edit: Edit, assets: Sequence[Asset], base_url: str) -> None:
    p, lang = edit.params, edit.language
    tracks = [t for t in draft["t"] if t.get("tt") == drafts.TEXT and t["sg"]
              and t["sg"][0].get("kind") == "text"]
    target = p.get("target")
    if target is not None:
        tracks = [t for t in tracks if _same_text(t["sg"][0]["text"], target)]
    if not tracks:
        raise drafts.Refusal(replies.missing("title", target, lang))
    if target is None and len(tracks) > 1:
        raise drafts.Refusal(replies.WHICH_TITLE[lang].format(count=len(tracks)))
    if edit.action == "remove":
        draft["t"] = [t for t in draft["t"] if all(t is not c for c in tracks)]
        return
    for track in tracks:
        _restyle_title(track["sg"][0], p)


def _restyle_title(segment: dict[str, Any], p: dict[str, Any]) -> None:
    old_length = segment["end"] - segment["start"]
    for key in ("text", "position", "size", "color", "box"):
        if key in p:
            segment[key] = p[key]
    if "box" in p:
        segment["box_color"] = p.get("box_color") if p["box"] else None
    for key in TITLE_TIMES:
        if key in p:
            segment[key] = drafts.ms(p[key])
    if "length" in p:
        segment["end"] = segment["start"] + drafts.ms(p["length"])
    elif "start" in p and "end" not in p and segment["end"] <= segment["start"]:
        segment["end"] = segment["start"] + old_length  # moved, not shortened to nothing
    if {"start", "end", "length"} & p.keys():
        segment.pop("span", None)  # its own window now, not the whole video's
    segment["end"] = max(segment["end"], segment["start"] + 1)


def _same_text(shown: str, named: str) -> bool:
    return shown == named or " ".join(shown.split()).casefold() == " ".join(
        named.split()).casefold()


def _timestamp(draft: Draft, edit: Edit, assets: Sequence[Asset], base_url: str) -> None:
    segment = _only_segment(draft, "timestamp", edit)
    if edit.action == "remove":
        return _drop(draft, "timestamp")
    segment.update({k: v for k, v in edit.params.items()
                    if k in ("format", "position", "size", "color")})


def _logo(draft: Draft, edit: Edit, assets: Sequence[Asset], base_url: str) -> None:
    segment = _only_segment(draft, "logo", edit)
    if edit.action == "remove":
        return _drop(draft, "logo")
    p = edit.params
    if edit.action == "replace":
        new = drafts.find_asset(assets, p["filename"], "image", edit.language)
        segment.update(drafts.media_fields(new, base_url))
    segment.update({k: v for k, v in p.items() if k in ("position", "scale", "opacity")})


def _music(draft: Draft, edit: Edit, assets: Sequence[Asset], base_url: str) -> None:
    segment = _only_segment(draft, "bgm", edit)
    if edit.action == "remove":
        return _drop(draft, "bgm")
    p = edit.params
    if edit.action == "replace":
        new = drafts.find_asset(assets, p["filename"], "audio", edit.language)
        segment.update(drafts.media_fields(new, base_url))
    for key, field in (("start", "offset"), ("fade_in", "fade_in"), ("fade_out", "fade_out")):
        if key in p:
            segment[field] = drafts.ms(p[key])
    segment.update({k: v for k, v in p.items() if k in ("volume", "fit")})


def _look(draft: Draft, edit: Edit, assets: Sequence[Asset], base_url: str) -> None:
    meta = drafts.video_track(draft)["m"]  # type: ignore[index]
    if edit.action == "remove" and all(meta.get(part, off) == off
                                       for part, off in edit.params.items()):
        raise drafts.Refusal(replies.missing("look", None, edit.language))
    meta.update(edit.params)


def _only_segment(draft: Draft, track_id: str, edit: Edit) -> dict[str, Any]:
    """The one segment of ``track_id``, which must show ``target`` when the edit names one."""
    track = next((t for t in draft["t"] if t.get("id") == track_id and t["sg"]), None)
    target = edit.params.get("target")
    named = track is not None and (target is None or edit.kind == "timestamp"
                                   or _same_text(track["sg"][0].get("name", ""), target))
    if not named:
        raise drafts.Refusal(replies.missing(edit.kind, target, edit.language))
    return track["sg"][0]  # type: ignore[index]


def _drop(draft: Draft, track_id: str) -> None:
    draft["t"] = [t for t in draft["t"] if t.get("id") != track_id]


OPERATIONS: dict[str, Callable[[Draft, Edit, Sequence[Asset], str], None]] = {
    "title": _title, "timestamp": _timestamp, "logo": _logo, "music": _music, "look": _look}
