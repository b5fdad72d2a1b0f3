"""The closing summary of `run` (per output: path, duration, size, file size, time; credits
for the cloud) and the live progress lines: one per output, a cloud wait saying what it
waits for."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from lapsefile.backends.nemo.waiting import Deadline
from lapsefile.cli.main import cli
from lapsefile.cli.output import EventPrinter, made_text, report_text
from lapsefile.cli.progress import LiveLines
from lapsefile.emulator.server import EmulatorServer
from lapsefile.events import Event
from lapsefile.made import describe
from lapsefile.runner import prepare, run_project

from ..nemo.helpers import Emulator, run, write_project
from ..support import wide_and_tall


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return wide_and_tall(tmp_path)


def test_run_closes_with_each_output_made(project: Path) -> None:
    result = CliRunner().invoke(cli, ["run", str(project / "lapse.yaml")])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    wide = next(line for line in lines if line.startswith("  wide: "))
    size = (project / "out/wide.mp4").stat().st_size
    assert re.fullmatch(rf"  wide: out/wide\.mp4  1 s, 64x36, {size / 1000:.1f} kB, "
                        r"made in \d+\.\d s", wide), wide
    assert any(line.startswith("  tall: out/tall.gif  1 s, 36x64, ") for line in lines)
    assert re.search(r"^done: 2 step\(s\) run in \d+\.\d s$", result.stderr, re.M)


def test_json_summary_carries_what_was_made_and_an_up_to_date_run_lists_nothing(
        project: Path) -> None:
    result = CliRunner().invoke(cli, ["run", str(project / "lapse.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.splitlines()[-1])
    assert summary["event"] == "summary" and summary["elapsed"] > 0
    made = {o["output"]: o for o in summary["outputs"]}
    assert made["wide"]["path"] == "out/wide.mp4" and made["wide"]["probed"]
    assert (made["wide"]["width"], made["wide"]["height"]) == (64, 36)
    assert made["wide"]["duration"] == pytest.approx(1.0, abs=0.1)
    assert made["tall"]["bytes"] == (project / "out/tall.gif").stat().st_size
    assert made["wide"]["seconds"] > 0
    again = CliRunner().invoke(cli, ["run", str(project / "lapse.yaml"), "--json"])
    assert json.loads(again.stdout.splitlines()[-1])["outputs"] == []


def test_a_cloud_run_closes_with_its_export_and_the_credits(
        tmp_path: Path, emulator: EmulatorServer) -> None:
    spec = write_project(tmp_path / "project")
    summary = run(spec, Emulator(emulator))  # the quick polling options: seconds faster
    size = (spec.parent / "out/main.mp4").stat().st_size
    (made,) = summary.outputs
    assert (made.output, made.path, made.bytes, made.probed) == ("main", "out/main.mp4", size,
                                                                 True)
    assert made_text(summary.outputs).startswith(
        f"  main: out/main.mp4  1 s, 160x90, {size / 1000:.1f} kB, made in ")
    assert re.fullmatch(r"credits: \S+ before, \S+ after \(\S+ spent\)",
                        report_text(summary.report))
    assert summary.to_dict()["outputs"] == [made.to_dict()]


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def screen(written: str) -> list[str]:
    """What a terminal shows after ``written``: carriage return, newline, cursor up, no
    wrapping (the printer cuts its lines to the width)."""
    rows, row, col = [""], 0, 0
    for token in re.findall(r"\x1b\[(\d+)A|(\r)|(\n)|([^\x1b\r\n]+)", written):
        up, cr, nl, text = token
        if up:
            row = max(0, row - int(up))
        elif cr:
            col = 0
        elif nl:
            row, col = row + 1, 0
            rows += [""] * (row + 1 - len(rows))
        else:
            line = rows[row].ljust(col)
            rows[row] = line[:col] + text + line[col + len(text):]
            col += len(text)
    return [r.rstrip() for r in rows if r.strip()]


def progress(step: str, done: float, label: str) -> Event:
    return Event("progress", step, {"done": done, "total": 2.0, "unit": "s", "label": label})


def test_concurrent_renders_each_keep_their_own_line_on_a_terminal() -> None:
    out = Tty()
    printer = EventPrinter(out)
    printer(progress("wide/render", 0.5, "render wide"))
    printer(progress("tall/render", 0.5, "render tall"))
    printer(progress("wide/render", 1.0, "render wide"))
    shown = screen(out.getvalue())
    assert len(shown) == 2  # not two labels taking turns on one line
    assert shown[0].startswith("  render wide [") and " 50.0%" in shown[0]
    assert shown[1].startswith("  render tall [") and " 25.0%" in shown[1]
    printer(progress("tall/render", 2.0, "render tall"))
    printer(progress("wide/render", 2.0, "render wide"))
    printer(Event("step_done", "wide/render"))
    shown = screen(out.getvalue())
    assert [line.split(" [")[0] for line in shown] == ["  render wide", "  render tall",
                                                       "\u2714 wide/render"]
    assert all("100.0%" in line for line in shown[:2])


def test_a_cloud_wait_says_what_it_waits_for_on_the_output_s_line(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")  # lines are cut at the terminal's width
    out = Tty()
    printer = EventPrinter(out)
    now = [0.0]
    printer(Event("progress", "main/export", {"done": 40, "total": 100, "unit": "%",
                                              "label": "rendering (processing)"}))
    wait = Deadline("the service to render render-1", 900, printer, "main/export",
                    clock=lambda: now[0])
    now[0] = 12.0
    wait.tick()
    (line,) = screen(out.getvalue())
    assert line == ("  main: rendering (processing) 40%, waiting for the service to render "
                    "render-1 (12 s)...")


def test_without_a_terminal_each_output_gets_its_own_periodic_line() -> None:
    out, now = io.StringIO(), [0.0]
    lines = LiveLines(out, tty=False, clock=lambda: now[0])
    lines.update("wide/render", "wide 10%")
    lines.update("tall/render", "tall 10%")
    now[0] = 6.0
    lines.update("wide/render", "wide 60%")
    lines.update("tall/render", "tall 60%")
    now[0] = 7.0
    lines.update("wide/render", "wide 100%", final=True)
    lines.update("tall/render", "tall 100%", final=True)
    assert out.getvalue().splitlines() == ["wide 60%", "tall 60%", "wide 100%", "tall 100%"]
    assert "\x1b" not in out.getvalue() and "\r" not in out.getvalue()


def test_where_ffmpeg_cannot_read_the_file_the_summary_shows_the_planned_size(
        project: Path) -> None:
    spec = project / "lapse.yaml"
    run_project(spec)
    made = describe(prepare(spec).project, "wide", project / "out/wide.mp4", 0.5,
                    ffmpeg=str(project / "no-ffmpeg-here"))
    assert not made.probed and (made.duration, made.width, made.height) == (1.0, 64, 36)
    assert made.bytes == (project / "out/wide.mp4").stat().st_size
    assert made_text([made]).startswith("  wide: out/wide.mp4  1 s, 64x36 (planned), ")


def test_a_step_s_next_piece_of_work_gets_a_line_after_the_first_finished() -> None:
    out = Tty()
    printer = EventPrinter(out)
    printer(progress("main/upload", 2.0, "assembling main"))
    printer(progress("main/upload", 1.0, "uploading"))
    shown = screen(out.getvalue())
    assert shown[0].startswith("  assembling main [") and "100.0%" in shown[0]
    assert shown[1].startswith("  main: uploading [") and " 50.0%" in shown[1]
