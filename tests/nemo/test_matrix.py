"""The nemo backend end to end over the variety the documents allow: SSE shape x render shape x
where business errors go (their HTTP status, or HTTP 200) x how the draft spells its segments.

Pairwise: every pair of values of any two dimensions appears in some case. Each project has a
title, a timestamp and a logo; each run must finish with one render and no instruction applied
twice, whatever the dialect lets lapsefile verify, and a title change must then be one edit.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from lapsefile.engine.testing import make_frames
from lapsefile.events import Collector

from .helpers import FRAMES, read_lock, run, write_project

SSE = ("typed", "adk")
RENDER = ("flat", "wrapped")
ERRORS = ("mapped", "ok")
DIALECTS = ("classic", "camel", "opaque")

# 6 cases cover every pair of the four dimensions (checked below).
CASES = [
    ("typed", "flat", "mapped", "classic"),
    ("adk", "wrapped", "ok", "classic"),
    ("typed", "wrapped", "ok", "camel"),
    ("adk", "flat", "mapped", "camel"),
    ("typed", "flat", "ok", "opaque"),
    ("adk", "wrapped", "mapped", "opaque"),
]


def test_the_cases_are_pairwise_complete():
    dimensions = (SSE, RENDER, ERRORS, DIALECTS)
    for (i, a), (j, b) in itertools.combinations(enumerate(dimensions), 2):
        seen = {(case[i], case[j]) for case in CASES}
        assert seen == set(itertools.product(a, b)), (i, j)


def _project(root: Path) -> Path:
    spec = write_project(root)
    make_frames(spec.parent / "photos", FRAMES, size=(64, 36),
                capture_times=[datetime(2024, 5, 1, 18, 0) + timedelta(minutes=i)
                               for i in range(FRAMES)])
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace("overlays:\n", 'overlays:\n  timestamp: {format: "%H:%M"}\n'),
                    encoding="utf-8")
    return spec


@pytest.mark.parametrize("sse, render, errors, dialect", CASES,
                         ids=["-".join(case) for case in CASES])
def test_a_project_with_title_timestamp_and_logo_completes(start_emulator, tmp_path, sse,
                                                            render, errors, dialect):
    emulator = start_emulator(sse_shape=sse, render_shape=render, error_statuses=errors,
                              draft_dialect=dialect, silent_close_rate=0.3, seed=7,
                              faults=[{"endpoint": "state", "call": 4, "code": 1001},
                                      {"endpoint": "upload", "call": 2, "status": 429}])
    spec = _project(tmp_path / "p")
    events = Collector()
    run(spec, emulator, emit=events)
    assert (spec.parent / "out" / "main.mp4").is_file()
    assert len(emulator.completed_renders()) == 1
    applied = [(c["session_id"], c["instruction"]) for c in emulator.calls("run_sse")
               if c.get("outcome") == "applied"]
    assert len(applied) == len(set(applied)) == 5  # timeline, title, timestamp, logo, music
    steps = read_lock(spec)["outputs"]["main"]["steps"]
    verdicts = {r["key"]: r["verdict"] for r in steps.values() if r.get("key")}
    assert set(verdicts) == {"timeline", "title-1", "timestamp", "logo", "music"}
    assert "missing" not in verdicts.values()
    if dialect == "classic":
        assert set(verdicts.values()) == {"confirmed"}
    if dialect == "opaque":  # text cannot be read there: said, recorded, not paid for again
        assert verdicts["title-1"] == "unverifiable"
        assert any(e.kind == "warning" and "title-1" in e.data["text"] for e in events.events)
    assert not any(r.get("corrective") for r in steps.values())
    # Then a title change is one edit in the same session, in every dialect.
    session = steps["main/session"]["session_id"]
    spec.write_text(spec.read_text(encoding="utf-8").replace("Sunset", "Dusk"),
                    encoding="utf-8")
    before = len(emulator.calls())
    summary = run(spec, emulator)
    sent = [c for c in emulator.calls()[before:] if c["endpoint"] == "run_sse"]
    assert [(c["session_id"], c["instruction"]) for c in sent] == [
        (session, 'Change the title text from "Sunset" to "Dusk".')]
    assert summary.report["credits_spent"] == 1
