"""Envelope discipline: a business error inside an HTTP 200 is the same error as its
HTTP-status twin, for JSON answers and for the first event of a stream."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from lapsefile.backends.nemo.client import NemoClient
from lapsefile.backends.nemo.settings import NemoOptions
from lapsefile.errors import OutOfCredits, SessionNotFound, UnsupportedFile

from .helpers import read_lock, run


def _finished(emulator, project: Path) -> None:
    assert (project.parent / "out" / "main.mp4").is_file()
    assert len(emulator.completed_renders()) >= 1
    applied = [(c["session_id"], c["instruction"]) for c in emulator.calls("run_sse")
               if c.get("outcome") == "applied"]
    assert len(applied) == len(set(applied))  # no instruction applied twice in one session


@pytest.mark.parametrize("statuses", ["ok", "mapped"])
def test_an_expired_token_on_a_state_read_is_renewed_not_read_as_an_empty_timeline(
        start_emulator, project, statuses):
    emulator = start_emulator(error_statuses=statuses,
                              faults=[{"endpoint": "state", "call": 3, "code": 1001}])
    started = time.monotonic()
    run(project, emulator)
    assert time.monotonic() - started < 180
    _finished(emulator, project)
    refused = [c for c in emulator.calls() if c["code"] == 1001]
    assert refused and all(c["status"] == (200 if statuses == "ok" else 401) for c in refused)
    assert len(emulator.calls("token")) == 2
    steps = read_lock(project)["outputs"]["main"]["steps"]
    assert not any(r.get("corrective") for r in steps.values())  # nothing paid for twice


def test_a_session_lost_at_render_start_is_rebuilt_not_polled(start_emulator, project):
    emulator = start_emulator(error_statuses="ok",
                              faults=[{"endpoint": "render", "call": 1, "code": 1002}])
    started = time.monotonic()
    run(project, emulator)
    assert time.monotonic() - started < 180
    _finished(emulator, project)
    session = read_lock(project)["outputs"]["main"]["steps"]["main/session"]
    assert session["replaced"] and session["rebuild"]["state"] == "done"
    assert len(emulator.calls("render_status")) < 50  # no polling of a render never started


@pytest.mark.parametrize("call", [1, 11], ids=["an-upload", "the-attach"])
def test_a_refused_upload_stops_clearly_and_the_next_run_finishes_without_force(
        start_emulator, project, call):
    emulator = start_emulator(error_statuses="ok",
                              faults=[{"endpoint": "upload", "call": call, "code": 4001}])
    with pytest.raises(UnsupportedFile) as caught:
        run(project, emulator)
    assert "accepted types" in (caught.value.hint or "")
    record = read_lock(project)["outputs"]["main"]["steps"]["main/upload"]
    assert record["status"] == "failed"  # never recorded done
    emulator.faults([])
    run(project, emulator)
    _finished(emulator, project)


def _client(handler) -> NemoClient:
    options = NemoOptions.from_mapping({"api_url": "http://svc", "rate_limit_wait": 0,
                                        "retry_backoff": 0}, env={})
    return NemoClient(options, transport=httpx.MockTransport(handler),
                      env={"NEMO_TOKEN": "nmv_usr_secret"}, sleep=lambda s: None)


def test_a_stream_whose_first_event_is_an_error_is_that_error():
    def handler(request: httpx.Request) -> httpx.Response:
        body = b'data: {"code": 1002, "msg": "session 7 not found"}\n\n'
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    with _client(handler) as client, pytest.raises(SessionNotFound) as caught:
        client.open_instruction("7", "Add the title")
    assert "session 7 not found" in str(caught.value)


def test_a_stream_that_starts_normally_loses_nothing_to_the_check():
    events = [{"type": "heartbeat"}, {"type": "text", "content": "Done!"}]
    body = "".join(f"data: {json.dumps(e)}\n\n" for e in events).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        # Streamed in awkward pieces, so the check reads across chunks before giving them back.
        pieces = iter([body[i:i + 7] for i in range(0, len(body), 7)])
        return httpx.Response(200, headers={"content-type": "text/event-stream"},
                              content=pieces)

    with _client(handler) as client:
        response = client.open_instruction("7", "Add the title")
        assert not response.is_stream_consumed
        assert list(response.iter_lines()) == body.decode().split("\n")[:-1]


def test_a_streamed_error_event_read_in_pieces_is_that_error():
    body = b'data: {"code": 1002,\ndata:  "msg": "gone"}\n\n'

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"},
                              content=iter([body[:5], body[5:20], body[20:]]))

    with _client(handler) as client, pytest.raises(SessionNotFound):
        client.open_instruction("7", "Add the title")


@pytest.mark.parametrize("body", [{"code": 4001, "msg": "bad type"},
                                  {"success": False, "message": "bad type"}])
def test_json_answers_are_checked_whatever_the_status(body):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=body)

    with _client(handler) as client, pytest.raises(Exception) as caught:
        client.attach_urls("7", ["http://cdn/x.jpg"])
    assert "bad type" in str(caught.value)


def test_an_error_code_in_a_render_status_stops_polling_at_once(start_emulator, project):
    emulator = start_emulator(error_statuses="ok", render_delay=0.5, render_steps=8,
                              faults=[{"endpoint": "render_status", "call": 2, "code": 2001}])
    with pytest.raises(OutOfCredits):
        run(project, emulator, render_poll_interval=0.05)
    assert len(emulator.calls("render_status")) == 2  # the refused poll was the last
    record = read_lock(project)["outputs"]["main"]["steps"]["main/export"]
    assert record["status"] == "failed" and record["render_id"]
