from __future__ import annotations

import pytest

from lapsefile.spec import load_spec, load_spec_with_warnings
from lapsefile.spec.envvars import ExpansionError, expand, retype

from .conftest import MakeSpec


@pytest.mark.parametrize("text, expanded", [
    ("${A}", "alpha"), ("x-${A}-y", "x-alpha-y"), ("${MISSING:-fallback}", "fallback"),
    ("${EMPTY:-fallback}", "fallback"), ("${EMPTY}", ""), ("$$5", "$5"), ("$5", "$5"),
    ("cost $$${N}", "cost $24"), ("$${A}", "${A}"), ("${MISSING:-}", ""),
    ("${A}${N}", "alpha24"),
])
def test_expand(text: str, expanded: str) -> None:
    env = {"A": "alpha", "EMPTY": "", "N": "24"}
    assert expand(text, env) == expanded


@pytest.mark.parametrize("text, words", [
    ("${NOPE}", "NOPE is not set"), ("${A", "never closed"), ("${1A}", "not a variable"),
    ("${A:x}", "not a variable"), ("${}", "not a variable"),
])
def test_expand_rejects(text: str, words: str) -> None:
    with pytest.raises(ExpansionError, match=words):
        expand(text, {"A": "alpha"})


@pytest.mark.parametrize("text, value", [("24", 24), ("-3", -3), ("29.97", 29.97), ("true", True),
                                         ("False", False), ("24fps", "24fps"), ("", "")])
def test_retype(text: str, value: object) -> None:
    assert retype(text) == value and type(retype(text)) is type(value)


def test_spec_expansion_types_and_defaults(make_spec: MakeSpec) -> None:
    path = make_spec("""
        version: 1
        frames: ${PHOTOS:-photos}/*.jpg
        timing:
          fps: ${FPS:-24}
          duration: ${LENGTH}
        look:
          interpolate: ${SMOOTH:-false}
        overlays:
          titles:
            - text: "${YEAR}"
            - text: Price $$${PRICE}
        outputs:
          - path: out/${NAME}.mp4
    """)
    spec = load_spec(path, env={"LENGTH": "30s", "YEAR": "2024", "PRICE": "5", "NAME": "clip",
                                "SMOOTH": "true"})
    assert spec.frames.include == ("photos/*.jpg",)
    assert spec.timing.fps == 24 and spec.timing.duration == 30
    assert spec.look.interpolate is True
    assert [t.text for t in spec.titles] == ["2024", "Price $5"]  # quoted stays text
    assert spec.outputs[0].path == "out/clip.mp4" and spec.outputs[0].name == "clip"
    assert spec.raw["timing"] == {"fps": 24, "duration": "30s"}


def test_environment_defaults_to_os_environ(make_spec: MakeSpec,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAPSE_TEST_FPS", "12")
    path = make_spec("version: 1\nframes: p/*.jpg\ntiming:\n  fps: ${LAPSE_TEST_FPS}\n"
                     "outputs:\n  - path: a.mp4\n")
    spec, warnings = load_spec_with_warnings(path)
    assert spec.timing.fps == 12 and warnings == []
