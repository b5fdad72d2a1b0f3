"""Stopping a run anywhere, then running again: nothing paid for is done twice."""

from __future__ import annotations

import json

import pytest

from lapsefile.backends.nemo.client import NemoClient
from lapsefile.backends.nemo.draft import digest
from lapsefile.backends.nemo.export import Exporter
from lapsefile.backends.nemo.instruct import Instructor, Intent
from lapsefile.backends.nemo.settings import NemoOptions
from lapsefile.events import Collector
from lapsefile.plan.instructions import render_instructions
from lapsefile.project.resolve import resolve_project
from lapsefile.spec import load_spec

from .helpers import QUICK_OPTIONS, StopAt, read_lock, run

STOPS = [("step_done", f"main/{name}") for name in (
    "session", "upload", "instruct-timeline", "instruct-title-1", "instruct-logo", "instruct-music",
    "export")] + [
    ("progress", "main/upload", 3),  # photos half sent
    ("message", "main/instruct-title-1", 1),  # the agent is answering: the instruction was sent
    ("heartbeat", "main/instruct-logo", 1),  # the agent is still working on it
    ("progress", "main/export", 2),  # the service is rendering
    ("progress", "main/download", 1),  # bytes arriving
]


@pytest.mark.parametrize("stop", STOPS, ids=[f"{s[0]}@{s[1]}" for s in STOPS])
def test_a_stop_anywhere_resumes_without_paying_twice(start_emulator, project, stop):
    emulator = start_emulator(edit_delay=0.05)
    stop_at = StopAt(*stop)
    with pytest.raises(KeyboardInterrupt):
        run(project, emulator, emit=stop_at)
    assert stop_at.fired
    json.loads(project.with_suffix(".lock").read_text())  # the lock is whole
    assert not list((project.parent / "out").glob(".*.part"))  # no half-written download
    summary = run(project, emulator)
    assert summary.executed and summary.executed[-1] == "main/download"
    lock = read_lock(project)
    instructions = lock["outputs"]["main"]["settings"]["instructions"]
    assert emulator.applied() == {text: 1 for text in instructions}
    sent = [c["instruction"] for c in emulator.calls("run_sse")]
    assert sorted(sent) == sorted(instructions)  # each sent exactly once, none re-sent
    assert len(emulator.completed_renders()) == 1
    assert len(emulator.calls("render")) == 1
    assert (project.parent / "out" / "main.mp4").stat().st_size == \
        lock["outputs"]["main"]["steps"]["main/download"]["artifact"]["size"]
    assert run(project, emulator).up_to_date


def test_a_stop_while_rendering_polls_the_same_render_next_time(start_emulator, project):
    emulator = start_emulator(render_delay=0.1)
    with pytest.raises(KeyboardInterrupt):
        run(project, emulator, emit=StopAt("progress", "main/export", 1))
    record = read_lock(project)["outputs"]["main"]["steps"]["main/export"]
    assert record["status"] == "in_progress" and record["render_id"].startswith("render_main_")
    events = Collector()
    run(project, emulator, emit=events)
    assert [c["path"].rsplit("/", 1)[-1] for c in emulator.calls("render_status")][-1] == \
        record["render_id"]
    assert len(emulator.calls("render")) == 1
    assert any("resuming the render" in e.data.get("text", "") for e in events.events)


def _session_with_timeline(emulator, project):
    """A real session holding the project's uploads, and the project's instructions."""
    spec = load_spec(project)
    built, _ = resolve_project(spec)
    instructions = render_instructions(built, spec.outputs[0])
    run(project, emulator)
    sid = read_lock(project)["outputs"]["main"]["steps"]["main/session"]["session_id"]
    return sid, instructions


def _intent(instruction, timeline) -> Intent:
    return Intent(instruction.key, instruction.kind, instruction.text, instruction.params,
                  timeline)


def test_a_pending_instruction_that_never_left_is_sent_once(emulator, project):
    sid, instructions = _session_with_timeline(emulator, project)
    timeline = instructions[0].params
    options = NemoOptions.from_mapping({"api_url": emulator.url, **QUICK_OPTIONS})
    with NemoClient(options) as client:
        # A new session with the timeline but without the title: as if the last run wrote
        # "pending" for the title and stopped before the POST.
        fresh = client.create_session("en")["session_id"]
        client.attach_urls(fresh, [a["url"] for a in client.state(sid)["video_infos"]])
        instructor = Instructor(client, options, Collector())
        instructor.apply(fresh, _intent(instructions[0], timeline), {}, lambda: None, None)
        before = digest(client.state(fresh)["draft"])
        title = _intent(instructions[1], timeline)
        journal = {"key": title.key, "kind": title.kind, "session_id": fresh,
                   "text_sha256": title.text_sha256, "instruction": "pending",
                   "draft_before": before}
        calls = len(emulator.calls("run_sse"))
        instructor.apply(fresh, title, journal, lambda: None, None)
    assert journal["instruction"] == "confirmed"
    assert [c["instruction"] for c in emulator.calls("run_sse")[calls:]] == [title.text]


def test_a_sent_instruction_already_applied_is_not_sent_again(emulator, project):
    sid, instructions = _session_with_timeline(emulator, project)
    title = _intent(instructions[1], instructions[0].params)
    options = NemoOptions.from_mapping({"api_url": emulator.url, **QUICK_OPTIONS})
    journal = {"key": title.key, "kind": title.kind, "session_id": sid,
               "text_sha256": title.text_sha256, "instruction": "sent",
               "draft_before": "digest of the draft before the title"}
    calls = len(emulator.calls("run_sse"))
    with NemoClient(options) as client:
        Instructor(client, options, Collector()).apply(sid, title, journal, lambda: None, None)
    assert journal["instruction"] == "confirmed"
    assert emulator.calls("run_sse")[calls:] == []


def test_a_duplicate_render_id_is_replaced_once(emulator, project):
    sid, _ = _session_with_timeline(emulator, project)
    options = NemoOptions.from_mapping({"api_url": emulator.url, **QUICK_OPTIONS})
    ids = iter(["render_taken", "render_fresh"])
    record: dict = {}
    with NemoClient(options) as client:
        draft = client.state(sid)["draft"]
        client.start_render("render_taken", sid, draft)
        exporter = Exporter(client, options, Collector(), new_id=lambda output: next(ids))
        exporter.export(sid, "main", lambda: draft, record, lambda: None, "main/export")
    assert record["render_id"] == "render_fresh" and record["render_status"] == "completed"
    assert [c["status"] for c in emulator.calls("render")][-2:] == [409, 200]
