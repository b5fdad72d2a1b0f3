"""YAML with positions: where each value is, duplicates, YAML 1.1 surprises, anchors."""

from __future__ import annotations

from lapsefile.errors import Location
from lapsefile.spec.loader import parse_yaml


def test_values_and_keys_have_one_based_positions() -> None:
    document, problems = parse_yaml("version: 1\noutputs:\n  - path: a.mp4\n    size: 4k\n", "f")
    assert problems == []
    assert document is not None
    assert document.values[("version",)] == Location("f", 1, 10)
    assert document.values[("outputs",)] == Location("f", 3, 3)
    assert document.values[("outputs", 0)] == Location("f", 3, 5)
    assert document.values[("outputs", 0, "size")] == Location("f", 4, 11)
    assert document.keys[("outputs", 0, "size")] == Location("f", 4, 5)
    assert document.values[()] == Location("f", 1, 1)


def test_ratios_and_clock_times_stay_text() -> None:
    """YAML 1.1 would read 16:9 as the base-60 number 969."""
    document, _ = parse_yaml("a: 16:9\nb: 1:30\nc: 9:16\nd: 24\ne: 1.5\nf: true\ng: ~\n", "f")
    assert document is not None
    assert document.data == {"a": "16:9", "b": "1:30", "c": "9:16", "d": 24, "e": 1.5,
                             "f": True, "g": None}


def test_dates_stay_text_and_keys_are_strings() -> None:
    document, _ = parse_yaml("when: 2024-06-01\n1080: x\nyes: y\n", "f")
    assert document is not None
    assert document.data == {"when": "2024-06-01", "1080": "x", "yes": "y"}


def test_quoted_scalars_are_not_plain() -> None:
    document, _ = parse_yaml("a: x\nb: 'x'\nc: \"x\"\nd: 5\n", "f")
    assert document is not None
    assert document.plain == {("a",)}


def test_duplicate_keys_are_all_reported_and_the_first_kept() -> None:
    document, problems = parse_yaml("a: 1\nb: 2\na: 3\nm:\n  k: 1\n  k: 2\n", "f")
    assert document is not None and document.data == {"a": 1, "b": 2, "m": {"k": 1}}
    assert [(p.location.line, p.location.col) for p in problems if p.location] == [(3, 1), (6, 3)]
    assert "first written at line 1, column 1" in problems[0].message


def test_anchors_aliases_and_merge_keys() -> None:
    text = ("base: &base {fit: cover, size: 720p}\nout:\n  - <<: *base\n    size: 1080p\n"
            "  - *base\n")
    document, problems = parse_yaml(text, "f")
    assert problems == []
    assert document is not None
    assert document.data["out"] == [{"size": "1080p", "fit": "cover"},
                                    {"fit": "cover", "size": "720p"}]


def test_python_tags_are_refused_not_constructed() -> None:
    document, problems = parse_yaml("a: !!python/object/apply:os.system ['true']\n", "f")
    assert document is not None
    assert problems and "not allowed" in problems[0].message


def test_multiple_documents_are_refused() -> None:
    document, problems = parse_yaml("a: 1\n---\nb: 2\n", "f")
    assert document is None
    assert "more than one YAML document" in problems[0].message
    assert problems[0].location == Location("f", 2, 1)
