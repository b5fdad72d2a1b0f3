"""Output formats in lapse.yaml: the container from the extension, codec checks with
positions, the H.265 note, camera-native and cinema aspects, posters, and what the nemo
backend refuses (at load, and through ``--backend nemo`` at plan time)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from lapsefile.cli.main import cli
from lapsefile.spec import load_spec_with_warnings
from lapsefile.spec.model import Poster

from ..support import write_photo
from .conftest import MakeSpec, spec_errors


def _spec(outputs: str, extra: str = "") -> str:
    return f"version: 1\nframes: photos/*.jpg\n{extra}outputs:\n{outputs}"


@pytest.mark.parametrize(("path", "codec"), [("a.mp4", "h264"), ("a.MOV", "prores"),
                                              ("a.webm", "vp9"), ("a.gif", "gif")])
def test_each_container_has_its_usual_codec(make_spec: MakeSpec, path, codec):
    spec, _ = load_spec_with_warnings(make_spec(_spec(f"  - path: out/{path}\n")))
    assert spec.outputs[0].codec == codec


@pytest.mark.parametrize(("path", "codec"), [("a.mp4", "av1"), ("a.webm", "av1"),
                                              ("a.mp4", "h265")])
def test_codecs_a_container_holds(make_spec: MakeSpec, path, codec):
    spec, _ = load_spec_with_warnings(make_spec(_spec(f"  - path: {path}\n    codec: {codec}\n")))
    assert spec.outputs[0].codec == codec


@pytest.mark.parametrize(("path", "codec", "hint"), [
    ("a.webm", "h264", "codec: vp9"), ("a.mov", "h265", "codec: prores"),
    ("a.gif", "vp9", "name the file .webm"), ("a.mp4", "prores", "name the file .mov")])
def test_a_codec_the_container_cannot_hold_is_refused_at_its_position(make_spec: MakeSpec, path,
                                                                       codec, hint):
    errors = spec_errors(make_spec(_spec(f"  - path: out/{path}\n    codec: {codec}\n")))
    assert len(errors) == 1
    error = errors[0]
    assert error.path == "outputs[0].codec"
    assert error.location is not None and (error.location.line, error.location.col) == (5, 12)
    assert f"cannot hold {codec}" in error.message and hint in (error.hint or "")


def test_other_extensions_are_refused_by_the_schema(make_spec: MakeSpec):
    errors = spec_errors(make_spec(_spec("  - path: out/a.avi\n")))
    assert errors[0].path == "outputs[0].path"
    assert ".mov" in errors[0].message and ".gif" in errors[0].message


def test_h265_gets_a_note_about_browsers(make_spec: MakeSpec):
    _, warnings = load_spec_with_warnings(make_spec(_spec("  - path: a.mp4\n    codec: h265\n")))
    assert [w.path for w in warnings] == ["outputs[0].codec"]
    assert "browsers on Linux and Windows" in warnings[0].message
    assert warnings[0].severity == "warning" and warnings[0].location.line == 5


def test_no_note_for_h264(make_spec: MakeSpec):
    _, warnings = load_spec_with_warnings(make_spec(_spec("  - path: a.mp4\n")))
    assert warnings == []


@pytest.mark.parametrize(("size", "aspect", "pixels"), [
    ("720p", "3:2", (1080, 720)), ("720p", "4:3", (960, 720)), ("720p", "21:9", (1680, 720)),
    ("1080p", "21:9", (2520, 1080)), ("1080p", "9:16", (1080, 1920))])
def test_aspects_keep_the_short_side(make_spec: MakeSpec, size, aspect, pixels):
    spec, _ = load_spec_with_warnings(make_spec(_spec(
        f"  - path: a.mp4\n    size: {size}\n    aspect: '{aspect}'\n")))
    assert (spec.outputs[0].width, spec.outputs[0].height) == pixels


def test_an_exact_size_agrees_with_a_new_aspect(make_spec: MakeSpec):
    spec, _ = load_spec_with_warnings(make_spec(_spec(
        "  - path: a.mp4\n    size: 3000x2000\n    aspect: '3:2'\n")))
    assert spec.outputs[0].aspect == "3:2"


@pytest.mark.parametrize(("written", "poster"), [("50%", Poster(0.5, share=True)),
                                                 ("5s", Poster(5.0)), ("2.5", Poster(2.5))])
def test_poster_moments(make_spec: MakeSpec, written, poster):
    spec, _ = load_spec_with_warnings(make_spec(_spec(f"  - path: a.mp4\n    poster: {written}\n")))
    assert spec.outputs[0].poster == poster


def test_no_poster_unless_asked(make_spec: MakeSpec):
    spec, _ = load_spec_with_warnings(make_spec(_spec("  - path: a.mp4\n")))
    assert spec.outputs[0].poster is None


def test_a_poster_past_the_whole_video_is_refused(make_spec: MakeSpec):
    errors = spec_errors(make_spec(_spec("  - path: a.mp4\n    poster: 150%\n")))
    assert errors[0].path == "outputs[0].poster"


def test_two_posters_on_one_file_are_refused(make_spec: MakeSpec):
    errors = spec_errors(make_spec(_spec("  - path: out/a.mp4\n    poster: 1s\n"
                                         "  - path: out/a.gif\n    name: loop\n"
                                         "    poster: 1s\n")))
    assert [e.path for e in errors] == ["outputs[1].poster"]
    assert "out/a.jpg" in errors[0].message and "poster of 'a'" in errors[0].message


def test_music_left_out_of_a_gif_is_a_warning(make_spec: MakeSpec):
    _, warnings = load_spec_with_warnings(make_spec(
        _spec("  - path: out/loop.gif\n", extra="music: m.mp3\n"), files=["m.mp3"]))
    assert [w.path for w in warnings] == ["outputs[0].path"]
    assert "no sound" in warnings[0].message


@pytest.mark.parametrize(("output", "path", "words"), [
    ("  - path: a.webm\n", "outputs[0].path", ".webm (the web) is local-only"),
    ("  - path: a.gif\n", "outputs[0].path", ".gif (a short silent loop) is local-only"),
    ("  - path: a.mp4\n    codec: av1\n", "outputs[0].codec", "av1 is local-only"),
    ("  - path: a.mp4\n    poster: 1s\n", "outputs[0].poster", "a poster is local-only")])
def test_the_cloud_refuses_what_it_cannot_export(make_spec: MakeSpec, output, path, words):
    errors = spec_errors(make_spec(_spec(output, extra="backend: nemo\n")))
    assert [e.path for e in errors] == [path]
    assert words in errors[0].message and "local backend" in (errors[0].hint or "")


def test_backend_nemo_on_the_command_line_is_refused_at_plan_time(tmp_path):
    for i in range(2):
        write_photo(tmp_path / "photos" / f"IMG_{i}.jpg")
    spec = tmp_path / "lapse.yaml"
    spec.write_text(_spec("  - path: out/a.mov\n"))
    result = CliRunner().invoke(cli, ["plan", str(spec), "--backend", "nemo"])
    assert result.exit_code == 1, result.output
    assert "local-only" in result.output and "lapse.yaml:4:" in result.output
    assert "Traceback" not in result.output
    assert CliRunner().invoke(cli, ["plan", str(spec)]).exit_code == 0


def test_a_poster_the_photos_glob_would_read_back_is_refused(tmp_path):
    for i in range(2):
        write_photo(tmp_path / f"IMG_{i}.jpg")
    spec = tmp_path / "lapse.yaml"
    spec.write_text("version: 1\nframes: '*.jpg'\noutputs:\n  - path: sunset.mp4\n"
                    "    poster: 1s\n")
    result = CliRunner().invoke(cli, ["plan", str(spec)])
    assert result.exit_code == 1, result.output
    assert "its poster: sunset.jpg would be written among the photos" in result.output
    assert "lapse.yaml:5:13" in result.output and "Traceback" not in result.output
