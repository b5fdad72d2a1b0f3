"""`validate` over several specs, and `--schema-only` (the pre-commit hook's check)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from lapsefile.cli.main import cli
from lapsefile.engine.testing import make_frames

ROOT = Path(__file__).resolve().parents[2]
GOOD = """\
version: 1
frames: photos/*.jpg
music: {file: song.mp3}
overlays:
  logo: {file: logo.png}
outputs:
  - {path: out/a.mp4, size: 64x36}
"""


def _spec(folder: Path, text: str = GOOD, photos: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if photos:
        make_frames(folder / "photos", 3)
    (folder / "lapse.yaml").write_text(text, encoding="utf-8")
    return folder / "lapse.yaml"


def test_every_spec_is_checked_and_each_problem_reported(tmp_path: Path) -> None:
    good = _spec(tmp_path / "good", GOOD.replace("music: {file: song.mp3}\n", "")
                 .replace("overlays:\n  logo: {file: logo.png}\n", ""))
    bad = _spec(tmp_path / "bad", GOOD.replace("64x36", "64x3x6"))
    worse = _spec(tmp_path / "worse", "version: 1\nframes: photos/*.jpg\n")
    result = CliRunner().invoke(cli, ["validate", str(good), str(bad), str(worse)])
    assert result.exit_code == 1, result.output
    assert f"{good}: valid. 3 photos" in result.output
    assert "lapse.yaml:7:" in result.output and f"{bad}: 3 error(s)" in result.output
    assert "outputs" in result.output and f"{worse}: 1 error(s)" in result.output
    assert "2 of 3 specs are not valid" in result.output and "Traceback" not in result.output


def test_schema_only_needs_neither_photos_nor_media(tmp_path: Path) -> None:
    spec = _spec(tmp_path, photos=False)  # no photos, no song.mp3, no logo.png
    assert CliRunner().invoke(cli, ["validate", str(spec)]).exit_code == 1
    result = CliRunner().invoke(cli, ["validate", "--schema-only", str(spec)])
    assert result.exit_code == 0, result.output
    assert "valid (the spec alone), 1 output(s)" in result.output


def test_schema_only_still_finds_what_the_spec_itself_gets_wrong(tmp_path: Path) -> None:
    spec = _spec(tmp_path, GOOD.replace("size: 64x36", "size: 64x36, fit: squash"), False)
    result = CliRunner().invoke(cli, ["validate", "--schema-only", str(spec)])
    assert result.exit_code == 1, result.output
    assert "lapse.yaml:7:" in result.output and "squash" in result.output


def test_several_specs_as_json(tmp_path: Path) -> None:
    one = _spec(tmp_path / "one", photos=False)
    two = _spec(tmp_path / "two", "version: 1\n", photos=False)
    result = CliRunner().invoke(cli, ["validate", "--schema-only", "--json", str(one),
                                      str(two)])
    assert result.exit_code == 1
    data, _ = json.JSONDecoder().raw_decode(result.stdout)  # then the error's own line
    assert data["valid"] is False and [s["valid"] for s in data["specs"]] == [True, False]
    assert data["specs"][1]["diagnostics"][0]["severity"] == "error"


def test_the_pre_commit_hook_runs_this_check(tmp_path: Path) -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    program, *args = hook["entry"].split()
    assert hook["id"] == "lapsefile-validate" and program == "lapsefile"
    assert hook["language"] == "python" and hook["pass_filenames"] is True
    import re

    files = re.compile(hook["files"])
    assert files.search("lapse.yaml") and files.search("a/b/lapse.yml")
    assert not files.search("lapse.yaml.bak") and not files.search("other.yaml")
    spec = _spec(tmp_path, photos=False)
    assert CliRunner().invoke(cli, [*args, str(spec)]).exit_code == 0
