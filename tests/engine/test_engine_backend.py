"""The local backend: jobs built from a project, rendered in batches, records for the lock."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from lapsefile.backends.base import RunContext
from lapsefile.backends.local import LocalBackend, job_for_output
from lapsefile.engine.probe import probe
from lapsefile.engine.testing import make_frames, make_tone
from lapsefile.errors import EngineUnavailable
from lapsefile.events import Collector
from lapsefile.plan.model import Plan, Reason, Step
from lapsefile.project.model import InputFile, Project, Timing
from lapsefile.spec.model import (
    Frames,
    Logo,
    Look,
    Music,
    Output,
    Spec,
    TextStyle,
    Timestamp,
    TimingRequest,
    Title,
)

from .conftest import frame_indexes, write_script


def _project(root: Path) -> Project:
    start = datetime(2024, 6, 1, 5, 30)
    paths = make_frames(root / "photos", 8, capture_times=[start + timedelta(minutes=i)
                                                           for i in range(8)])
    make_tone(root / "music.wav", 1.0)
    inputs = tuple(InputFile(relpath=f"photos/{p.name}", path=p, size=p.stat().st_size,
                             mtime_ns=p.stat().st_mtime_ns,
                             sha256=hashlib.sha256(p.read_bytes()).hexdigest(),
                             captured_at=start + timedelta(minutes=i), capture_source="exif")
                   for i, p in enumerate(paths))
    spec = Spec(
        path=root / "lapse.yaml", version=1, frames=Frames(include=("photos/*.jpg",)),
        timing=TimingRequest(fps=8, duration=2.0), look=Look(),
        titles=(Title("Only wide", outputs=("wide",)), Title("Everywhere")),
        timestamp=Timestamp(style=TextStyle(position="top"), outputs=("tall",)),
        logo=Logo("logo.png", outputs=("nowhere",)), music=Music("music.wav", fit="loop"),
        outputs=(Output("wide", "out/wide.mp4", 64, 36, "16:9"),
                 Output("tall", "out/tall.mp4", 36, 64, "9:16", fit="blur", codec="h265")))
    timing = Timing(fps=8, duration=2.0, hold=0.25, photo_count=8, frame_count=16)
    return Project(spec=spec, frames=inputs, assets={}, timing=timing)


def _steps(project: Project) -> list[Step]:
    return [Step(id=f"{o.name}/render", action="render", output=o.name, resource=o.path,
                 fingerprint="f" * 64, reason=Reason("new"), batch="decode:1")
            for o in project.spec.outputs]


def test_job_for_output_filters_overlays_by_output(tmp_path):
    project = _project(tmp_path)
    wide = job_for_output(project, project.spec.output("wide"))
    tall = job_for_output(project, project.spec.output("tall"))
    assert [t.text for t in wide.titles] == ["Only wide", "Everywhere"]
    assert [t.text for t in tall.titles] == ["Everywhere"]
    assert wide.timestamp is None and tall.timestamp is not None
    assert wide.logo is None and tall.logo is None
    assert wide.output == tmp_path / "out" / "wide.mp4" and wide.music.file == "music.wav"
    assert (tall.canvas.width, tall.canvas.height, tall.canvas.fit) == (36, 64, "blur")
    assert tall.codec == "h265" and wide.frames == tuple(f.path for f in project.frames)
    assert tall.capture_times[3] == datetime(2024, 6, 1, 5, 33)
    assert (wide.fps, wide.duration, wide.hold) == (8, 2.0, 0.25)


def test_execute_renders_the_batch_and_records_it(tmp_path):
    project = _project(tmp_path)
    steps = _steps(project)
    events = Collector()
    ctx = RunContext(project=project, plan=Plan("local", tuple(steps)), emit=events)
    backend = LocalBackend()
    assert backend.name == "local"
    backend.check(ctx, steps)
    done = list(backend.execute(ctx, steps))
    assert [step.id for step, _ in done] == ["wide/render", "tall/render"]
    for step, record in done:
        output = project.spec.output(step.output)
        path = tmp_path / output.path
        assert record["artifact"] == {"path": output.path, "size": path.stat().st_size,
                                      "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
        assert record["ffmpeg_version"] and isinstance(record["args"], list)
        assert str(tmp_path) not in " ".join(record["args"])
        info = probe(path)
        assert (info.width, info.height) == (output.width, output.height)
        assert info.audio_codec == "aac" and info.frame_count == 16
        assert frame_indexes(path, info) == [i for i in range(1, 9) for _ in range(2)]
    progress = [e for e in events.events if e.kind == "progress"]
    assert {e.step for e in progress} == {"wide/render", "tall/render"}
    last = progress[-1].data
    assert last["done"] == last["total"] == 2.0 and last["unit"] == "s"
    assert progress[-1].data["label"] in ("render wide", "render tall")


def test_check_fails_early_with_an_ffmpeg_lacking_features(tmp_path):
    project = _project(tmp_path)
    fake = write_script(tmp_path / "ffmpeg", 'case "$*" in *-version*) echo "ffmpeg version '
                                             '5-fake";; esac\n')
    ctx = RunContext(project=project, plan=Plan("local", ()), options={"ffmpeg": str(fake)})
    with pytest.raises(EngineUnavailable, match="libx265"):
        LocalBackend().check(ctx, _steps(project))
