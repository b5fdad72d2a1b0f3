"""The local backend through the CLI: every format in one run, the poster recorded in the lock
beside its video, and nothing to do on the next plan."""

from __future__ import annotations

import hashlib
import json

from click.testing import CliRunner

from lapsefile.cli.main import cli
from lapsefile.engine.testing import make_frames

SPEC = """\
version: 1
frames: photos/*.jpg
timing: {fps: 12, duration: 0.5s}
outputs:
  - {path: out/a.mp4, size: 64x36, poster: 50%}
  - {path: out/a.mov, size: 64x36, name: edit}
  - {path: out/a.webm, size: 64x36, name: web}
  - {path: out/a.gif, size: 64x36, name: loop}
"""


def test_every_format_in_one_run_with_the_poster_in_the_lock(tmp_path):
    make_frames(tmp_path / "photos", 6)
    spec = tmp_path / "lapse.yaml"
    spec.write_text(SPEC)
    runner = CliRunner()
    result = runner.invoke(cli, ["run", str(spec)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["a.gif", "a.jpg", "a.mov", "a.mp4",
                                                     "a.webm"]
    lock = json.loads((tmp_path / "lapse.lock").read_text())
    records = {name: next(iter(o["steps"].values())) for name, o in lock["outputs"].items()}
    poster = records["a"]["poster"]
    still = (out / "a.jpg").read_bytes()
    assert poster == {"path": "out/a.jpg", "size": len(still),
                      "sha256": hashlib.sha256(still).hexdigest()}
    assert all("poster" not in records[name] for name in ("edit", "web", "loop"))
    assert "-f mjpeg" in " ".join(records["a"]["args"])  # recorded with the video's command
    again = runner.invoke(cli, ["plan", str(spec)])
    assert again.exit_code == 0 and "everything is up to date" in again.output


def test_a_deleted_or_changed_poster_is_made_again_with_its_video(tmp_path):
    make_frames(tmp_path / "photos", 6)
    spec = tmp_path / "lapse.yaml"
    spec.write_text(SPEC.replace("  - {path: out/a.mov", "#").replace("  - {path: out/a.webm",
                                                                     "#")
                    .replace("  - {path: out/a.gif", "#"))
    runner = CliRunner()
    assert runner.invoke(cli, ["run", str(spec)]).exit_code == 0
    poster = tmp_path / "out" / "a.jpg"
    still = poster.read_bytes()
    poster.unlink()
    planned = runner.invoke(cli, ["plan", str(spec)])
    assert "output missing: out/a.jpg" in planned.output
    assert runner.invoke(cli, ["run", str(spec)]).exit_code == 0
    assert poster.read_bytes() == still
    poster.write_bytes(b"not the poster")
    planned = runner.invoke(cli, ["plan", str(spec)])
    assert "out/a.jpg was modified" in planned.output
