"""The CLI as a thin adapter: exit codes, text vs JSON, no tracebacks."""

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from lapsefile.cli.main import cli
from lapsefile.engine.testing import make_tone

from ..support import write_photo

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def sunset(tmp_path):
    # Without what running the quick start leaves there: the tests start from a fresh project.
    made = shutil.ignore_patterns("out", "lapse.lock", ".lapsefile")
    copy = shutil.copytree(EXAMPLES / "sunset", tmp_path / "sunset", ignore=made)
    return Path(copy) / "lapse.yaml"


def test_validate_example(runner, sunset):
    result = runner.invoke(cli, ["validate", str(sunset)])
    assert result.exit_code == 0, result.output
    assert "48 photos, 8 s at 24 fps" in result.output


def test_validate_json(runner, sunset):
    result = runner.invoke(cli, ["validate", str(sunset), "--json"])
    data = json.loads(result.stdout)
    assert data["valid"] and data["photos"] == 48 and data["outputs"] == ["main", "square"]


def test_bad_spec_exits_1_with_location_and_no_traceback(runner, tmp_path):
    spec = tmp_path / "lapse.yaml"
    spec.write_text("version: 1\nframes: {include: ['p/*.jpg']}\noutputs:\n  - path: o.mp4\n"
                    "    sise: 1080p\n")
    result = runner.invoke(cli, ["validate", str(spec)])
    assert result.exit_code == 1
    assert "lapse.yaml:5:5" in result.output and "size" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an escaped error


def test_bad_spec_json_gives_the_same_diagnostics(runner, tmp_path):
    spec = tmp_path / "lapse.yaml"
    spec.write_text("version: 1\nframes: 'p/*.jpg'\noutputs: []\n")
    result = runner.invoke(cli, ["plan", str(spec), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["error"] == "SpecError" and data["diagnostics"][0]["line"] == 3


def test_glob_matching_nothing_is_reported_with_a_hint(runner, tmp_path):
    write_photo(tmp_path / "photos" / "IMG_1.JPG")
    (tmp_path / "lapse.yaml").write_text(
        "version: 1\nframes:\n  include: ['photos/*.jpg']\noutputs:\n  - path: out/a.mp4\n")
    result = runner.invoke(cli, ["validate", str(tmp_path / "lapse.yaml")])
    assert result.exit_code == 1
    assert "lapse.yaml:3:13" in result.output and "matches no files" in result.output
    assert "1 .jpg files" in result.output or ".JPG" in result.output


def test_unsupported_photo_types_are_listed(runner, tmp_path):
    write_photo(tmp_path / "photos" / "IMG_1.jpg")
    (tmp_path / "photos" / "notes.txt").write_text("x")
    (tmp_path / "lapse.yaml").write_text(
        "version: 1\nframes: 'photos/*'\noutputs:\n  - path: out/a.mp4\n")
    result = runner.invoke(cli, ["validate", str(tmp_path / "lapse.yaml")])
    assert result.exit_code == 1 and "photos/notes.txt" in result.output
    assert "jpg, jpeg, png, gif, webp" in result.output


def test_title_after_the_end_of_the_video(runner, tmp_path):
    for i in range(1, 4):
        write_photo(tmp_path / "photos" / f"IMG_{i}.jpg")
    (tmp_path / "lapse.yaml").write_text(
        "version: 1\nframes: 'photos/*.jpg'\ntiming: {fps: 1}\noverlays:\n  titles:\n"
        "    - text: Late\n      start: 1s\n      end: 5s\noutputs:\n  - path: out/a.mp4\n")
    result = runner.invoke(cli, ["validate", str(tmp_path / "lapse.yaml")])
    assert result.exit_code == 1
    assert "lapse.yaml:8:12" in result.output and "video lasts 3 s" in result.output


def test_impossible_timing_points_at_the_timing_keys(runner, tmp_path):
    for i in range(1, 11):
        write_photo(tmp_path / "photos" / f"IMG_{i}.jpg")
    (tmp_path / "lapse.yaml").write_text(
        "version: 1\nframes: 'photos/*.jpg'\ntiming:\n  fps: 2\n  duration: 2s\n"
        "outputs:\n  - path: out/a.mp4\n")
    result = runner.invoke(cli, ["validate", str(tmp_path / "lapse.yaml")])
    assert result.exit_code == 1
    assert "lapse.yaml:4:8" in result.output and "at least 5 s, not 2 s" in result.output


def test_plan_text_and_json_agree(runner, sunset):
    text = runner.invoke(cli, ["plan", str(sunset)])
    assert text.exit_code == 0
    assert "+ main/render" in text.output and "out/sunset-1080p.mp4" in text.output
    data = json.loads(runner.invoke(cli, ["plan", str(sunset), "--json"]).stdout)
    assert [s["id"] for s in data["steps"]] == ["main/render", "square/render"]
    assert {s["reason"] for s in data["steps"]} == {"new"}


def test_plan_for_the_cloud_shows_instructions(runner, sunset):
    result = runner.invoke(cli, ["plan", str(sunset), "--backend", "nemo"])
    assert result.exit_code == 0
    assert "Combine the 48 uploaded photos, in upload order, into an 8-second timelapse at 24 " \
           "fps, 1920x1080 (16:9), cropped to fill the frame." in result.output
    assert 'Add the title "Golden Hour" from 0.5 s to 3.5 s' in result.output


def test_init_scaffolds_a_spec_that_validates(runner, tmp_path):
    for i in range(1, 31):
        write_photo(tmp_path / "shots" / f"DSC{i:04d}.jpg")
    result = runner.invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "30 photos in shots/" in result.output
    assert runner.invoke(cli, ["validate", str(tmp_path / "lapse.yaml")]).exit_code == 0
    again = runner.invoke(cli, ["init", str(tmp_path)])
    assert again.exit_code == 1 and "already exists" in again.output


def test_init_without_photos_is_refused(runner, tmp_path):
    result = runner.invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 1 and "no photos" in result.output


def test_schema_command_prints_the_schema(runner):
    result = runner.invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output)["$schema"].endswith("2020-12/schema")


def test_a_missing_spec_file_is_exit_1_and_leaves_no_state(runner, tmp_path):
    result = runner.invoke(cli, ["run", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1 and "nope.yaml" in result.output
    assert not (tmp_path / ".lapsefile").exists()


def test_newer_lock_is_refused_by_every_command(runner, sunset):
    (sunset.parent / "lapse.lock").write_text(json.dumps(
        {"lockfile_version": 99, "generated_by": "lapsefile 42.0", "outputs": {}, "inputs": {}}))
    for command in ("plan", "status", "run"):
        result = runner.invoke(cli, [command, str(sunset)])
        assert result.exit_code == 1, command
        assert "lapsefile 42.0" in result.output


def test_usage_error_is_exit_2(runner):
    assert runner.invoke(cli, ["run", "--no-such-flag"]).exit_code == 2


def test_an_unknown_only_output_is_refused_by_name(runner, sunset):
    result = runner.invoke(cli, ["plan", str(sunset), "--only", "mian"])
    assert result.exit_code == 1 and "no output named mian" in result.output


def test_cloud_backend_override_rechecks_music_type(runner, tmp_path):
    write_photo(tmp_path / "photos" / "IMG_1.jpg")
    make_tone(tmp_path / "song.flac", 0.2)  # real audio: a plan checks that music is audio
    (tmp_path / "lapse.yaml").write_text(
        "version: 1\nframes: 'photos/*.jpg'\nmusic: song.flac\noutputs:\n  - path: out/a.mp4\n")
    assert runner.invoke(cli, ["plan", str(tmp_path / "lapse.yaml")]).exit_code == 0
    result = runner.invoke(cli, ["plan", str(tmp_path / "lapse.yaml"), "--backend", "nemo"])
    assert result.exit_code == 1
    assert "lapse.yaml:3:8" in result.output and "does not accept .flac" in result.output


def test_status_before_and_after_a_run(runner, tmp_path):
    for i in range(1, 4):
        write_photo(tmp_path / "photos" / f"IMG_{i}.jpg", size=(32, 18))
    spec = tmp_path / "lapse.yaml"
    spec.write_text("version: 1\nframes: 'photos/*.jpg'\ntiming: {fps: 6}\n"
                    "outputs:\n  - {path: out/a.mp4, size: '32x18'}\n")
    before = runner.invoke(cli, ["status", str(spec)])
    assert before.exit_code == 0 and "a: not made yet" in before.output
    assert runner.invoke(cli, ["run", str(spec), "-q"]).exit_code == 0
    after = json.loads(runner.invoke(cli, ["status", str(spec), "--json"]).stdout)
    row = after["outputs"][0]
    assert row["state"] == "up to date" and row["artifact"]["path"] == "out/a.mp4"
    spec.write_text(spec.read_text().replace("fps: 6", "fps: 3"))
    changed = runner.invoke(cli, ["status", str(spec)])
    assert "a: out of date" in changed.output and "timing.fps" in changed.output


@pytest.mark.parametrize("blocker, path, words", [
    ("dir", "clip.mp4", "clip.mp4 is a folder"),
    ("file", "blocker/clip.mp4", "blocker is a file"),
])
def test_output_paths_the_disk_makes_impossible(runner, tmp_path, blocker, path, words):
    write_photo(tmp_path / "photos" / "IMG_1.jpg")
    target = tmp_path / (path if blocker == "dir" else "blocker")
    target.mkdir() if blocker == "dir" else target.write_text("x")
    (tmp_path / "lapse.yaml").write_text(
        f"version: 1\nframes: 'photos/*.jpg'\noutputs:\n  - path: {path}\n")
    result = runner.invoke(cli, ["run", str(tmp_path / "lapse.yaml")])
    assert result.exit_code == 1 and words in result.output
    assert "lapse.yaml:4:11" in result.output


def test_init_copes_with_awkward_folder_names_and_mixed_types(runner, tmp_path):
    project = tmp_path / 'my "trip" [day 1] ü'
    for i, ext in enumerate(["jpg", "jpg", "JPG", "png"], start=1):
        write_photo(project / "shots [a]" / f"IMG_{i}.{ext}")
    result = runner.invoke(cli, ["init", str(project)])
    assert result.exit_code == 0, result.output
    assert "4 photos in shots [a]/" in result.output
    checked = runner.invoke(cli, ["validate", str(project / "lapse.yaml"), "--json"])
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["photos"] == 4


def test_clip_upload_cannot_carry_a_timestamp(runner, tmp_path):
    write_photo(tmp_path / "photos" / "IMG_1.jpg")
    (tmp_path / "lapse.yaml").write_text(
        "version: 1\nframes: 'photos/*.jpg'\noverlays:\n  timestamp: {format: '%H:%M'}\n"
        "outputs:\n  - path: out/a.mp4\ncloud:\n  upload: clip\n")
    assert runner.invoke(cli, ["plan", str(tmp_path / "lapse.yaml")]).exit_code == 0
    result = runner.invoke(cli, ["plan", str(tmp_path / "lapse.yaml"), "--backend", "nemo"])
    assert result.exit_code == 1 and "lapse.yaml:8:11" in result.output
    assert "capture time" in result.output and "cloud.upload: frames" in result.output
