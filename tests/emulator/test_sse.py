"""``/run_sse``: both event shapes, heartbeats, silent closes, spurious messages, credits."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from lapsefile.emulator.server import EmulatorServer

from .helpers import TIMELINE, TITLE, Api, events, instructions, make_photos, make_project, texts


def _ready(server: EmulatorServer, tmp_path: Path, photos: int = 3) -> Api:
    api = Api(server.url or "")
    api.login()
    api.new_session()
    api.upload(make_photos(tmp_path / "photos", photos))
    return api


def test_typed_events_apply_the_edit_and_charge(emulator: EmulatorServer,
                                                tmp_path: Path) -> None:
    api = _ready(emulator, tmp_path)
    status, lines, _ = api.send(TIMELINE)
    assert status == 200
    kinds = [e["type"] for e in events(lines) if e]
    assert kinds == ["tool_call", "tool_result", "text"]
    call = events(lines)[0]
    assert call["name"] == "create_timelapse" and call["args"]["photos"] == 3
    reply = texts(lines)[0]
    assert reply.startswith("Done!") and "Click Export" in reply
    assert [s["name"] for s in api.draft()["t"][0]["sg"]] == ["IMG_1.jpg", "IMG_2.jpg",
                                                              "IMG_3.jpg"]
    assert emulator.state.sessions[api.session_id or ""].draft == api.draft()
    assert api.credits() == {"available": 99, "frozen": 0, "total": 99}


def test_agent_framework_events(start_emulator: Callable[..., EmulatorServer],
                                tmp_path: Path) -> None:
    api = _ready(start_emulator(sse_shape="adk"), tmp_path)
    _, lines, _ = api.send(TIMELINE)
    found = events(lines)
    assert all(e["author"] == "nemo_agent" and "parts" in e["content"] for e in found)
    parts = [next(iter(e["content"]["parts"][0])) for e in found]
    assert parts[:2] == ["functionCall", "functionResponse"]
    assert set(parts[2:]) == {"text"}
    assert found[0]["content"]["parts"][0]["functionCall"]["name"] == "create_timelapse"
    partial = [e["content"]["parts"][0]["text"] for e in found[2:] if e["partial"]]
    final = [e["content"]["parts"][0]["text"] for e in found[2:] if not e["partial"]]
    assert len(final) == 1 and "".join(partial) == final[0]  # fragments, then the whole text


def test_heartbeats_while_the_agent_works(start_emulator: Callable[..., EmulatorServer],
                                          tmp_path: Path) -> None:
    api = _ready(start_emulator(edit_delay=0.5, heartbeat_interval=0.05, keepalive_rate=0.5),
                 tmp_path)
    started = time.monotonic()
    _, lines, _ = api.send(TIMELINE)
    assert time.monotonic() - started >= 0.5
    found = events(lines)
    heartbeats = [e for e in found if e == {"type": "heartbeat"}]
    empty = [e for e in found if e is None]
    comments = [line for line in lines if line.startswith(":")]
    assert len(heartbeats) + len(empty) + len(comments) >= 8
    assert heartbeats and (empty or comments)
    assert found[-1]["type"] == "text"  # and then the stream just ends: no final event


def test_silent_closes_are_reproducible_with_a_seed(
        start_emulator: Callable[..., EmulatorServer], tmp_path: Path) -> None:
    def pattern(seed: int) -> list[bool]:
        api = _ready(start_emulator(seed=seed, silent_close_rate=0.3), tmp_path)
        silent = []
        for n in range(20):
            _, lines, _ = api.send(TITLE.replace("Hello", f"Hello {n}") if n else TIMELINE)
            silent.append(not texts(lines))
            assert not events(lines) or not silent[-1] or all(e is None or e.get("type") ==
                                                              "heartbeat" for e in events(lines))
        titles = [t for t in api.draft()["t"] if t["n"] == "Title"]
        assert len(titles) == 19  # silent or not, every edit was applied
        assert api.credits()["available"] == 80
        return silent

    first, again, other = pattern(7), pattern(7), pattern(8)
    assert first == again
    assert first != other
    assert 2 <= sum(first) <= 12


def test_a_spurious_temporary_issue_follows_a_normal_answer(
        start_emulator: Callable[..., EmulatorServer], tmp_path: Path) -> None:
    api = _ready(start_emulator(spurious_issue_rate=1.0), tmp_path)
    _, lines, _ = api.send(TIMELINE)
    said = texts(lines)
    assert len(said) == 2 and said[0].startswith("Done!") and "temporary issue" in said[1]
    assert api.draft()["d"] == 1500
    turn = [c for c in api.calls() if c["endpoint"] == "run_sse"][-1]
    assert (turn["outcome"], turn["spurious"], turn["silent"]) == ("applied", True, False)


def test_what_it_does_not_understand_costs_nothing_and_changes_nothing(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    api = _ready(emulator, tmp_path)
    _, lines, _ = api.send("Make it look like a movie trailer")
    assert "not sure" in texts(lines)[0]
    assert api.draft()["t"] == [] and api.credits()["available"] == 100
    _, lines, _ = api.send(TIMELINE.replace("3 uploaded", "5 uploaded"))
    assert "only see 3 uploaded photos" in texts(lines)[0]  # a refusal is free too
    assert api.draft()["t"] == [] and api.credits()["available"] == 100


def test_chinese_instructions_get_chinese_answers(emulator: EmulatorServer,
                                                  tmp_path: Path) -> None:
    api = _ready(emulator, tmp_path)
    project = make_project(tmp_path, make_photos(tmp_path / "photos", 3), language="zh",
                           full=False)
    _, lines, _ = api.send(instructions(project)[0].text)
    assert texts(lines)[0].startswith("完成！")


def test_out_of_credits_is_2001_before_any_stream(
        start_emulator: Callable[..., EmulatorServer], tmp_path: Path) -> None:
    api = _ready(start_emulator(initial_credits=2, instruction_cost={"timeline": 2, "title": 1}),
                 tmp_path)
    assert api.send(TIMELINE)[0] == 200
    status, lines, body = api.send(TITLE)
    assert (status, body["code"], lines) == (200, 2001, [])
    assert "credits" in body["msg"]
    assert len(api.draft()["t"]) == 1


def test_credits_are_frozen_while_the_agent_works(
        start_emulator: Callable[..., EmulatorServer], tmp_path: Path) -> None:
    api = _ready(start_emulator(edit_delay=0.6, heartbeat_interval=0.1), tmp_path)
    body = {"app_name": "nemo_agent", "user_id": "me", "session_id": api.session_id,
            "new_message": {"parts": [{"text": TIMELINE}]}}
    with api.http.stream("POST", "/run_sse", json=body, headers=api.headers()) as answer:
        lines = answer.iter_lines()
        next(lines)
        with httpx.Client(base_url=api.http.base_url) as other:
            during = other.get("/api/credits/balance/simple", headers=api.headers()).json()
        list(lines)
    assert during["data"] == {"available": 99, "frozen": 1, "total": 100}
    assert api.credits() == {"available": 99, "frozen": 0, "total": 99}


def test_the_edit_goes_on_when_the_client_hangs_up(
        start_emulator: Callable[..., EmulatorServer], tmp_path: Path) -> None:
    api = _ready(start_emulator(edit_delay=1.0, heartbeat_interval=0.05), tmp_path)
    body = {"app_name": "nemo_agent", "user_id": "me", "session_id": api.session_id,
            "new_message": {"parts": [{"text": TIMELINE}]}}
    with httpx.Client(base_url=api.http.base_url) as short:
        with short.stream("POST", "/run_sse", json=body, headers=api.headers()) as answer:
            next(answer.iter_lines())  # one heartbeat, then leave
    assert api.draft()["t"] == []
    deadline = time.monotonic() + 5
    while not api.draft()["t"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert api.draft()["d"] == 1500 and api.credits()["available"] == 99


@pytest.mark.parametrize("body", [{}, {"session_id": "1"},
                                  {"session_id": "1", "new_message": {"parts": [{"x": 1}]}}])
def test_a_malformed_body_is_422(api: Api, body: dict) -> None:
    api.login()
    answer = api.http.post("/run_sse", json=body, headers=api.headers())
    assert answer.status_code == 422
