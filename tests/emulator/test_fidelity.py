"""Partial and approximate application: off by default, exactly as described when on, and the
same for the same seed."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lapsefile.emulator.agent import Edit, parse_instruction
from lapsefile.emulator.config import EmulatorConfig
from lapsefile.emulator.fidelity import PARTS, carry_out
from lapsefile.emulator.intents import DEFAULTS
from lapsefile.emulator.server import EmulatorServer
from lapsefile.engine.testing import make_logo

from .helpers import BUILD, Api, make_photos, make_tone

TITLE = parse_instruction(BUILD[2])
LOGO_SET = parse_instruction("Show the logo logo.png at the top-right of the frame, 15% of the "
                             "frame width, at 80% opacity.")
Start = Callable[..., EmulatorServer]


def _carry(edit: Edit | None, seed: Any = 1, partial: float = 0.0, approximate: float = 0.0,
           fps: float | None = 10.0) -> Any:
    assert edit is not None
    return carry_out(edit, random.Random(seed), partial, approximate, fps)


def test_off_by_default_nothing_changes() -> None:
    done = _carry(TITLE)
    assert done.edit == TITLE and done.dropped == () and done.moved == ()


@pytest.mark.parametrize("seed", range(12))
def test_a_partial_add_falls_back_to_the_default_for_one_part(seed: int) -> None:
    assert TITLE is not None
    done = _carry(TITLE, seed, partial=1.0)
    assert done.dropped in PARTS["title"]
    changed = {k for k in TITLE.params if done.edit.params.get(k) != TITLE.params[k]}
    assert changed and changed <= set(done.dropped)
    defaults = {**DEFAULTS["title"], "box_color": None}
    assert all(done.edit.params.get(k) == defaults[k] for k in done.dropped)


@pytest.mark.parametrize("seed", range(6))
def test_a_partial_change_leaves_one_part_as_it_was(seed: int) -> None:
    assert LOGO_SET is not None
    done = _carry(LOGO_SET, seed, partial=1.0)
    assert len(done.dropped) == 1
    assert done.edit.params == {k: v for k, v in LOGO_SET.params.items()
                                if k not in done.dropped}


@pytest.mark.parametrize("text", ["Remove the title.", 'Move the title "A" to the top.',
                                  "Replace the logo a.png with the uploaded image b.png.",
                                  BUILD[0]])
def test_single_parts_replacements_removals_and_timelines_are_whole(text: str) -> None:
    edit = parse_instruction(text)
    assert _carry(edit, partial=1.0).edit == edit


@pytest.mark.parametrize("seed", range(8))
def test_approximate_times_are_a_frame_off_and_fractions_a_point(seed: int) -> None:
    assert TITLE is not None
    done = _carry(TITLE, seed, approximate=1.0, fps=10.0)
    assert set(done.moved) == {"start", "end", "fade_in", "fade_out", "size"}
    for key in ("start", "end", "fade_in", "fade_out"):
        assert abs(done.edit.params[key] - TITLE.params[key]) == pytest.approx(0.1)
        assert done.edit.params[key] >= 0
    assert abs(done.edit.params["size"] - 0.08) == pytest.approx(0.01)
    assert done.edit.params["text"] == "Sunset"


def test_approximate_values_stay_in_range() -> None:
    edit = Edit("logo", {"filename": "x.png", "position": "top", "scale": 0.01,
                         "opacity": 1.0}, "en")
    for seed in range(20):
        params = _carry(edit, seed, approximate=1.0).edit.params
        assert params["scale"] == 0.02 and params["opacity"] == 0.99


def test_draws_repeat_for_a_seed_and_differ_between_seeds() -> None:
    runs = {seed: _carry(TITLE, f"7:1:{seed}", partial=0.5, approximate=0.5) for seed in range(40)}
    again = {seed: _carry(TITLE, f"7:1:{seed}", partial=0.5, approximate=0.5) for seed in range(40)}
    assert runs == again
    assert 8 < sum(bool(r.dropped) for r in runs.values()) < 32
    assert 8 < sum(bool(r.moved) for r in runs.values()) < 32
    assert len({r.dropped for r in runs.values()}) > 2


def _session(server: EmulatorServer, tmp_path: Path) -> Api:
    api = Api(server.url or "")
    api.login()
    api.new_session()
    api.upload(make_photos(tmp_path / "photos", 2) + [make_logo(tmp_path / "logo.png"),
                                                       make_tone(tmp_path / "a.mp3")])
    for text in BUILD:
        api.send(text)
    return api


def test_over_http_a_partial_edit_says_done_and_the_log_says_what_was_dropped(
        start_emulator: Start, tmp_path: Path) -> None:
    def run(seed: int) -> tuple[Any, list[Any]]:
        api = _session(start_emulator(partial_rate=1.0, seed=seed), tmp_path)
        sent = [c for c in api.calls() if c["endpoint"] == "run_sse"]
        overlays = [track["sg"] for track in api.draft()["t"][1:]]  # no URLs: ports differ
        for segments in overlays:
            for segment in segments:
                segment.pop("src", None)
        return overlays, [c.get("partial") for c in sent]

    draft, dropped = run(5)
    # Timelines are whole; the look and the timestamp differ from the defaults in one part only.
    assert [bool(d) for d in dropped] == [False, False, True, False, True, True]
    title = draft[0][0]
    requested = {"start": 0, "end": 3000, "position": "center", "size": 0.08, "color": "white",
                 "box": True, "fade_in": 500, "fade_out": 500}
    assert any(title[k] != v for k, v in requested.items())
    assert run(5) == (draft, dropped)  # the same seed, the same outcome
    assert any(run(seed)[0] != draft for seed in (6, 7, 8))


def test_over_http_approximate_windows_are_one_frame_off(start_emulator: Start,
                                                         tmp_path: Path) -> None:
    api = _session(start_emulator(approximate_rate=1.0, seed=2), tmp_path)
    title = api.draft()["t"][1]["sg"][0]
    assert abs(title["start"] - 0) == 100 and abs(title["end"] - 3000) == 100  # 10 fps
    assert abs(title["size"] - 0.08) == pytest.approx(0.01)
    moved = [c.get("approximate") for c in api.calls() if c["endpoint"] == "run_sse"]
    assert moved[2] == ["start", "end", "fade_in", "fade_out", "size"]


@pytest.mark.parametrize("field, value", [("partial_rate", 1.5), ("approximate_rate", -0.1),
                                          ("draft_dialect", "json")])
def test_bad_settings_are_refused(field: str, value: Any) -> None:
    with pytest.raises(ValueError, match=field):
        EmulatorConfig(**{field: value})
