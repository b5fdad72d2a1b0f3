"""Drafts: the output's own size on every backend, speed from decoding small; `run --draft`
renders into the preview folder and leaves the real outputs and lapse.lock alone."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from lapsefile.cli.main import cli
from lapsefile.drafts import draft_file, run_drafts
from lapsefile.engine import pipeline
from lapsefile.engine.job import Canvas, RenderJob
from lapsefile.engine.photos import group_photos
from lapsefile.engine.probe import decode_frames, mean_rgb, probe
from lapsefile.engine.workdir import Workdir
from lapsefile.events import Collector
from lapsefile.runner import prepare, run_project

from ..support import WIDE_AND_TALL, wide_and_tall, write_photo


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return wide_and_tall(tmp_path, ', poster: 50%')


def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_drafts_keep_each_output_size_and_touch_neither_outputs_nor_lock(
        project: Path) -> None:
    spec = project / "lapse.yaml"
    run_project(spec)
    before = {**_digests(project / "out"), "lock": _digests(project)["lapse.lock"]}
    events = Collector()
    made = run_drafts(spec, emit=events)
    wide, tall = (project / ".lapsefile/preview/drafts/wide.mp4",
                  project / ".lapsefile/preview/drafts/tall.gif")
    assert [m.path for m in made.outputs] == [".lapsefile/preview/drafts/wide.mp4",
                                              ".lapsefile/preview/drafts/tall.gif"]
    assert (probe(wide).width, probe(wide).height) == (64, 36)  # not halved
    assert (probe(tall).width, probe(tall).height) == (36, 64) and probe(tall).video_codec == "gif"
    assert not (project / ".lapsefile/preview/drafts/tall.jpg").exists()  # the video alone
    # the same pictures as the real output: each photo's grey, frame by frame
    drafted, real = decode_frames(wide), decode_frames(project / "out/wide.mp4")
    assert len(drafted) == len(real) == 12
    for ours, theirs in zip(drafted, real):
        assert mean_rgb(ours, 64)[1] == pytest.approx(mean_rgb(theirs, 64)[1], abs=4)
    assert {**_digests(project / "out"), "lock": _digests(project)["lapse.lock"]} == before
    assert prepare(spec).plan.needed == ()  # the real outputs are still up to date
    assert {e.step for e in events.events if e.kind == "progress"} == {"wide/draft",
                                                                       "tall/draft"}


def test_drafts_of_a_cloud_spec_render_here_and_write_no_lock(project: Path) -> None:
    spec = project / "lapse.yaml"
    cloud = WIDE_AND_TALL.format(tall="").replace("tall.gif", "tall.mp4")
    spec.write_text(cloud + "backend: nemo\n")
    made = run_drafts(spec, only=["wide"])  # no service: nothing may reach the network
    assert [m.output for m in made.outputs] == ["wide"] and made.outputs[0].probed
    assert not (project / "lapse.lock").exists() and not (project / "out").exists()


def test_draft_jpegs_are_decoded_one_halving_smaller_into_the_same_canvas(
        project: Path) -> None:
    def lowres(size: tuple[int, int], quality: str) -> str | None:
        """The -lowres level a render of a photo of ``size`` into 64x48 decodes at."""
        photo = project / "sized" / f"{size[0]}x{size[1]}.jpg"
        write_photo(photo, shade=90, size=size)
        job = RenderJob(root=project, frames=(photo,), fps=12, duration=1.0, hold=1.0,
                        canvas=Canvas(64, 48), output=project / "o.mp4",
                        quality=quality)  # type: ignore[arg-type]
        assert pipeline.canvas_size(job) == (64, 48)  # a draft keeps the size
        with Workdir() as work:
            args = pipeline.build([job], group_photos([photo]), [project / "t.mp4"],
                                  work).real
        return args[args.index("-lowres") + 1] if "-lowres" in args else None

    # 64x48 from 128x96 covers the canvas, but half size decodes slower than full size
    assert lowres((128, 96), "standard") is None
    assert lowres((256, 192), "standard") == "2"
    assert lowres((128, 96), "draft") == "2"  # 32x24, scaled back up to 64x48
    assert lowres((96, 72), "standard") is None and lowres((96, 72), "draft") is None
    assert lowres((512, 384), "draft") == "3"  # 1/8 is the deepest level there is


def test_run_draft_on_the_command_line(project: Path) -> None:
    spec = str(project / "lapse.yaml")
    result = CliRunner().invoke(cli, ["run", spec, "--draft", "--only", "wide"])
    assert result.exit_code == 0, result.output
    assert "  wide: .lapsefile/preview/drafts/wide.mp4  1 s, 64x36, " in result.stderr
    assert "done: 1 draft(s) in " in result.stderr and "lapse.lock are untouched" in result.stderr
    assert not (project / "lapse.lock").exists()


@pytest.mark.parametrize("extra, said", [
    (["--backend", "nemo"], "cannot be combined with --backend nemo"),
    (["--locked"], "--locked means nothing with it"),
    (["--force", "--dry-run"], "--force and --dry-run mean nothing with it")])
def test_run_draft_refuses_options_it_cannot_honour(project: Path, extra: list[str],
                                                    said: str) -> None:
    result = CliRunner().invoke(cli, ["run", str(project / "lapse.yaml"), "--draft", *extra])
    assert result.exit_code == 2 and said in result.output
    assert not (project / ".lapsefile/preview").exists()


def test_draft_file_names_follow_the_output(project: Path) -> None:
    prepared = prepare(project / "lapse.yaml")
    assert draft_file(prepared.project, "tall") == project / ".lapsefile/preview/drafts/tall.gif"
