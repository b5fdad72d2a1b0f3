"""Injected faults as a client meets them, and the emulator's inspection endpoints."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from lapsefile.emulator.faults import FaultPlan
from lapsefile.emulator.server import EmulatorServer

from .helpers import TIMELINE, TITLE, Api, make_photos, texts

Start = Callable[..., EmulatorServer]


def _faulty(start: Start, tmp_path: Path, rules: str, **config: Any) -> Api:
    server = start(faults=FaultPlan.from_text(rules), **config)
    api = Api(server.url or "")
    api.login()
    api.new_session()
    api.upload(make_photos(tmp_path / "photos", 3))
    return api


def _stream(api: Api, text: str) -> tuple[list[str], Exception | None]:
    """The lines a client got before the stream ended or broke, and how it broke."""
    body = {"app_name": "nemo_agent", "user_id": "me", "session_id": api.session_id,
            "new_message": {"parts": [{"text": text}]}}
    lines: list[str] = []
    try:
        with api.http.stream("POST", "/run_sse", json=body, headers=api.headers()) as answer:
            for line in answer.iter_lines():
                lines.append(line)
    except httpx.HTTPError as exc:
        return lines, exc
    return lines, None


def test_429_on_the_nth_call_to_an_endpoint(start_emulator: Start, tmp_path: Path) -> None:
    api = _faulty(start_emulator, tmp_path,
                  "- {endpoint: upload, call: 2, status: 429, retry_after: 3}")
    photo = make_photos(tmp_path / "more", 1, prefix="X_")
    second, third = api.upload(photo), api.upload(photo)
    assert (second.status_code, second.headers["retry-after"]) == (429, "3")
    assert third.status_code == 200
    uploads = [c for c in api.calls() if c["endpoint"] == "upload"]
    assert [c["status"] for c in uploads] == [200, 429, 200]
    assert uploads[1]["fault"]["status"] == 429


def test_500_on_state_a_number_of_times(start_emulator: Start, tmp_path: Path) -> None:
    api = _faulty(start_emulator, tmp_path, "- {endpoint: state, status: 500, times: 2}")
    assert [api.state().status_code for _ in range(3)] == [500, 500, 200]


def test_the_token_expires_after_n_calls(start_emulator: Start, tmp_path: Path) -> None:
    api = _faulty(start_emulator, tmp_path,
                  "- {endpoint: any, after_calls: 3, code: 1001, times: 1}")
    first, second = api.state(), api.state()  # call 4 of all, then 5
    assert (first.status_code, first.json()["code"]) == (401, 1001)
    assert second.json()["code"] == 1001  # the token is dead, not just one answer
    api.login()  # the same client id may have a new one: its token is no longer live
    assert api.state().json()["code"] == 0


def test_1002_forgets_the_session(start_emulator: Start, tmp_path: Path) -> None:
    api = _faulty(start_emulator, tmp_path, "- {endpoint: state, call: 1, code: 1002}")
    assert api.state().json()["code"] == 1002
    assert api.state().json()["code"] == 1002
    assert api.upload(make_photos(tmp_path / "x", 1)).json()["code"] == 1002


def test_out_of_credits_on_an_instruction(start_emulator: Start, tmp_path: Path) -> None:
    api = _faulty(start_emulator, tmp_path, "- {endpoint: run_sse, instruction: 1, code: 2001}")
    status, lines, body = api.send(TIMELINE)
    assert (status, body["code"], lines) == (200, 2001, [])
    assert api.send(TIMELINE)[0] == 200 and api.draft()["d"] == 1500


def test_a_stream_dropped_before_the_edit(start_emulator: Start, tmp_path: Path) -> None:
    api = _faulty(start_emulator, tmp_path,
                  "- {endpoint: run_sse, instruction: 2, drop: before_apply}",
                  edit_delay=0.2, heartbeat_interval=0.05)
    assert _stream(api, TIMELINE)[1] is None
    lines, error = _stream(api, TITLE)
    assert isinstance(error, httpx.RemoteProtocolError)
    assert not texts(lines)
    time.sleep(0.3)
    assert [t["n"] for t in api.draft()["t"]] == ["Video"]  # lost: never applied
    assert api.credits() == {"available": 99, "frozen": 0, "total": 99}
    turn = [c for c in api.calls() if c["endpoint"] == "run_sse"][1]
    assert (turn["stream"], turn["outcome"], turn["instruction_no"]) == ("dropped", "lost", 2)


def test_a_stream_dropped_after_the_edit(start_emulator: Start, tmp_path: Path) -> None:
    api = _faulty(start_emulator, tmp_path,
                  "- {endpoint: run_sse, instruction: 1, drop: after_apply}")
    lines, error = _stream(api, TIMELINE)
    assert isinstance(error, httpx.RemoteProtocolError) and not texts(lines)
    assert api.draft()["d"] == 1500 and api.credits()["available"] == 99


def test_a_stream_dropped_while_the_agent_goes_on(start_emulator: Start,
                                                  tmp_path: Path) -> None:
    api = _faulty(start_emulator, tmp_path, "- {endpoint: run_sse, drop: mid_work}",
                  edit_delay=1.0, heartbeat_interval=0.05)
    _, error = _stream(api, TIMELINE)
    assert isinstance(error, httpx.RemoteProtocolError)
    assert api.draft()["t"] == []  # not yet...
    deadline = time.monotonic() + 5
    while not api.draft()["t"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert api.draft()["d"] == 1500  # ...but it lands without the client


def test_latency_on_every_call(start_emulator: Start, tmp_path: Path) -> None:
    api = _faulty(start_emulator, tmp_path, "- {endpoint: credits, latency_ms: 150}")
    started = time.monotonic()
    api.credits()
    assert time.monotonic() - started >= 0.15
    delayed = {c["endpoint"]: c["fault"] for c in api.calls()}
    assert delayed["credits"] == [{"endpoint": "credits", "latency_ms": 150.0}]
    assert delayed["upload"] is None


def test_the_call_log(start_emulator: Start, tmp_path: Path) -> None:
    api = _faulty(start_emulator, tmp_path, "")
    api.send(TIMELINE)
    api.state()
    calls = api.calls()
    assert [c["endpoint"] for c in calls] == ["token", "session", "upload", "run_sse", "state"]
    assert [c["seq"] for c in calls] == [1, 2, 3, 4, 5]
    turn = calls[3]
    assert (turn["method"], turn["path"], turn["status"], turn["code"]) == (
        "POST", "/run_sse", 200, 0)
    assert turn["session_id"] == api.session_id and turn["instruction"] == TIMELINE
    assert calls[4]["session_id"] == api.session_id
    assert all(c["session_id"] is None for c in calls[:1])


def test_reset_state_and_faults_endpoints(start_emulator: Start, tmp_path: Path) -> None:
    api = _faulty(start_emulator, tmp_path, "")
    snapshot = api.http.get("/_emulator/state").json()
    assert snapshot["sessions"][0]["assets"] == ["IMG_1.jpg", "IMG_2.jpg", "IMG_3.jpg"]
    assert snapshot["users"][0]["available"] == 100
    bad = api.http.post("/_emulator/faults", content="- {endpoint: nope, status: 500}")
    assert bad.status_code == 400 and "unknown endpoint 'nope'" in bad.json()["error"]
    good = api.http.post("/_emulator/faults", content='[{"endpoint": "state", "status": 503}]')
    assert good.json()["rules"] == [{"endpoint": "state", "status": 503}]
    assert api.state().status_code == 503
    assert api.http.post("/_emulator/reset").json() == {"ok": True}
    assert api.calls() == []
    assert api.http.get("/_emulator/state").json()["sessions"] == []
    assert api.http.get("/api/credits/balance/simple",
                        headers=api.headers()).json()["code"] == 1001  # tokens are gone too
    api.login()
    assert api.state().status_code == 503  # the plan stays, its counters start again


@pytest.mark.parametrize("shape", ["flat", "wrapped"])
def test_injected_errors_on_render_endpoints_use_their_envelope(start_emulator: Start,
                                                                tmp_path: Path,
                                                                shape: str) -> None:
    api = _faulty(start_emulator, tmp_path, "- {endpoint: render_status, code: 4004}",
                  render_shape=shape)
    body = api.render_status("render_x").json()
    assert body["success"] is False and body["code"] == 4004 and body["message"]
