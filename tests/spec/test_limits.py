"""Hostile or accidental YAML is refused quickly with a diagnostic, never hung on or crashed.

The limits live in ``spec/loader.py`` (``MAX_BYTES``, ``MAX_DEPTH``, ``MAX_ALIASED``); the
fault-plan loader (``emulator/faults.py``) composes through the same bounded loader.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lapsefile.emulator.faults import FaultPlan
from lapsefile.errors import SpecError
from lapsefile.spec.loader import MAX_ALIASED, MAX_BYTES, MAX_DEPTH, parse_yaml

from .conftest import MakeSpec, spec_errors

HEAD = 'version: 1\nframes: "photos/*.jpg"\noutputs: [{path: out/a.mp4}]\n'


def laughs(levels: int = 9, width: int = 9) -> str:
    """The "billion laughs" file: each level lists the previous one ``width`` times."""
    lines = ["l0: &l0 [" + ", ".join(['"lol"'] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def timed_errors(text: str) -> tuple[list[str], float]:
    started = time.perf_counter()
    document, diagnostics = parse_yaml(text, "lapse.yaml")
    elapsed = time.perf_counter() - started
    assert document is None
    return [str(d) for d in diagnostics], elapsed


class TestAliases:
    def test_billion_laughs_is_refused_fast(self, make_spec: MakeSpec) -> None:
        text = HEAD + laughs()
        assert len(text) < 1024
        path = make_spec(text)
        started = time.perf_counter()
        errors = spec_errors(path)
        assert time.perf_counter() - started < 0.5
        assert len(errors) == 1
        assert f"repeat more than {MAX_ALIASED:,} values" in errors[0].message
        assert errors[0].location is not None and errors[0].location.file == "lapse.yaml"
        assert errors[0].location.line > 3  # at an alias, not at the top of the file
        assert errors[0].hint and "write the values out" in errors[0].hint

    @settings(max_examples=25, deadline=None)
    @given(levels=st.integers(3, 12), width=st.integers(2, 12))
    def test_any_exploding_alias_nest_is_refused_fast(self, levels: int, width: int) -> None:
        if width ** levels <= 4 * MAX_ALIASED:
            levels = 12  # the shape varies; the expansion is always far beyond the budget
        messages, elapsed = timed_errors(HEAD + laughs(levels, width))
        assert elapsed < 0.5
        assert any("repeat more than" in m for m in messages)

    @pytest.mark.parametrize("text, where", [
        ("frames: &a [photos, *a]\n", "lapse.yaml:1:21"),
        ("frames: &a {include: *a}\n", "lapse.yaml:1:22"),
        ("a: &a\n  - b: &b\n      - *a\n", "lapse.yaml:3:9"),
    ])
    def test_recursive_alias_is_refused(self, text: str, where: str) -> None:
        messages, _ = timed_errors(text)
        assert len(messages) == 1
        assert messages[0].startswith(where)
        assert "inside the value of its own anchor" in messages[0]


class TestSizeAndDepth:
    def test_a_5_mb_spec_is_refused_unread(self, make_spec: MakeSpec) -> None:
        filler = "".join(f"# padding line {n:08d} " + "x" * 60 + "\n" for n in range(70_000))
        path = make_spec(HEAD + filler)
        assert path.stat().st_size > 5 * 1024 * 1024
        started = time.perf_counter()
        errors = spec_errors(path)
        assert time.perf_counter() - started < 0.5
        assert len(errors) == 1
        assert "MiB; a lapse.yaml is at most 1 MiB" in errors[0].message
        assert str(errors[0].location) == "lapse.yaml:1:1"

    def test_text_over_the_limit_is_refused_by_the_parser_too(self) -> None:
        messages, _ = timed_errors(HEAD + "#" * MAX_BYTES)
        assert "at most 1 MiB" in messages[0]

    @pytest.mark.parametrize("opening, closing", [("[", "]"), ("{a: ", "}"), ("- ", "")])
    def test_deep_nesting_is_refused(self, opening: str, closing: str) -> None:
        depth = 200 if opening == "- " else 2000
        if opening == "- ":
            nested = "\n" + "".join("  " * (n + 1) + "-\n" for n in range(depth))
        else:
            nested = opening * depth + "1" + closing * depth + "\n"
        messages, elapsed = timed_errors("version: 1\nframes: " + nested)
        assert elapsed < 2
        assert len(messages) == 1 and f"nests more than {MAX_DEPTH} levels" in messages[0]
        assert messages[0].startswith("lapse.yaml:")


class TestHexSizes:
    @pytest.mark.parametrize("written, number", [("0x0", 0), ("0x10", 16), ("0x1F", 31)])
    def test_hex_size_says_what_it_was_read_as(self, make_spec: MakeSpec, written: str,
                                               number: int) -> None:
        path = make_spec(f"version: 1\nframes: photos/*.jpg\noutputs:\n"
                         f"  - path: out/a.mp4\n    size: {written}\n")
        errors = spec_errors(path)
        assert len(errors) == 1
        assert errors[0].message.startswith(f"{written} was read as the number {number}")
        assert str(errors[0].location) == "lapse.yaml:5:11"
        assert errors[0].hint and '"1920x1080" in quotes' in errors[0].hint

    @settings(max_examples=30, deadline=None)
    @given(number=st.integers(0, 2 ** 16))
    def test_any_hex_size(self, number: int) -> None:
        from lapsefile.spec.validate import check_schema

        written = hex(number)
        document, _ = parse_yaml(f"version: 1\nframes: p/*.jpg\noutputs:\n"
                                 f"  - path: out/a.mp4\n    size: {written}\n", "lapse.yaml")
        assert document is not None
        problems, _ = check_schema(document.data, document)
        assert [p.message.split(" (")[0] for p in problems] == [
            f"{written} was read as the number {number}"]


class TestFaultPlan:
    def test_billion_laughs_fault_plan_is_refused_fast(self) -> None:
        started = time.perf_counter()
        with pytest.raises(SpecError) as info:
            FaultPlan.from_text("faults: [{endpoint: render, fail_first: 1}]\n" + laughs(),
                                "f.yaml")
        assert time.perf_counter() - started < 0.5
        assert "repeat more than" in info.value.diagnostics[0].message

    def test_recursive_fault_plan_is_refused(self) -> None:
        with pytest.raises(SpecError) as info:
            FaultPlan.from_text("&a [{endpoint: render, fail_first: 1}, *a]", "f.yaml")
        assert "inside the value of its own anchor" in info.value.diagnostics[0].message
        assert str(info.value.diagnostics[0].location) == "f.yaml:1:40"
