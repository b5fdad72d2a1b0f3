"""Malformed specs: each error is reported at its exact line:col, with words that help."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from lapsefile.errors import Diagnostic, SpecError
from lapsefile.spec import load_spec

from .conftest import MakeSpec, spec_errors

HEAD = """\
version: 1
frames: photos/*.jpg
outputs:
  - path: out/a.mp4
"""  # four lines: what follows starts on line 5


@dataclass(frozen=True)
class At:
    line: int
    col: int
    words: tuple[str, ...]  # all must appear in the message
    hint: tuple[str, ...] = ()  # all must appear in the hint


@dataclass(frozen=True)
class Bad:
    id: str
    text: str
    expect: tuple[At, ...]
    files: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)


CASES = [
    # unknown keys, with "did you mean" or where the key belongs
    Bad("unknown-top-key", "version: 1\nframes: photos/*.jpg\noutptus:\n  - path: out/a.mp4\n",
        (At(1, 1, ("missing required key 'outputs'",)),
         At(3, 1, ("unknown key 'outptus'",), ("did you mean 'outputs'?",)))),
    Bad("unknown-output-key", HEAD + "    sizee: 720p\n",
        (At(5, 5, ("unknown key 'sizee'", "outputs[0]"), ("did you mean 'size'?",)),)),
    Bad("key-belongs-elsewhere", HEAD + "fps: 24\n",
        (At(5, 1, ("unknown key 'fps'",), ("belongs under timing",)),)),
    Bad("title-key-typo", HEAD + "overlays:\n  titles:\n    - txt: Hello\n",
        (At(7, 7, ("missing required key 'text'", "overlays.titles[0]"),),
         At(7, 7, ("unknown key 'txt'",), ("did you mean 'text'?",)))),
    Bad("music-key-typo", HEAD + "music:\n  file: m.mp3\n  volme: 50%\n",
        (At(7, 3, ("unknown key 'volme'", "music"), ("did you mean 'volume'?",)),),
        files=("m.mp3",)),
    # enum values, with "did you mean"
    Bad("enum-sort", "version: 1\nframes:\n  include: photos/*.jpg\n  sort: natrual\n"
        "outputs:\n  - path: out/a.mp4\n",
        (At(4, 9, ("'natrual'", "frames.sort"), ("did you mean 'natural'?",)),)),
    Bad("enum-fit", HEAD + "    fit: cvoer\n",
        (At(5, 10, ("'cvoer'", "outputs[0].fit"), ("did you mean 'cover'?",)),)),
    Bad("enum-quality", HEAD + "    quality: hihg\n",
        (At(5, 14, ("'hihg'", "outputs[0].quality"), ("did you mean 'high'?",)),)),
    Bad("enum-codec", HEAD + "    codec: x264\n",
        (At(5, 12, ("'x264'", "outputs[0].codec"), ("did you mean 'h264'?",)),)),
    Bad("enum-aspect", HEAD + "    aspect: 16x9\n",
        (At(5, 13, ("'16x9'", "outputs[0].aspect"), ("did you mean '16:9'?",)),)),
    Bad("enum-backend", HEAD + "backend: nemoo\n",
        (At(5, 10, ("'nemoo'", "backend"), ("did you mean 'nemo'?",)),)),
    Bad("enum-language", HEAD + "cloud:\n  language: english\n",
        (At(6, 13, ("'english'", "cloud.language"),),)),
    Bad("enum-upload", HEAD + "cloud:\n  upload: frame\n",
        (At(6, 11, ("'frame'", "cloud.upload"), ("did you mean 'frames'?",)),)),
    Bad("enum-deflicker-mode", HEAD + "look:\n  deflicker: {mode: avg}\n",
        (At(6, 21, ("'avg'", "look.deflicker.mode"),),)),
    Bad("enum-music-fit", HEAD + "music:\n  file: m.mp3\n  fit: repaet\n",
        (At(7, 8, ("'repaet'", "music.fit"),),), files=("m.mp3",)),
    Bad("enum-position", HEAD + "overlays:\n  logo:\n    file: logo.png\n    position: top-rigth\n",
        (At(8, 15, ("'top-rigth'", "overlays.logo.position"), ("did you mean 'top-right'?",)),),
        files=("logo.png",)),
    # wrong types
    Bad("type-frames-number", "version: 1\nframes: 5\noutputs:\n  - path: out/a.mp4\n",
        (At(2, 9, ("frames cannot be the number 5",),),)),
    Bad("type-fps-text", HEAD + "timing:\n  fps: fast\n",
        (At(6, 8, ("timing.fps must be a number", "'fast'"),),)),
    Bad("type-fps-quoted", HEAD + "timing:\n  fps: \"24\"\n",
        (At(6, 8, ("timing.fps must be a number",), ("without quotes",)),)),
    Bad("type-every-text", "version: 1\nframes:\n  include: photos/*.jpg\n  every: two\n"
        "outputs:\n  - path: out/a.mp4\n",
        (At(4, 10, ("frames.every must be a whole number", "'two'"),),)),
    Bad("type-outputs-mapping", "version: 1\nframes: photos/*.jpg\noutputs:\n  path: out/a.mp4\n",
        (At(4, 3, ("outputs must be a list", "not a mapping"),),)),
    Bad("type-titles-mapping", HEAD + "overlays:\n  titles:\n    text: Hi\n",
        (At(7, 5, ("overlays.titles must be a list",),),)),
    Bad("type-interpolate", HEAD + "look:\n  interpolate: maybe\n",
        (At(6, 16, ("look.interpolate must be true/false", "'maybe'"),),)),
    Bad("type-box-number", HEAD + "overlays:\n  titles:\n    - text: Hi\n      box: 3\n",
        (At(8, 12, ("overlays.titles[0].box cannot be the number 3",),),)),
    Bad("empty-section", HEAD + "timing:\n",
        (At(5, 8, ("timing is empty",), ("give it a value",)),)),
    # durations
    Bad("duration-unit", HEAD + "timing:\n  duration: 30sec\n",
        (At(6, 13, ("'30sec' is not a duration", "unknown unit 'sec'"), ("30s",)),)),
    Bad("duration-clock", HEAD + "timing:\n  duration: 1:30\n",
        (At(6, 13, ("'1:30' is not a duration", "clock notation"),),)),
    Bad("duration-negative", HEAD + "timing:\n  hold: -2s\n",
        (At(6, 9, ("'-2s' is negative",),),)),
    Bad("duration-negative-number", HEAD + "timing:\n  hold: -1\n",
        (At(6, 9, ("-1 is negative",),),)),
    Bad("duration-zero", HEAD + "timing:\n  duration: 0s\n",
        (At(6, 13, ("timing.duration must be more than 0",),),)),
    Bad("duration-order", HEAD + "overlays:\n  titles:\n    - text: Hi\n      start: 5s1m\n",
        (At(8, 14, ("'5s1m'", "largest to smallest"),),)),
    Bad("speedup-text", HEAD + "timing:\n  speedup: fast\n",
        (At(6, 12, ("'fast' is not a speed-up",),),)),
    # numbers out of range
    Bad("fps-negative", HEAD + "timing:\n  fps: -24\n",
        (At(6, 8, ("timing.fps must be more than 0", "-24"),),)),
    Bad("every-zero", "version: 1\nframes:\n  include: photos/*.jpg\n  every: 0\n"
        "outputs:\n  - path: out/a.mp4\n",
        (At(4, 10, ("frames.every must be at least 1", "not 0"),),)),
    Bad("blend-negative", HEAD + "look:\n  blend: -2\n",
        (At(6, 10, ("look.blend must be at least 1",),),)),
    Bad("deflicker-size-big", HEAD + "look:\n  deflicker: {size: 200}\n",
        (At(6, 21, ("look.deflicker.size must be at most 129",),),)),
    Bad("proxy-small", HEAD + "cloud:\n  proxy_max_edge: 100\n",
        (At(6, 19, ("cloud.proxy_max_edge must be at least 256",),),)),
    # percentages
    Bad("volume-plain-35", HEAD + "music:\n  file: m.mp3\n  volume: 35\n",
        (At(7, 11, ("35 is more than 1",), ('"35%"',)),), files=("m.mp3",)),
    Bad("percent-space", HEAD + "overlays:\n  titles:\n    - text: Hi\n      size: 8 %\n",
        (At(8, 13, ("'8 %' is not a percentage",), ("8%",)),)),
    Bad("percent-negative", HEAD + "overlays:\n  logo:\n    file: logo.png\n    scale: -5%\n",
        (At(8, 12, ("'-5%' is negative",),),), files=("logo.png",)),
    Bad("opacity-too-large", HEAD + "overlays:\n  logo:\n    file: logo.png\n    opacity: 150%\n",
        (At(8, 14, ("'150%' is too large", "at most 100%"),),), files=("logo.png",)),
    Bad("volume-too-large", HEAD + "music:\n  file: m.mp3\n  volume: 250%\n",
        (At(7, 11, ("'250%' is too large", "at most 200%"),),), files=("m.mp3",)),
    Bad("text-size-zero", HEAD + "overlays:\n  titles:\n    - text: Hi\n      size: 0%\n",
        (At(8, 13, ("must be more than 0%",),),)),
    # sizes and aspect
    Bad("size-no-p", HEAD + "    size: \"1080\"\n",
        (At(5, 11, ("'1080' is not a size",), ("did you mean '1080p'?",)),)),
    Bad("size-number", HEAD + "    size: 1080\n",
        (At(5, 11, ("outputs[0].size must be text", "number 1080"), ("did you mean '1080p'?",)),)),
    Bad("size-star", HEAD + "    size: 1920*1080\n",
        (At(5, 11, ("'1920*1080' is not a size",), ("did you mean '1920x1080'?",)),)),
    Bad("size-tiny", HEAD + "    size: 10x10\n",
        (At(5, 11, ("size 10x10 is out of range", "16 to 8192"),),)),
    Bad("aspect-conflict", HEAD + "    size: 1920x1080\n    aspect: \"9:16\"\n",
        (At(6, 13, ("aspect 9:16 does not match size 1920x1080", "16:9"),
            ("leave out aspect",)),)),
    # version
    Bad("missing-version", "frames: photos/*.jpg\noutputs:\n  - path: out/a.mp4\n",
        (At(1, 1, ("missing required key 'version'",), ("version: 1",)),)),
    Bad("newer-version", "version: 2\nframes: photos/*.jpg\nstoryboard: {}\n"
        "outputs:\n  - path: out/a.mp4\n",
        (At(1, 10, ("written for lapsefile format 2", "reads format 1"), ("upgrade",)),)),
    Bad("version-zero", "version: 0\nframes: photos/*.jpg\noutputs:\n  - path: out/a.mp4\n",
        (At(1, 10, ("version must be 1",),),)),
    Bad("version-text", "version: one\nframes: photos/*.jpg\noutputs:\n  - path: out/a.mp4\n",
        (At(1, 10, ("version must be a whole number", "'one'"),),)),
    # outputs
    Bad("empty-outputs", "version: 1\nframes: photos/*.jpg\noutputs: []\n",
        (At(3, 10, ("at least one output is required",), ("path: out/",)),)),
    Bad("missing-outputs", "version: 1\nframes: photos/*.jpg\n",
        (At(1, 1, ("missing required key 'outputs'",), ("outputs:",)),)),
    Bad("missing-output-path", HEAD + "  - name: second\n",
        (At(5, 5, ("missing required key 'path'", "outputs[1]"),),)),
    Bad("output-not-a-format", "version: 1\nframes: photos/*.jpg\noutputs:\n  - path: out/a.avi\n",
        (At(4, 11, ("'out/a.avi' does not end in .mp4, .mov, .webm or .gif",),
            ("out/a.mp4",)),)),
    Bad("output-escapes", "version: 1\nframes: photos/*.jpg\noutputs:\n  - path: ../out/a.mp4\n",
        (At(4, 11, ("output ../out/a.mp4 is outside the project folder",),
            ("allow_outside: true",)),)),
    Bad("output-absolute", "version: 1\nframes: photos/*.jpg\noutputs:\n"
        "  - path: /lapsefile-nowhere/a.mp4\n",
        (At(4, 11, ("is outside the project folder",), ("allow_outside",)),)),
    Bad("same-output-path", HEAD + "  - path: out/./a.mp4\n    name: other\n",
        (At(5, 11, ("outputs 'a' and 'other' both write", "lapse.yaml:4:11"),),)),
    Bad("output-name-invalid", HEAD + "    name: my output\n",
        (At(5, 11, ("'my output' is not a valid output name",),),)),
    Bad("derived-name-invalid", "version: 1\nframes: photos/*.jpg\noutputs:\n"
        "  - path: out/my video.mp4\n",
        (At(4, 11, ("'my video'", "taken from the file name"), ("name:",)),)),
    Bad("duplicate-names", HEAD + "    name: main\n  - path: out/b.mp4\n    name: main\n",
        (At(7, 11, ("two outputs are named 'main'", "lapse.yaml:5:11"),),)),
    Bad("duplicate-derived-names", "version: 1\nframes: photos/*.jpg\noutputs:\n"
        "  - path: a/x.mp4\n  - path: b/x.mp4\n",
        (At(5, 11, ("two outputs are named 'x'",), ("name:",)),)),
    Bad("unknown-overlay-output", HEAD + "    name: main\noverlays:\n  titles:\n    - text: Hi\n"
        "      outputs: [mian]\n",
        (At(9, 17, ("no output is named 'mian'",), ("did you mean 'main'?",)),)),
    # YAML itself
    Bad("duplicate-key", HEAD + "    size: 720p\n    size: 1080p\n",
        (At(6, 5, ("duplicate key 'size'", "line 5"),),)),
    Bad("tab-indent", "version: 1\nframes:\n\tinclude: photos/*.jpg\n",
        (At(3, 1, ("tab",), ("spaces",)),)),
    Bad("unclosed-quote", "version: 1\nframes: \"photos/*.jpg\noutputs:\n  - path: out/a.mp4\n",
        (At(2, 9, ("quoted string is never closed",), ("closing quote",)),)),
    Bad("bad-indent", "version: 1\nframes: photos/*.jpg\n  sort: name\noutputs: []\n",
        (At(3, 7, ("syntax error", "':'"), ("indentation",)),)),
    Bad("unclosed-list", "version: 1\nframes: [a.jpg, b.jpg\noutputs:\n  - path: out/a.mp4\n",
        (At(3, 8, ("'[' list opened at line 2, column 9 is not closed",), ("]",)),)),
    Bad("yaml-tag", HEAD + "backend: !!python/object:os.system local\n",
        (At(5, 10, ("YAML tag !!python/object:os.system is not allowed",),),)),
    Bad("root-list", "- version: 1\n",
        (At(1, 1, ("top level must be a mapping",),),)),
    Bad("empty-file", "# nothing yet\n",
        (At(1, 1, ("the file is empty",), ("version: 1",)),)),
    # environment variables
    Bad("unset-env", HEAD + "timing:\n  fps: ${FPS}\n",
        (At(6, 8, ("environment variable FPS is not set",), ("export FPS=", "${FPS:-value}")),)),
    Bad("bad-env-reference", HEAD + "overlays:\n  titles:\n    - text: \"${1X}\"\n",
        (At(7, 13, ("'${1X}' is not a variable reference",), ("$$",)),)),
    Bad("env-expands-to-bad-value", HEAD + "timing:\n  fps: ${FPS}\n",
        (At(6, 8, ("timing.fps must be more than 0", "-3"),),), env={"FPS": "-3"}),
    # files the spec names
    Bad("missing-music", HEAD + "music: track.mp3\n",
        (At(5, 8, ("music file not found: track.mp3",), ("relative to the folder",)),)),
    Bad("music-folder", HEAD + "music:\n  file: sounds.mp3\n",
        (At(6, 9, ("music file sounds.mp3 is a folder",),),), files=("sounds.mp3/a.mp3",)),
    Bad("bad-music-type", HEAD + "music: track.mid\n",
        (At(5, 8, ("track.mid is not a supported audio file",), ("mp3", "wav", "m4a", "aac")),),
        files=("track.mid",)),
    Bad("flac-with-cloud", HEAD + "music: track.flac\nbackend: nemo\n",
        (At(5, 8, ("nemo backend does not accept .flac",), ("convert",)),),
        files=("track.flac",)),
    Bad("missing-logo", HEAD + "overlays:\n  logo:\n    file: art/logo.png\n",
        (At(7, 11, ("logo file not found: art/logo.png",),),)),
    Bad("bad-logo-type", HEAD + "overlays:\n  logo:\n    file: logo.bmp\n",
        (At(7, 11, ("logo.bmp is not a supported logo image",), ("png",)),), files=("logo.bmp",)),
    Bad("missing-font",
        HEAD + "overlays:\n  titles:\n    - text: Hi\n      font: fonts/Missing.ttf\n",
        (At(8, 13, ("font file not found: fonts/Missing.ttf",),),)),
    Bad("bad-font-type", HEAD + "overlays:\n  timestamp:\n    font: fonts/Face.woff\n",
        (At(7, 11, ("fonts/Face.woff is not a font file",), (".ttf", ".otf")),),
        files=("fonts/Face.woff",)),
    Bad("missing-templates", HEAD + "cloud:\n  templates: wording\n",
        (At(6, 14, ("templates folder not found: wording",),),)),
    # titles
    Bad("title-end-before-start", HEAD + "overlays:\n  titles:\n    - text: Hi\n      start: 3s\n"
        "      end: 2s\n",
        (At(9, 12, ("the title ends (2s) before it starts (3s)",), ("later than start",)),)),
    Bad("title-end-at-start", HEAD + "overlays:\n  titles:\n    - text: Hi\n      start: 1m\n"
        "      end: 60\n",
        (At(9, 12, ("ends (1m) when it starts (1m)",),),)),
    Bad("fade-conflict", HEAD + "overlays:\n  titles:\n    - text: Hi\n      fade: 1s\n"
        "      fade_in: 2s\n",
        (At(9, 7, ("'fade_in' cannot be used together with 'fade'",), ("fade_in and fade_out",)),)),
    Bad("music-fade-conflict", HEAD + "music:\n  file: song.mp3\n  fade: 1s\n  fade_out: 2s\n",
        (At(8, 3, ("'fade_out' cannot be used together with 'fade'",), ("fade_in and fade_out",)),),
        files=("song.mp3",)),
    Bad("title-empty-text", HEAD + "overlays:\n  titles:\n    - text: \"\"\n",
        (At(7, 13, ("overlays.titles[0].text must not be empty",),),)),
    Bad("include-empty", "version: 1\nframes:\n  include: []\noutputs:\n  - path: out/a.mp4\n",
        (At(3, 12, ("frames.include needs at least 1 item",),),)),
    # colours
    Bad("colour-typo", HEAD + "overlays:\n  titles:\n    - text: Hi\n      color: whtie\n",
        (At(8, 14, ("'whtie' is not a colour name",), ("did you mean 'white'?",)),)),
    Bad("box-colour-typo", HEAD + "overlays:\n  timestamp:\n    box: \"blakc@0.5\"\n",
        (At(7, 10, ("'blakc' is not a colour name",), ("did you mean 'black'?",)),)),
    Bad("colour-malformed",
        HEAD + "overlays:\n  titles:\n    - text: Hi\n      color: \"#12345\"\n",
        (At(8, 14, ("'#12345' is not a colour",), ("#RRGGBB",)),)),
]


def _matches(diagnostic: Diagnostic, at: At) -> bool:
    loc = diagnostic.location
    return (loc is not None and (loc.line, loc.col) == (at.line, at.col)
            and all(word in diagnostic.message for word in at.words)
            and all(word in (diagnostic.hint or "") for word in at.hint))


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_malformed_spec(make_spec: MakeSpec, case: Bad) -> None:
    path = make_spec(case.text, files=case.files)
    errors = spec_errors(path, case.env)
    shown = "\n".join(str(d) for d in errors)
    for at in case.expect:
        assert any(_matches(d, at) for d in errors), f"no error like {at} in:\n{shown}"
    assert len(errors) == len(case.expect), f"unexpected extra errors:\n{shown}"
    assert all(d.location is not None and d.location.file == "lapse.yaml" for d in errors)


def test_all_errors_at_once_sorted_by_position(make_spec: MakeSpec) -> None:
    path = make_spec("""
        version: 1
        frames:
          include: photos/*.jpg
          sort: nme
        timing:
          fps: 0
        music: song.mp3
        outputs:
          - path: out/a.mp4
            size: 1080
            aspect: "9:16"
          - path: ../b.mp4
        backend: cloud
    """)
    with pytest.raises(SpecError) as info:
        load_spec(path, env={})
    errors = info.value.diagnostics
    where = [(d.location.line, d.location.col) for d in errors if d.location]
    assert where == sorted(where)
    assert [(d.path, d.location.line) for d in errors if d.location] == [
        ("frames.sort", 4), ("timing.fps", 6), ("music", 7), ("outputs[0].size", 10),
        ("outputs[1].path", 12), ("backend", 13)]
    text = str(info.value)
    assert "lapse.yaml:4:9: error: 'nme' is not an allowed value for frames.sort" in text
    assert "did you mean 'name'?" in text
    assert "6 error(s)" in info.value.args[0]


def test_shorthand_type_error_lists_every_form(make_spec: MakeSpec) -> None:
    errors = spec_errors(make_spec("version: 1\nframes: 5\noutputs:\n  - path: out/a.mp4\n"))
    assert errors[0].expected == ('a glob pattern such as "photos/*.jpg", a list of glob '
                                  'patterns or a mapping with include, exclude, sort and every')
    assert "any of the given schemas" not in str(errors[0])


def test_error_mentions_expected_in_words(make_spec: MakeSpec) -> None:
    errors = spec_errors(make_spec(HEAD + "timing:\n  duration: soon\n"))
    assert errors[0].expected is not None and "1m30s" in errors[0].expected
    assert errors[0].path == "timing.duration"
    data = errors[0].to_dict()
    assert (data["file"], data["line"], data["col"]) == ("lapse.yaml", 6, 13)


def test_location_names_the_file_as_given(make_spec: MakeSpec, tmp_path) -> None:
    make_spec(HEAD + "backend: nemoo\n", name="sub/lapse.yaml")
    errors = spec_errors("sub/lapse.yaml")
    assert str(errors[0].location) == "sub/lapse.yaml:5:10"
    errors = spec_errors(tmp_path / "project" / "sub" / "lapse.yaml")
    assert str(errors[0].location) == "sub/lapse.yaml:5:10"


def test_missing_spec_file(make_spec: MakeSpec) -> None:
    with pytest.raises(SpecError, match="nope.yaml does not exist"):
        load_spec("nope.yaml")


def test_not_utf8(make_spec: MakeSpec) -> None:
    path = make_spec(HEAD)
    path.write_bytes(HEAD.encode() + b"# caf\xe9\n")
    errors = spec_errors(path)
    assert "not UTF-8" in errors[0].message
    assert (errors[0].location.line, errors[0].location.col) == (5, 6)
