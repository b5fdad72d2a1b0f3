"""Draft dialects: ``/state`` spells the draft classic, camel or opaque; an export of the draft as
read renders a real MP4 in every dialect; opaque hides what is not documented."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from lapsefile.emulator import dialects
from lapsefile.emulator import draft as drafts
from lapsefile.emulator.dialect_tables import DIALECTS
from lapsefile.emulator.server import EmulatorServer
from lapsefile.engine.probe import probe
from lapsefile.engine.testing import make_logo

from .helpers import Api, build_draft, instructions, make_photos, make_project, make_tone

Start = Callable[..., EmulatorServer]
DOCUMENTED_TYPES = {0, 1, 7}
GUESSABLE = {"text", "textContent", "content", "caption", "title", "label", "value", "string",
             "kind", "type", "name", "start", "end", "startTime", "endTime", "startMs",
             "format", "position", "color", "volume"}


def _segments(draft: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for track in draft["t"]:
        yield from track["sg"]


def _keys(value: Any) -> set[str]:
    """Every key at any depth."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


@pytest.mark.parametrize("name", sorted(DIALECTS))
def test_every_dialect_reads_back_to_the_internal_draft(name: str) -> None:
    draft = build_draft()
    shown = dialects.present(draft, name)
    assert shown != draft
    assert dialects.shape_of(shown) == name
    assert dialects.decode(json.loads(json.dumps(shown)), DIALECTS[name]) == draft
    assert dialects.read(shown, {}) == draft  # decoded: nothing was served


def test_a_served_presentation_reads_back_exactly_even_where_decoding_would_round() -> None:
    draft = build_draft()
    draft["t"][1]["sg"][0]["size"] = 0.123456789123  # camel keeps 6 decimals of a percentage
    shown = dialects.present(draft, "camel")
    assert dialects.read(shown, {})["t"][1]["sg"][0]["size"] == 0.12345679
    served = {dialects.digest(shown): draft}
    back = dialects.read(json.loads(json.dumps(shown)), served)
    assert back == draft and back is not draft  # a copy: rendering cannot touch the session


def test_classic_is_the_internal_draft_itself() -> None:
    draft = build_draft()
    assert dialects.present(draft, "classic") is draft
    assert dialects.read(draft, {}) is draft


@pytest.mark.parametrize("name", ["classic", *sorted(DIALECTS)])
def test_the_documented_facts_hold_in_every_dialect(name: str) -> None:
    draft = build_draft()
    shown = dialects.present(draft, name)
    assert shown["d"] == draft["d"] == 4000 and drafts.is_ready(shown)
    types = [track["tt"] for track in shown["t"]]
    assert types[:4] == [0, 7, 7, types[3]] and types[4] == 1
    assert types[3] not in DOCUMENTED_TYPES or name == "classic"
    assert all(track["sg"] for track in shown["t"])


def test_camel_spellings_and_units() -> None:
    shown = dialects.present(build_draft(), "camel")
    video, title, stamp, logo, music = shown["t"]
    assert shown["m"] == {"title": "p", "width": 64, "height": 36, "aspectRatio": "16:9",
                          "fitMode": "cover", "frameRate": 10.0}
    assert video["meta"]["antiFlicker"] == {"windowSize": 5, "method": "am"}
    assert video["sg"][1]["startMs"] == 2000 and video["sg"][1]["durationMs"] == 2000
    assert title["sg"][0] == {
        "type": "text", "segmentId": "title-1-1", "startMs": 0, "durationMs": 3000,
        "textContent": "Sunset", "anchor": "center", "fontSizePct": 8.0, "fontColor": "white",
        "background": {"enabled": True, "color": "black@0.4"}, "fadeInSec": 0.5,
        "fadeOutSec": 0.5}
    assert (stamp["sg"][0]["type"], stamp["sg"][0]["anchor"]) == ("datetime", "bottomRight")
    assert (logo["tt"], logo["sg"][0]["widthPct"], logo["sg"][0]["opacityPct"]) == (2, 10.0,
                                                                                    100.0)
    assert (music["sg"][0]["vol"], music["sg"][0]["loop"], music["sg"][0]["fadeOutSec"]) == (
        35.0, False, 1.0)


def test_opaque_hides_the_text_but_not_the_documented_facts() -> None:
    shown = dialects.present(build_draft(), "opaque")
    assert shown["m"] == {"title": "p"}  # no width or height: canvas_config has them
    segment_keys = set().union(*(_keys(s) for s in _segments(shown)))
    assert not segment_keys & GUESSABLE
    texts = [s for s in _segments(shown) if "Sunset" in json.dumps(s)]
    assert len(texts) == 1 and set(texts[0]) == {"tr", "p", "o"}
    text_tracks = [t for t in shown["t"] if t["tt"] == 7]
    assert len(text_tracks) == 2  # a title and the timestamp, which cannot be told apart
    assert {frozenset(t) for t in text_tracks} == {frozenset({"k", "tt", "sg"})}
    assert "Sunset" not in drafts.summary(build_draft(), reveal=False)
    assert drafts.summary(build_draft(), reveal=False).startswith(
        "Timeline (5 tracks): 1. Video track (0-4s) 2. Text track (0-3s)")


def _full_session(server: EmulatorServer, tmp_path: Path) -> Api:
    api = Api(server.url or "")
    api.login()
    api.new_session()
    photos = make_photos(tmp_path / "photos", 4)
    api.upload(photos + [make_logo(tmp_path / "assets" / "logo.png"),
                         make_tone(tmp_path / "assets" / "tone.wav", seconds=1.0)])
    for instruction in instructions(make_project(tmp_path, photos, fps=8, duration=1.0)):
        api.send(instruction.text)
    return api


def _render(api: Api, render_id: str, draft: Any, tmp_path: Path) -> Path:
    assert api.export(render_id, draft=draft).status_code == 200
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        data = api.render_status(render_id).json()
        if data["status"] in ("completed", "failed"):
            break
        time.sleep(0.05)
    assert data["status"] == "completed", data
    path = tmp_path / f"{render_id}.mp4"
    path.write_bytes(httpx.get(data["output"]["url"]).content)
    return path


@pytest.mark.parametrize("name", ["classic", "camel", "opaque"])
def test_a_draft_as_read_from_state_exports_in_every_dialect(start_emulator: Start,
                                                             tmp_path: Path, name: str) -> None:
    server = start_emulator(draft_dialect=name)
    api = _full_session(server, tmp_path)
    state = api.state().json()["data"]["state"]
    internal = server.state.sessions[api.session_id or ""].draft
    assert state["draft"] == dialects.present(internal, name)
    assert (state["canvas_config"]["width"], state["canvas_config"]["height"]) == (64, 36)
    assert ("Sunset" in state["summary"]) == (name != "opaque")
    sent = json.loads(json.dumps(state["draft"]))  # exactly as a client read it
    info = probe(_render(api, f"render_{name}", sent, tmp_path))
    assert (info.width, info.height, info.frame_count) == (64, 36, 8)
    assert info.audio_codec == "aac"
    assert server.state.renders[f"render_{name}"].draft == internal


def test_an_edited_camel_draft_is_decoded_field_by_field(start_emulator: Start,
                                                         tmp_path: Path) -> None:
    server = start_emulator(draft_dialect="camel")
    api = _full_session(server, tmp_path)
    draft = api.draft()
    title = next(s for s in _segments(draft) if s["type"] == "text")
    title["textContent"], title["durationMs"] = "Edited", 500
    path = _render(api, "render_edited", draft, tmp_path)
    assert probe(path).frame_count == 8
    rendered = server.state.renders["render_edited"].draft
    segment = next(s for s in _segments(rendered) if s["kind"] == "text")
    assert (segment["text"], segment["start"], segment["end"]) == ("Edited", 0, 500)


def test_the_control_endpoint_shows_the_internal_draft(start_emulator: Start,
                                                       tmp_path: Path) -> None:
    server = start_emulator(draft_dialect="opaque")
    api = _full_session(server, tmp_path)
    snapshot = httpx.get(server.url + "/_emulator/state").json()
    assert snapshot["sessions"][0]["draft"]["t"][1]["sg"][0]["text"] == "Sunset"
    assert "p" in api.draft()["t"][1]["sg"][0]
