"""Text from specs, file names and the service reaches the terminal inert: escape sequences,
control characters and bidi overrides are shown as visible escapes; JSON stays JSON."""

from __future__ import annotations

import io
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from lapsefile.cli.main import cli
from lapsefile.cli.output import EventPrinter, JsonLines
from lapsefile.emulator.faults import FaultPlan
from lapsefile.emulator.server import EmulatorServer
from lapsefile.events import Event
from lapsefile.terminal import json_safe, printable

from ..nemo.helpers import write_project
from ..support import write_photo

# Written out here rather than taken from lapsefile.terminal, so the tests check the rule.
BIDI_AND_SEPARATORS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069\u2028\u2029")
HOSTILE = "\x1b]0;pwned\x07"  # OSC 0: sets the terminal window's title
SHOWN = "\\x1b]0;pwned\\x07"


def unsafe(char: str) -> bool:
    """A character a terminal acts on: a C0/C1 control (but newline and tab), DEL, a bidi
    control or a line/paragraph separator."""
    return ((unicodedata.category(char) == "Cc" and char not in "\n\t")
            or char in BIDI_AND_SEPARATORS)


def inert(text: str) -> bool:
    return not any(unsafe(char) for char in text)


safe_text = st.text(st.characters(codec="utf-8").filter(lambda c: not unsafe(c)))


@given(st.text())
def test_printable_leaves_nothing_a_terminal_acts_on(text: str) -> None:
    shown = printable(text)
    assert inert(shown)
    assert printable(shown) == shown  # already printable text passes unchanged


@given(safe_text)
def test_printable_keeps_printable_text_unchanged(text: str) -> None:
    assert printable(text) == text


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(), inner, max_size=3), max_leaves=8))
def test_json_safe_stays_the_same_json_with_nothing_a_terminal_acts_on(data: Any) -> None:
    for indent in (None, 2):
        written = json_safe(json.dumps(data, indent=indent, ensure_ascii=False))
        assert inert(written)
        assert json.loads(written) == data


def test_each_kind_is_shown_as_a_visible_escape() -> None:
    assert printable(f"a{HOSTILE}b\x9b31m\u202eexe.txt\r\n\tend") == \
        f"a{SHOWN}b\\x9b31m\\u202eexe.txt\\x0d\n\tend"
    assert printable("Año 中文 🎞") == "Año 中文 🎞"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def spec_with_title(root: Path, title_yaml: str) -> Path:
    for i in range(1, 4):
        write_photo(root / "photos" / f"IMG_{i}.jpg")
    spec = root / "lapse.yaml"
    spec.write_text('version: 1\nframes: "photos/*.jpg"\ntiming: {fps: 1}\noverlays:\n'
                    f'  titles:\n    - text: {title_yaml}\noutputs:\n  - path: out/a.mp4\n',
                    encoding="utf-8")
    return spec


def test_a_title_with_an_escape_sequence_is_shown_inert(runner: CliRunner,
                                                        tmp_path: Path) -> None:
    spec = spec_with_title(tmp_path, '"\\e]0;pwned\\a \\u202Eabc"')  # YAML escapes
    result = runner.invoke(cli, ["plan", str(spec), "--backend", "nemo"])
    assert result.exit_code == 0, result.output
    assert inert(result.output)
    assert f'the title "{SHOWN} \\u202eabc"' in result.output


def test_plan_json_keeps_the_title_as_written_and_stays_inert(runner: CliRunner,
                                                              tmp_path: Path) -> None:
    spec = spec_with_title(tmp_path, '"\\e]0;pwned\\a \\x9b2J \\u202Eabc"')
    result = runner.invoke(cli, ["plan", str(spec), "--backend", "nemo", "--json"])
    assert result.exit_code == 0, result.output
    assert inert(result.stdout)
    instructions = [s["instruction"] or "" for s in json.loads(result.stdout)["steps"]]
    assert any(f"{HOSTILE} \x9b2J \u202eabc" in text for text in instructions)


def test_a_file_name_with_an_escape_sequence_is_named_inert(runner: CliRunner,
                                                            tmp_path: Path) -> None:
    write_photo(tmp_path / "photos" / "IMG_1.jpg")
    (tmp_path / "photos" / f"notes{HOSTILE}.txt").write_text("x")
    spec = tmp_path / "lapse.yaml"
    spec.write_text("version: 1\nframes: 'photos/*'\noutputs:\n  - path: out/a.mp4\n")
    result = runner.invoke(cli, ["validate", str(spec)])
    assert result.exit_code == 1, result.output
    assert inert(result.output)
    assert f"photos/notes{SHOWN}.txt" in result.output


class TtyText(io.StringIO):
    def isatty(self) -> bool:
        return True


# Not on a TTY, quick progress and heartbeats print nothing: 6 places show the text, not 8.
@pytest.mark.parametrize("stream, shown", [(io.StringIO, 6), (TtyText, 8)])
def test_the_event_printer_shows_every_kind_of_event_inert(stream: type[io.StringIO],
                                                           shown: int) -> None:
    out = stream()
    printer = EventPrinter(out)
    evil = f"{HOSTILE}\x9b2J\u202eexe.txt\rfake"
    for event in [Event("step_start", f"a{evil}/render", {"resource": evil, "reason": evil}),
                  Event("message", "a/instruct-title-1", {"text": evil, "source": "agent"}),
                  Event("heartbeat", "a/export", {"text": evil, "elapsed": 3.0}),
                  Event("progress", "a/export", {"label": evil, "done": 1, "total": 1}),
                  Event("warning", None, {"text": evil}),
                  Event("step_failed", "a/export", {"error": evil})]:
        printer(event)
    written = out.getvalue().replace("\r  ", "  ")  # the bar's own carriage return on a TTY
    assert inert(written)
    assert written.count(f"{SHOWN}\\x9b2J\\u202eexe.txt\\x0dfake") == shown


def test_json_lines_stay_json_and_inert() -> None:
    out = io.StringIO()
    JsonLines(out)(Event("message", "a/instruct-title-1",
                         {"text": f"{HOSTILE}\x9b\u202e中文", "source": "agent"}))
    assert inert(out.getvalue().rstrip("\n"))
    assert json.loads(out.getvalue())["text"] == f"{HOSTILE}\x9b\u202e中文"


SERVICE_SAYS = f"{HOSTILE}\u202eno credits"


def failing_run(runner: CliRunner, tmp_path: Path, emulator: EmulatorServer) -> Any:
    """`run` against the emulator whose first instruction fails with a hostile message."""
    emulator.state.set_faults(FaultPlan.from_data(
        [{"endpoint": "run_sse", "instruction": 1, "code": 2001, "message": SERVICE_SAYS}]))
    spec = write_project(tmp_path / "project")
    return runner.invoke(cli, ["run", str(spec), "--api-url", emulator.url or ""])


def test_a_service_message_with_escapes_is_shown_inert_by_the_event_printer(
        runner: CliRunner, tmp_path: Path, emulator: EmulatorServer) -> None:
    result = failing_run(runner, tmp_path, emulator)
    assert result.exit_code == 1, result.output
    failed = [line for line in result.stderr.splitlines() if line.startswith("\u2718")]
    assert failed and all(f"{SHOWN}\\u202eno credits" in line for line in failed)
    assert all(inert(line) for line in failed)


def test_a_service_message_with_escapes_is_shown_inert_by_the_error_boundary(
        runner: CliRunner, tmp_path: Path, emulator: EmulatorServer) -> None:
    result = failing_run(runner, tmp_path, emulator)
    assert result.exit_code == 1, result.output
    assert inert(result.output)
