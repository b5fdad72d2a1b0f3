"""Each documented error code and injected fault: survived as documented, or a clear message,
exit code 1, and a lock that is still valid JSON."""

from __future__ import annotations

import json

import httpx
import pytest
from click.testing import CliRunner

from lapsefile.cli.main import cli
from lapsefile.errors import RateLimited, RemoteStateError
from lapsefile.events import Collector

from .helpers import FRAMES, StopAt, read_lock, run


def _succeeded(emulator, project) -> dict:
    lock = read_lock(project)
    instructions = lock["outputs"]["main"]["settings"]["instructions"]
    assert (project.parent / "out" / "main.mp4").is_file()
    assert len(emulator.completed_renders()) == 1
    return {"lock": lock, "instructions": instructions}


def _cli_run(project, emulator) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["run", str(project), "--api-url", emulator.url])
    lock = project.with_suffix(".lock")
    if lock.exists():  # a run stopped before its first step writes none
        json.loads(lock.read_text())
    assert "Traceback" not in result.output
    return result.exit_code, result.output


SURVIVABLE = {
    "429 on an upload": [{"endpoint": "upload", "call": 2, "status": 429}],
    "500 on state reads": [{"endpoint": "state", "status": 500, "times": 2}],
    "502 sending a file": [{"endpoint": "upload", "call": 3, "status": 502}],
    "503 creating the session": [{"endpoint": "session", "status": 503, "times": 1}],
    "502 polling the render": [{"endpoint": "render_status", "status": 502, "times": 2}],
    "500 starting the render": [{"endpoint": "render", "status": 500, "times": 1}],
    "a failed render": [{"endpoint": "render", "fail_first": 1}],
    "a truncated download": [{"endpoint": "download", "truncate": 0.5, "times": 1}],
    "latency everywhere": [{"endpoint": "any", "latency_ms": 20}],
    "stream dropped after the edit": [{"endpoint": "run_sse", "instruction": 2,
                                       "drop": "after_apply"}],
    "stream dropped while working": [{"endpoint": "run_sse", "instruction": 3,
                                      "drop": "mid_work"}],
}


@pytest.mark.parametrize("faults", SURVIVABLE.values(), ids=SURVIVABLE.keys())
def test_faults_that_are_survived(start_emulator, project, faults):
    emulator = start_emulator(faults=faults, edit_delay=0.02)
    run(project, emulator)
    found = _succeeded(emulator, project)
    assert emulator.applied() == {text: 1 for text in found["instructions"]}
    assert any(c.get("fault") for c in emulator.calls()) or faults[0].get("fail_first")


def test_a_failed_attach_moves_to_a_clean_session(start_emulator, project):
    attach_call = FRAMES + 3  # after the photos, the logo and the music
    emulator = start_emulator(faults=[{"endpoint": "upload", "call": attach_call,
                                       "status": 502}])
    run(project, emulator)
    _succeeded(emulator, project)
    failed = emulator.calls("upload")[attach_call - 1]
    assert failed["status"] == 502
    session = read_lock(project)["outputs"]["main"]["steps"]["main/session"]
    assert session["replaced"] == [failed["session_id"]]  # it may hold part of the files
    assert emulator.calls("upload")[-1]["session_id"] == session["session_id"]


def test_a_failed_render_is_retried_once_with_a_new_id(start_emulator, project):
    emulator = start_emulator(faults=[{"endpoint": "render", "fail_first": 1}])
    run(project, emulator)
    record = read_lock(project)["outputs"]["main"]["steps"]["main/export"]
    ids = [c["render_id"] for c in emulator.calls("render")]
    assert len(ids) == 2 and ids[0] != ids[1]
    assert record["failed_render_ids"] == [ids[0]] and record["render_id"] == ids[1]


def test_a_truncated_download_is_fetched_again(start_emulator, project):
    emulator = start_emulator(faults=[{"endpoint": "download", "truncate": 0.5, "times": 1}])
    events = Collector()
    run(project, emulator, emit=events)
    assert len(emulator.calls("download")) == 2
    assert any("incomplete" in e.data.get("text", "") for e in events.events)


def test_an_edit_lost_with_its_stream_gets_one_corrective_instruction(start_emulator, project):
    emulator = start_emulator(faults=[{"endpoint": "run_sse", "instruction": 2,
                                       "drop": "before_apply"}])
    events = Collector()
    run(project, emulator, emit=events)
    found = _succeeded(emulator, project)
    assert emulator.applied() == {text: 1 for text in found["instructions"]}
    title = found["instructions"][1]
    assert [c["instruction"] for c in emulator.calls("run_sse")].count(title) == 2
    record = found["lock"]["outputs"]["main"]["steps"]["main/instruct-title-1"]
    assert record["corrective"]["instruction"] == "confirmed"
    assert any("corrective" in e.data.get("text", "") for e in events.events)


def test_an_edit_that_never_lands_fails_with_the_timeline(start_emulator, project):
    emulator = start_emulator(faults=[
        {"endpoint": "run_sse", "instruction": n, "drop": "before_apply"} for n in (2, 3)])
    with pytest.raises(RemoteStateError) as caught:
        run(project, emulator)
    message = str(caught.value)
    assert "title-1" in message and "Timeline (1 track): 1. Video: 10 photos" in message
    assert len(emulator.calls("run_sse")) == 3  # the instruction, ONE corrective, no more
    record = read_lock(project)["outputs"]["main"]["steps"]["main/instruct-title-1"]
    assert record["status"] == "failed" and record["corrective"]["instruction"] == "failed"
    assert record["verdict"] == "missing"
    # The next run looks once (free) and stops at once: no polling, no second corrective.
    emulator.faults([])
    calls = len(emulator.calls())
    with pytest.raises(RemoteStateError) as again:
        run(project, emulator, poll_interval=30.0)
    assert "nothing was sent this time" in str(again.value)
    assert "--force --only main" in (again.value.hint or "")
    new = [c["endpoint"] for c in emulator.calls()[calls:] if c["endpoint"] != "credits"]
    assert new == ["state"]  # (balance reads are free: the run reports credits spent)


def test_an_expired_token_is_replaced_once_with_the_same_client_id(start_emulator, project):
    emulator = start_emulator(faults=[{"endpoint": "any", "after_calls": 8, "code": 1001,
                                       "times": 1}])
    run(project, emulator)
    _succeeded(emulator, project)
    refused = [c for c in emulator.calls() if c["code"] == 1001]
    assert refused  # (concurrent uploads may all meet the revoked token: one renewal serves)
    assert len(emulator.calls("token")) == 2
    assert len(emulator.state()["users"]) == 1  # same client id: same anonymous user


@pytest.mark.parametrize("fault", [
    {"endpoint": "run_sse", "instruction": 3, "code": 1002},
    {"endpoint": "state", "call": 6, "code": 1002},
], ids=["lost-before-the-logo", "lost-while-checking"])
def test_a_lost_session_is_rebuilt_from_uploads_and_earlier_instructions(start_emulator,
                                                                          project, fault):
    emulator = start_emulator(faults=[fault])
    events = Collector()
    run(project, emulator, emit=events)
    found = _succeeded(emulator, project)
    session = found["lock"]["outputs"]["main"]["steps"]["main/session"]
    (old,) = session["replaced"]
    assert session["session_id"] != old and session["rebuild"]["state"] == "done"
    replayed = session["rebuild"]["replay"]
    assert replayed and all(session["rebuild"]["journals"][s]["instruction"] == "confirmed"
                            for s in replayed)
    attach = [c for c in emulator.calls("upload") if c["session_id"] == session["session_id"]]
    assert len(attach) == 1  # every upload re-attached by URL in one call, none re-sent
    applied = [(c["session_id"], c["instruction"]) for c in emulator.calls("run_sse")
               if c.get("outcome") == "applied"]
    in_new = [text for sid, text in applied if sid == session["session_id"]]
    in_old = [text for sid, text in applied if sid == old]
    assert in_new == found["instructions"]  # the whole timeline, in order, once
    assert len(set(in_old)) == len(in_old)  # nothing sent twice to the lost session
    # The new session got every instruction, the ones after the loss included (those steps
    # then found their work done instead of sending it again).
    assert replayed == [f"main/instruct-{k}" for k in ("timeline", "title-1", "logo", "music")]
    assert any("rebuilding" in e.data.get("text", "") for e in events.events)
    before = len(emulator.calls())
    assert run(project, emulator).up_to_date and emulator.calls()[before:] == []


def test_a_rebuild_stopped_halfway_is_finished_next_run(start_emulator, project):
    emulator = start_emulator(faults=[{"endpoint": "run_sse", "instruction": 3, "code": 1002}])
    agent_answers = StopAt("message", "main/instruct-logo", 2)  # "rebuilding", then a replay
    with pytest.raises(KeyboardInterrupt):
        run(project, emulator, emit=agent_answers)
    session = read_lock(project)["outputs"]["main"]["steps"]["main/session"]
    assert session["rebuild"]["state"] == "replaying"
    run(project, emulator)
    found = _succeeded(emulator, project)
    session = found["lock"]["outputs"]["main"]["steps"]["main/session"]
    assert session["rebuild"]["state"] == "done"
    in_new = [c["instruction"] for c in emulator.calls("run_sse")
              if c.get("outcome") == "applied" and c["session_id"] == session["session_id"]]
    assert in_new == found["instructions"]


def test_out_of_credits_shows_the_registration_link(start_emulator, project):
    emulator = start_emulator(initial_credits=2)
    code, output = _cli_run(project, emulator)
    user = emulator.state()["users"][0]["user_id"]
    assert code == 1
    assert "out of NemoVideo credits" in output
    assert f"https://nemovideo.com/register?bind={user}" in output
    record = read_lock(project)["outputs"]["main"]["steps"]["main/instruct-logo"]
    assert record["instruction"] == "rejected" and record["status"] == "failed"


def test_out_of_credits_with_a_registered_token_says_top_up(start_emulator, project,
                                                            monkeypatch):
    emulator = start_emulator(initial_credits=1)
    answer = httpx.post(emulator.url + "/api/auth/anonymous-token",
                        headers={"X-Client-Id": "registered-user"}).json()
    monkeypatch.setenv("NEMO_TOKEN", answer["data"]["token"])
    code, output = _cli_run(project, emulator)
    assert code == 1 and "top up" in output and "register?bind" not in output
    assert answer["data"]["token"] not in output


def test_no_credits_at_all_stops_before_uploading(start_emulator, project):
    emulator = start_emulator(initial_credits=0)
    code, output = _cli_run(project, emulator)
    assert code == 1 and "no NemoVideo credits left" in output
    assert emulator.calls("upload") == [] and emulator.calls("session") == []


FATAL = {
    "402 on export": ([{"endpoint": "render", "status": 402}], {},
                      ["plan tier", "not about credits"]),
    "4001 on upload": ([{"endpoint": "upload", "code": 4001}], {},
                       ["does not accept this file type", "accepted types: mp4"]),
    "4002 on upload": ([], {"max_upload_bytes": 200},
                       ["larger than the service accepts", "500 MB", "compress"]),
}


@pytest.mark.parametrize("faults, config, words", FATAL.values(), ids=FATAL.keys())
def test_errors_that_stop_the_run_with_a_clear_message(start_emulator, project, faults,
                                                       config, words):
    emulator = start_emulator(faults=faults, **config)
    code, output = _cli_run(project, emulator)
    assert code == 1
    for word in words:
        assert word in output


def test_rate_limited_twice_stops(start_emulator, project):
    emulator = start_emulator(faults=[{"endpoint": "session", "status": 429, "times": 2}])
    with pytest.raises(RateLimited, match="rate limiting"):
        run(project, emulator)
    assert len(emulator.calls("session")) == 2  # waited and tried once more, then stopped


def test_a_render_failing_twice_stops_with_both_ids(start_emulator, project):
    emulator = start_emulator(faults=[{"endpoint": "render", "fail_first": 2}])
    with pytest.raises(RemoteStateError) as caught:
        run(project, emulator)
    record = read_lock(project)["outputs"]["main"]["steps"]["main/export"]
    assert len(record["failed_render_ids"]) == 2
    assert all(rid in str(caught.value) for rid in record["failed_render_ids"])


def test_an_invalid_registered_token_is_not_replaced_or_shown(emulator, project, monkeypatch):
    monkeypatch.setenv("NEMO_TOKEN", "nmv_usr_not_a_real_token")
    code, output = _cli_run(project, emulator)
    assert code == 1 and "NEMO_TOKEN" in output and "invalid or expired" in output
    assert "nmv_usr_not_a_real_token" not in output
    assert emulator.calls("token") == []
