"""``motion:``: how a camera move is read, which views are refused (and where), and that the
nemo backend refuses it at plan time."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lapsefile.cli.main import cli
from lapsefile.motion import eased, problems, reach, window
from lapsefile.spec import load_spec
from lapsefile.spec.model import Motion, View

from ..support import write_photo
from .conftest import MakeSpec, spec_errors

HEAD = "version: 1\nframes: photos/*.jpg\noutputs:\n  - path: out.mp4\n"


def test_a_move_is_read_with_the_schema_defaults(make_spec: MakeSpec) -> None:
    spec = load_spec(make_spec(HEAD + "motion:\n  to: {zoom: 1.5, center: [0.6, 0.4]}\n"))
    assert spec.motion == Motion(from_=View(1.0, (0.5, 0.5)), to=View(1.5, (0.6, 0.4)),
                                 easing="ease-in-out")
    written = load_spec(make_spec(HEAD + "motion:\n  from: {zoom: 2, center: [0.3, 0.7]}\n"
                                  "  to: {zoom: 1}\n  easing: linear\n"))
    assert written.motion == Motion(View(2.0, (0.3, 0.7)), View(), "linear")
    assert load_spec(make_spec(HEAD)).motion is None


def test_a_center_out_of_reach_is_an_error_at_its_number(make_spec: MakeSpec) -> None:
    path = make_spec(HEAD + "motion:\n  from: {zoom: 1.5, center: [0.5, 0.5]}\n"
                     "  to: {zoom: 1.5, center: [0.9, 0.4]}\n")
    [error] = spec_errors(path)
    assert error.path == "motion.to.center[0]"
    assert (error.location.line, error.location.col) == (7, 28)  # type: ignore[union-attr]
    assert "center x must be from 0.333 to 0.667" in error.message and "0.9" in error.message
    # the nearest center that is valid as written, and the zoom that would reach 0.9
    assert error.hint == "write 0.666, or zoom in to at least 5"


def test_every_unreachable_coordinate_is_reported(make_spec: MakeSpec) -> None:
    path = make_spec(HEAD + "motion:\n  from: {center: [0.6, 0.5]}\n"
                     "  to: {zoom: 8, center: [0.5, 0]}\n")
    errors = {e.path: e for e in spec_errors(path)}
    assert set(errors) == {"motion.from.center[0]", "motion.to.center[1]"}
    assert errors["motion.from.center[0]"].hint == "write 0.5, or zoom in to at least 1.25"
    # the edge of the frame is out of every zoom's reach: no zoom is suggested
    assert errors["motion.to.center[1]"].hint == "write 0.063"


@pytest.mark.parametrize(("body", "where"), [
    ("  to: {zoom: 0.5}\n", "motion.to.zoom"),
    ("  to: {center: [0.5, 1.5]}\n", "motion.to.center[1]"),
    ("  to: {center: [0.5]}\n", "motion.to.center"),
    ("  to: {zoom: 2}\n  easing: bounce\n", "motion.easing"),
    ("  from: {zoom: 2}\n", "motion.to"),  # `to` is required
])
def test_malformed_moves_are_schema_errors(make_spec: MakeSpec, body: str, where: str) -> None:
    errors = spec_errors(make_spec(HEAD + "motion:\n" + body))
    assert [e.path for e in errors] == [where]
    assert errors[0].location is not None and errors[0].location.line >= 5


def test_the_window_moves_in_a_straight_line_inside_the_frame() -> None:
    move = Motion(View(1.0, (0.5, 0.5)), View(2.0, (0.75, 0.25)), "linear")
    def at(progress: float) -> tuple[float, float, float]:
        shown = window(move, progress)
        return shown.left, shown.top, shown.size

    assert at(0) == pytest.approx((0.0, 0.0, 1.0))
    assert at(1) == pytest.approx((0.5, 0.0, 0.5))
    assert at(0.5) == pytest.approx((0.25, 0.0, 0.75))
    for step in range(11):
        shown = window(move, step / 10)
        assert shown.left >= 0 and shown.top >= 0
        assert shown.left + shown.size <= 1 + 1e-12 and shown.top + shown.size <= 1 + 1e-12
    assert reach(2.0) == (0.25, 0.75) and reach(1.0) == (0.5, 0.5)
    assert problems(move) == []


def test_ease_in_out_starts_and_stops_gently() -> None:
    assert [eased("linear", p) for p in (0, 0.25, 1)] == [0, 0.25, 1]
    assert eased("ease-in-out", 0) == 0 and eased("ease-in-out", 1) == 1
    assert eased("ease-in-out", 0.5) == pytest.approx(0.5)
    first_step = eased("ease-in-out", 0.05) - eased("ease-in-out", 0)
    middle_step = eased("ease-in-out", 0.525) - eased("ease-in-out", 0.475)
    assert first_step < middle_step / 10


def _project(tmp_path: Path, backend: str) -> Path:
    for i in range(1, 3):
        write_photo(tmp_path / "photos" / f"IMG_{i}.jpg", size=(32, 18))
    spec = tmp_path / "lapse.yaml"
    spec.write_text("version: 1\nframes: 'photos/*.jpg'\ntiming: {fps: 4}\n"
                    f"backend: {backend}\n"
                    "motion:\n  to: {zoom: 1.5}\noutputs:\n  - {path: out/a.mp4, size: 32x18}\n")
    return spec


def test_the_nemo_backend_refuses_a_move_at_plan_time(tmp_path: Path) -> None:
    runner = CliRunner()
    spec = _project(tmp_path, "local")
    assert runner.invoke(cli, ["plan", str(spec)]).exit_code == 0
    overridden = runner.invoke(cli, ["plan", str(spec), "--backend", "nemo"])
    assert overridden.exit_code == 1, overridden.output
    assert "motion (a camera move) is local-only" in overridden.output
    assert "lapse.yaml:6:3" in overridden.output and "--backend local" in overridden.output
    written = runner.invoke(cli, ["plan", str(_project(tmp_path / "cloud", "nemo"))])
    assert written.exit_code == 1 and "local-only" in written.output
    assert "Traceback" not in written.output
