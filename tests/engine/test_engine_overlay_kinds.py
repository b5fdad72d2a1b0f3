"""The engine's overlay kinds (lapsefile/engine/overlays/): each kind's filter chain, pinned to
the filters engine/overlays.py produced before the kinds were split into modules, and the one
chain order the engine draws them in. No ffmpeg run: the graph text is what is compared (the
renders themselves are probed in test_engine_overlays.py)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from lapsefile import overlays as shared
from lapsefile.engine import overlays
from lapsefile.engine.filters import Graph
from lapsefile.engine.job import Canvas, RenderJob
from lapsefile.engine.render import required_features
from lapsefile.engine.workdir import Workdir
from lapsefile.spec.model import Logo, Timestamp, Title, text_style

TITLE = text_style("overlays.titles[]")
GOLDEN = Title("Golden Hour", 0.5, 3.5,
               replace(TITLE, position="center", size=0.09, box=True, box_color="black@0.35"),
               0.5, 0.5)
QUOTED = Title("It's 100%: a\\b", 1.0, None, replace(TITLE, position="top-left"), 0.0, 0.0)
STAMP = Timestamp("%H:%M", text_style("overlays.timestamp"))
CAPTURES = tuple([datetime(2024, 5, 1, 18, m) for m in (0, 0, 2, 4)] + [None])
LOGO = Logo("logo.png", "top-right", 0.18, 0.85, 0.04)


@pytest.fixture
def work():
    with Workdir() as folder:
        yield folder


def make_job(tmp_path: Path, **changes) -> RenderJob:
    frames = tuple(tmp_path / f"IMG_{i}.jpg" for i in range(5))
    base = RenderJob(root=tmp_path, frames=frames, fps=12, duration=1.25, hold=0.25,
                     canvas=Canvas(640, 360), output=tmp_path / "out.mp4",
                     capture_times=CAPTURES)
    return replace(base, **changes)


def stage(job: RenderJob, work: Workdir, index: int = 0, canvas=(640, 360), duration=8.0,
          opened: list | None = None) -> overlays.Stage:
    def open_file(what, relpath, options):
        if opened is not None:
            opened.append((what, relpath, list(options)))
        return 1
    return overlays.Stage(Graph(), "v0", job, index, canvas, duration, 12.0, work, open_file)


def test_title_filters_are_the_old_ones(work):
    assert overlays.title_filter(GOLDEN, 0, 8.0, (1920, 1080), work, Path) == (
        "drawtext=fontfile=font-0.ttf:expansion=none:fontsize=97:fontcolor=white:"
        "x=(w-text_w)/2:y=(h-text_h)/2:textfile=title-0.txt:enable=gte(t\\,0.5)*lt(t\\,3.5):"
        "alpha=clip(min((t-0.5)/0.5\\,(3.5-t)/0.5)\\,0\\,1):box=1:boxcolor=black@0.35:"
        "boxborderw=24")
    assert overlays.title_filter(QUOTED, 101, 8.0, (640, 360), work, Path) == (
        "drawtext=fontfile=font-0.ttf:expansion=none:fontsize=29:fontcolor=white:x=14:y=14:"
        "textfile=title-101.txt:enable=gte(t\\,1)*lt(t\\,8)")
    assert (work.path / "title-101.txt").read_text() == "It's 100%: a\\b"


def test_timestamp_filters_are_the_old_ones(work):
    texts = overlays.stamp_texts(STAMP, CAPTURES, 5)
    starts = overlays.first_frames(5, 3.0)
    assert (texts, starts) == (["18:00", "18:00", "18:02", "18:04", ""], [0, 3, 6, 9, 12])
    assert overlays.stamp_filters(STAMP, texts, starts, 12.0, 1, (640, 360), work, Path) == [
        "sendcmd=f=stamps-1.cmd",
        "drawtext@stamp1=fontfile=font-0.ttf:expansion=none:fontsize=14:fontcolor=white:"
        "x=w-text_w-14:y=h-text_h-14:textfile=stamp-1.txt"]
    assert (work.path / "stamps-1.cmd").read_text() == (
        "0.458333 drawtext@stamp1 text '18:02';\n0.708333 drawtext@stamp1 text '18:04';\n"
        "0.958333 drawtext@stamp1 text ' ';\n")
    assert (work.path / "stamp-1.txt").read_text() == "18:00"


def test_logo_chains_are_the_old_ones():
    assert overlays.logo_chain(LOGO, (720, 1280)) == (
        ["scale=130:-1:flags=lanczos", "format=rgba", "colorchannelmixer=aa=0.85"],
        "overlay=x=W-w-51:y=51:eof_action=repeat:format=auto")
    assert overlays.logo_chain(Logo("l.png", "bottom-left", 0.1, 1.0, 0.0), (640, 360)) == (
        ["scale=64:-1:flags=lanczos", "format=rgba"],
        "overlay=x=0:y=H-h-0:eof_action=repeat:format=auto")


def test_text_shares_one_chain_and_the_logo_goes_on_top(tmp_path, work):
    opened: list = []
    job = make_job(tmp_path, titles=(GOLDEN, Title("  "), QUOTED), timestamp=STAMP, logo=LOGO)
    s = stage(job, work, index=1, opened=opened)
    final = overlays.draw(s)
    chains = s.graph.text().split(";")
    assert final == "v3" and len(chains) == 3
    text = chains[0]
    assert text.startswith("[v0]drawtext=") and text.endswith("[v1]")
    # titles by their number in the job (the blank one is skipped, its number kept), then
    # the timestamp, in one chain
    assert re.findall(r"textfile=([\w.-]+\.txt)", text) == [
        "title-100.txt", "title-102.txt", "stamp-1.txt"]
    assert "sendcmd=f=stamps-1.cmd" in text
    assert chains[1] == ("[1:v]scale=115:-1:flags=lanczos,format=rgba,"
                         "colorchannelmixer=aa=0.85[v2]")
    assert chains[2] == "[v1][v2]overlay=x=W-w-14:y=14:eof_action=repeat:format=auto[v3]"
    assert opened == [("logo", "logo.png", ["-noautorotate"])]


def test_no_overlays_leave_the_video_alone(tmp_path, work):
    s = stage(make_job(tmp_path, titles=(Title(""),)), work)
    assert overlays.draw(s) == "v0" and s.graph.text() == ""


def test_features_per_kind(tmp_path):
    base = {"libx264", "scale", "sidedata", "tpad", "trim", "format", "setparams"}
    assert required_features(make_job(tmp_path)) == base
    assert required_features(make_job(tmp_path, titles=(Title(""),))) == base | {"drawtext"}
    assert required_features(make_job(tmp_path, timestamp=STAMP)) == \
        base | {"drawtext", "sendcmd"}
    assert required_features(make_job(tmp_path, logo=replace(LOGO, opacity=1.0))) == \
        base | {"overlay"}
    assert required_features(make_job(tmp_path, logo=LOGO)) == \
        base | {"overlay", "colorchannelmixer"}


def test_every_shared_kind_has_an_engine_module_in_the_same_order():
    assert [k.name for k in overlays.ENGINE_KINDS] == [k.name for k in shared.KINDS]


def test_job_fields_from_the_shown_overlays():
    from lapsefile.spec.model import Frames, Look, Output, Spec, TimingRequest

    spec = Spec(path=Path("/p/lapse.yaml"), version=1, frames=Frames(include=("*.jpg",)),
                timing=TimingRequest(fps=10), look=Look(),
                titles=(GOLDEN, replace(QUOTED, outputs=("b",))),
                timestamp=replace(STAMP, outputs=("b",)), logo=LOGO, music=None,
                outputs=(Output("a", "a.mp4", 64, 36, "16:9"),
                         Output("b", "b.mp4", 64, 36, "16:9")))
    assert overlays.job_fields(shared.shown_overlays(spec, "a")) == {
        "titles": (GOLDEN,), "timestamp": None, "logo": LOGO}
    assert overlays.job_fields(shared.shown_overlays(spec, "b")) == {
        "titles": (GOLDEN, spec.titles[1]), "timestamp": spec.timestamp, "logo": LOGO}
