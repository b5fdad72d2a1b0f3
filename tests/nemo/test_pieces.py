"""The backend's pieces on their own: stream parsing, wording, errors, drafts, intents."""

from __future__ import annotations

import json

import pytest

from lapsefile.backends.nemo import draft as drafts
from lapsefile.backends.nemo.intent import check
from lapsefile.backends.nemo.responses import error_for, render_data
from lapsefile.backends.nemo.settings import DEFAULT_API_URL, NemoOptions, attribution_headers
from lapsefile.backends.nemo.sse import AgentEvent, iter_events
from lapsefile.backends.nemo.stream import StreamReader
from lapsefile.backends.nemo.wording import looks_spurious, translate
from lapsefile.errors import (
    ApiError,
    ApiRequest,
    FileTooLarge,
    OutOfCredits,
    PlanTierError,
    RateLimited,
    SessionNotFound,
    TokenError,
    TransportError,
    UnsupportedFile,
)
from lapsefile.events import Collector


def _lines(*events: str) -> list[str]:
    return "\n".join(events).split("\n")


def test_typed_stream_with_comments_empty_data_and_heartbeats():
    lines = _lines(": keepalive", "", "data:", "", 'data: {"type": "heartbeat"}', "",
                   'data: {"type": "tool_call", "name": "add_text", "args": {}}', "",
                   'data: {"type": "text", "content": "Done."}', "",
                   "event: message", 'data: {"type": "text",', 'data:  "content": "two lines"}',
                   "")
    assert list(iter_events(lines)) == [
        AgentEvent("heartbeat"), AgentEvent("heartbeat"), AgentEvent("heartbeat"),
        AgentEvent("tool_call", name="add_text"), AgentEvent("text", "Done."),
        AgentEvent("text", "two lines")]


def test_framework_stream_and_a_last_event_without_its_blank_line():
    part = {"content": {"parts": [{"text": "Hel"}]}, "partial": True}
    call = {"content": {"parts": [{"functionCall": {"name": "create_timelapse"}}]}}
    answer = {"content": {"parts": [{"functionResponse": {"name": "create_timelapse"}}]}}
    whole = {"content": {"parts": [{"text": "Hello"}]}, "partial": False}
    lines = [f"data: {json.dumps(e)}\n\n" for e in (part, call, answer)]
    lines = "".join(lines).split("\n") + [f"data: {json.dumps(whole)}"]
    assert list(iter_events(lines)) == [
        AgentEvent("text", "Hel", partial=True), AgentEvent("tool_call", name="create_timelapse"),
        AgentEvent("tool_result", name="create_timelapse"), AgentEvent("text", "Hello")]


def test_plain_text_and_newline_delimited_json_are_read_too():
    assert list(iter_events(["data: not json at all", ""])) == [
        AgentEvent("text", "not json at all")]
    assert list(iter_events(['{"type": "text", "content": "ndjson"}'])) == [
        AgentEvent("text", "ndjson")]


def test_fragments_are_shown_once_and_a_late_notice_is_held():
    sink = Collector()
    reader = StreamReader(sink, "s")
    for event in (AgentEvent("text", "Done! ", partial=True), AgentEvent("text", "Click",
                  partial=True), AgentEvent("text", "Done! Click Export."),
                  AgentEvent("text", "Sorry, we ran into a temporary issue.")):
        reader._handle(event)
    shown = [e.data["text"] for e in sink.events if e.kind == "message"]
    assert shown == ["Done! lapsefile exports the video next."]
    assert reader.spoke and reader.held == ["Sorry, we ran into a temporary issue."]
    reader.release_held(sink, "s")
    assert sink.events[-1].data["text"] == "Sorry, we ran into a temporary issue."


@pytest.mark.parametrize("said, shown", [
    ("Click Export to render your video.", "lapsefile exports the video next."),
    ("Please press the 'Download' button.",
     "lapsefile downloads the video when the export finishes."),
    ("You can preview it in the editor.", "lapsefile reads the timeline to check it."),
    ("点击“导出”即可渲染视频。", "lapsefile 接下来会导出视频。"),
    ("I added the title.", "I added the title."),
])
def test_gui_words_become_what_lapsefile_does(said, shown):
    assert translate(said) == shown


def test_spurious_notices_are_recognised():
    assert looks_spurious("Sorry, we ran into a temporary issue. Please try again.")
    assert looks_spurious("抱歉，服务出现临时问题，请稍后重试。")
    assert not looks_spurious("I added the title.")


@pytest.mark.parametrize("status, body, kind, words", [
    (401, {"code": 1001, "msg": "token expired"}, TokenError, "token expired"),
    (200, {"code": 1002, "message": "no session"}, SessionNotFound, "no session"),
    (200, {"code": 2001, "msg": "insufficient"}, OutOfCredits, "register?bind=anon_1"),
    (415, {"code": 4001}, UnsupportedFile, "accepted types: mp4"),
    (413, {"code": 4002}, FileTooLarge, "500 MB"),
    (402, {"message": "blocked"}, PlanTierError, "not about credits"),
    (429, None, RateLimited, "HTTP 429"),
    (503, None, TransportError, "HTTP 503"),
    (200, {"success": False, "message": "odd"}, ApiError, "odd"),
    (409, {"success": False, "code": 4009, "message": "dup"}, ApiError, "error code 4009"),
])
def test_error_codes_map_to_errors_with_their_text(status, body, kind, words):
    error = error_for(ApiRequest("POST", "/x", status=status), body, anonymous=True,
                      user_id="anon_1")
    assert type(error) is kind and words in str(error)


def test_success_envelopes_are_not_errors_and_render_bodies_unwrap():
    assert error_for(ApiRequest("GET", "/x", status=200), {"code": 0, "data": {}}) is None
    assert render_data({"success": True, "data": {"id": "r"}}) == {"id": "r"}
    assert render_data({"id": "r", "status": "pending"}) == {"id": "r", "status": "pending"}


def test_registered_accounts_are_told_to_top_up():
    error = error_for(ApiRequest("POST", "/run_sse", status=200), {"code": 2001},
                      anonymous=False)
    assert "top up" in str(error) and "register" not in str(error)


def test_options_and_attribution(monkeypatch):
    assert NemoOptions.from_mapping({}, env={}).api_url == DEFAULT_API_URL
    assert NemoOptions.from_mapping({}, env={"NEMO_API_URL": "http://h:1/"}).api_url == \
        "http://h:1"
    opts = NemoOptions.from_mapping({"api_url": "http://o", "poll_interval": 0.5}, env={})
    assert (opts.api_url, opts.render_poll_interval) == ("http://o", 0.5)
    headers = attribution_headers()
    assert headers["X-Skill-Source"] == "lapsefile"
    assert headers["X-Skill-Platform"].count("-") >= 1


DRAFT = {"d": 30000, "m": {"width": 1920, "height": 1080}, "t": [
    {"tt": 0, "m": {"blend": 1}, "sg": [{"kind": "image", "name": f"IMG_{i}.jpg",
                                         "start": i * 150, "end": (i + 1) * 150}
                                        for i in range(200)]},
    {"tt": 1, "sg": [{"kind": "audio", "name": "music.wav", "volume": 0.35, "start": 0,
                      "end": 30000}]},
    {"tt": 7, "sg": [{"kind": "text", "text": "Sunset", "start": 0, "end": 3000}]},
    {"tt": 3, "n": "Logo", "sg": [{"kind": "image", "name": "logo.png", "start": 0,
                                   "end": 30000}]},
    {"tt": 7, "sg": []}]}
TIMELINE = {"duration": 30.0, "fps": 24, "width": 1920, "height": 1080}


def test_timeline_summary_in_the_documented_form():
    assert drafts.summary(DRAFT) == (
        'Timeline (4 tracks): 1. Video: 200 photos (0-30s) 2. BGM: music.wav (0-30s, 35%) '
        '3. Title: "Sunset" (0-3s) 4. Logo: logo.png (0-30s)')
    assert drafts.summary({"t": []}) == "Timeline (empty)"
    assert drafts.is_ready(DRAFT) and not drafts.is_ready({"t": [{"tt": 0, "sg": []}]})


def _verdict(draft, kind, params, timeline=TIMELINE, mode="add"):
    found = check(draft, kind, params, timeline, mode=mode)
    return found.verdict, found.missing or found.unverified


def test_the_draft_is_checked_against_each_intent():
    title = {"text": "Sunset", "start": 0, "end": 3}
    music = {"filename": "music.wav", "volume_pct": 35}
    assert _verdict(DRAFT, "title", title) == ("confirmed", [])
    assert _verdict(DRAFT, "music", music) == ("confirmed", [])
    assert _verdict(DRAFT, "logo", {"filename": "logo.png"}) == ("confirmed", [])
    assert _verdict(DRAFT, "look", {"blend": 1}) == ("confirmed", [])
    assert _verdict(DRAFT, "timeline", {}, {**TIMELINE, "duration": 30.05}) == (
        "confirmed", [])  # within 2 frames


def test_only_documented_facts_prove_an_instruction_missing():
    title = {"text": "Sunset", "start": 0, "end": 3}
    # Documented: d, m.width/height, tt 0/1/7 tracks with segments.
    assert _verdict(DRAFT, "timeline", {}, {**TIMELINE, "duration": 20.0}) == (
        "missing", ["the video lasts 30 s, not 20 s"])
    assert _verdict(DRAFT, "timeline", {}, {**TIMELINE, "width": 1080, "height": 1920}) == (
        "missing", ["the canvas is 1920x1080, not 1080x1920"])
    assert _verdict({"t": []}, "title", title) == (
        "missing", ["there is no video track", "there is no text track"])
    no_text = {**DRAFT, "t": [t for t in DRAFT["t"] if t["tt"] != 7]}
    assert _verdict(no_text, "title", title) == ("missing", ["there is no text track"])
    assert _verdict(no_text, "timestamp", {"format": "%H:%M"})[0] == "missing"
    no_music = {**DRAFT, "t": [t for t in DRAFT["t"] if t["tt"] != 1]}
    assert _verdict(no_music, "music", {"filename": "music.wav"}) == (
        "missing", ["there is no music track"])
    # Undocumented segment fields that disagree are not proof: unverifiable, never missing.
    assert _verdict(DRAFT, "title", {**title, "end": 5}) == (
        "unverifiable", ['the title "Sunset" reads as shown 0-3 s, not 0-5 s'])
    assert _verdict(DRAFT, "title", {**title, "text": "Dusk"}) == (
        "unverifiable", ['the text tracks read "Sunset", not "Dusk"'])
    assert _verdict(DRAFT, "music", {"filename": "music.wav", "volume_pct": 80}) == (
        "unverifiable", ["the music reads as 35% volume, not 80%"])
    assert _verdict(DRAFT, "timestamp", {"format": "%H:%M"}) == (
        "unverifiable", ["no segment of the text tracks reads as a timestamp"])
    assert _verdict(DRAFT, "look", {"blend": 3}) == (
        "unverifiable", ["blend reads as 1, not 3"])
    assert _verdict(DRAFT, "logo", {"filename": "other.png"})[0] == "unverifiable"


def test_other_spellings_are_read_and_unknown_ones_are_unverifiable():
    camel = {"d": 30000, "m": {"width": 1920, "height": 1080}, "t": [
        {"tt": 0, "sg": [{"fileName": "IMG_1.jpg", "startTime": 0, "endTime": 30000}]},
        {"tt": 1, "sg": [{"asset": {"fileName": "music.wav"}, "vol": 35}]},
        {"tt": 7, "sg": [{"timeRange": {"startMs": 0, "durationMs": 3000},
                          "props": {"textContent": "Sunset"}}]}]}
    assert _verdict(camel, "title", {"text": "Sunset", "start": 0, "end": 3}) == (
        "confirmed", [])
    assert _verdict(camel, "music", {"filename": "music.wav", "volume_pct": 35}) == (
        "confirmed", [])
    opaque = {"d": 30000, "t": [{"tt": 0, "sg": [{"q": 1}]}, {"tt": 7, "sg": [{"x": {"y": 1}}]}]}
    verdict, why = _verdict(opaque, "title", {"text": "Sunset", "start": 0, "end": 3})
    assert verdict == "unverifiable"
    assert why == ["the draft states no canvas size", 'the title "Sunset" cannot be read from '
                   "the draft"]


def test_removals_are_checked_by_what_still_shows():
    assert _verdict(DRAFT, "title", {"text": "Sunset"}, mode="remove") == (
        "unverifiable", ['the title "Sunset" still reads on the timeline'])
    assert _verdict(DRAFT, "title", {"text": "Dusk"}, mode="remove") == ("confirmed", [])
    assert _verdict(DRAFT, "music", {"filename": "music.wav"}, mode="remove")[0] == \
        "unverifiable"
