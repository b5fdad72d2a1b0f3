"""Where outputs are cut into chunks (lapsefile/chunking.py), and what the plan says of them."""

from __future__ import annotations

import dataclasses

import pytest

from lapsefile.chunking import chunk_count, chunk_ranges, keyframe_interval
from lapsefile.lock.lockfile import Lock
from lapsefile.lock.records import OutputRecord, StepRecord
from lapsefile.spec.model import Render

from ..support import make_plan, make_spec, write_photo


@pytest.mark.parametrize(("frames", "fps", "chunks"), [
    (120, 12, 4), (121, 12, 4), (100_000, 24, 64), (2881, 23.976, "auto"), (50, 25, 9),
    (48, 24, 3), (1, 24, 5)])
def test_chunks_cover_every_frame_once_and_start_on_a_keyframe(frames, fps, chunks):
    # Fault: a gap or overlap between chunks (a frame lost or doubled at a seam), or a cut
    # off the keyframe grid.
    ranges = chunk_ranges(frames, fps, "h264", chunks)
    assert ranges[0][0] == 0 and ranges[-1][1] == frames
    assert all(a[1] == b[0] and a[0] < a[1] for a, b in zip(ranges, ranges[1:]))
    assert all(start % keyframe_interval(fps) == 0 for start, _ in ranges)
    assert ranges[-1][0] < ranges[-1][1]


def test_auto_leaves_short_videos_whole_and_cuts_long_ones_by_length_alone():
    # Fault: auto cutting a short video (changing its bytes and fingerprint), or depending
    # on the machine (the same spec would make other bytes elsewhere).
    assert chunk_count(24 * 59, 24, "h264", "auto") == 1
    assert chunk_count(24 * 600, 24, "h264", "auto") == 20
    assert chunk_count(24 * 600, 24, "gif", 8) == 1  # a GIF's palette spans the clip
    assert chunk_count(24 * 600, 24, "vp9", 8) == 1
    assert chunk_count(24 * 3, 24, "h264", 8) == 2  # no more chunks than keyframe intervals


def _project(root, chunks, duration="6s"):
    for i in range(1, 5):
        write_photo(root / "photos" / f"IMG_{i}.jpg", shade=40 * i)
    spec = make_spec(root)
    timing = dataclasses.replace(spec.timing, duration=float(duration[:-1]), fps=10,
                                 hold=None, speedup=None)
    return dataclasses.replace(spec, timing=timing, render=Render(chunks))


def _steps(root, spec, lock=None):
    from lapsefile.project.resolve import resolve_project
    from lapsefile.project.statcache import StatCache

    project, _ = resolve_project(spec, StatCache.load(root))
    return make_plan(project, lock or Lock(root / "lapse.lock"), {}).steps


def test_one_chunk_keeps_the_fingerprint_and_a_cut_changes_it(tmp_path):
    # Fault: the new setting in every fingerprint (every existing output re-made), or a cut
    # that does not change it (an output cut otherwise would look up to date).
    whole = _steps(tmp_path, _project(tmp_path, "auto"))[0]
    one = _steps(tmp_path, _project(tmp_path, 1))[0]
    cut = _steps(tmp_path, _project(tmp_path, 3))[0]
    assert whole.fingerprint == one.fingerprint != cut.fingerprint
    assert whole.params == {} and cut.params == {"chunks": 3}


def test_plan_says_how_many_chunks_an_interrupted_render_has_done(tmp_path):
    # Fault: a resumed render shown as starting over.
    spec = _project(tmp_path, 3)
    step = _steps(tmp_path, spec)[0]
    lock = Lock(tmp_path / "lapse.lock")
    lock.outputs[step.output] = OutputRecord(steps={step.id: StepRecord(
        "in_progress", step.fingerprint, None,
        {"chunks": {"of": 3, "done": {"1": {}, "3": {}}}})})
    again = _steps(tmp_path, spec, lock)[0]
    assert str(again.reason) == "interrupted last time: 2 of 3 chunks done"
