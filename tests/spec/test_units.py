from __future__ import annotations

import pytest

from lapsefile.spec import schema
from lapsefile.units import (
    DURATION_PATTERN,
    PERCENT_PATTERN,
    SPEEDUP_PATTERN,
    format_duration,
    parse_duration,
    parse_fraction,
    parse_speedup,
)


@pytest.mark.parametrize("text, seconds", [
    ("30s", 30), ("1m30s", 90), ("1500ms", 1.5), ("2h", 7200), ("1h2m3.5s", 3723.5),
    ("0.5s", 0.5), ("90", 90), ("2.5", 2.5), ("1m", 60), ("1h30m", 5400), ("0s", 0),
    (30, 30), (2.5, 2.5), (0, 0), ("1s500ms", 1.5),
])
def test_parse_duration(text: object, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text, words", [
    ("30sec", ["unknown unit 'sec'", "write 30s"]),
    ("2 hours", ["without spaces"]),
    ("1:30", ["clock notation", "1m30s"]),
    ("-1s", ["negative"]),
    (-5, ["negative"]),
    ("1s1m", ["largest to smallest"]),
    ("2m2m", ["largest to smallest"]),
    ("soon", ["not a duration", "1m30s"]),
    ("", ["not a duration"]),
    (True, ["not a duration"]),
    (None, ["not a duration"]),
    ([1], ["not a duration"]),
    (float("inf"), ["not a duration"]),
])
def test_parse_duration_rejects(text: object, words: list[str]) -> None:
    with pytest.raises(ValueError) as info:
        parse_duration(text)
    assert all(word in str(info.value) for word in words), str(info.value)


@pytest.mark.parametrize("value, fraction", [
    ("35%", 0.35), (0.35, 0.35), (1, 1.0), (0, 0.0), ("0%", 0.0), ("100%", 1.0),
    ("12.5%", 0.125),
])
def test_parse_fraction(value: object, fraction: float) -> None:
    assert parse_fraction(value) == pytest.approx(fraction)


def test_parse_fraction_maximum_applies_to_percentages() -> None:
    assert parse_fraction("150%", maximum=2.0) == pytest.approx(1.5)
    with pytest.raises(ValueError, match="at most 100%"):
        parse_fraction("150%")


@pytest.mark.parametrize("value, words", [
    (35, ["more than 1", '"35%"']),  # a bare 35 is refused, not read as 35 %
    (1.5, ["more than 1", '"1.5%"']),
    ("35", ["not a percentage", '"35%"']),
    ("35 %", ["without spaces: 35%"]),
    ("-3%", ["negative"]),
    (-0.1, ["negative"]),
    ("half", ["not a percentage"]),
    (False, ["not a percentage"]),
])
def test_parse_fraction_rejects(value: object, words: list[str]) -> None:
    with pytest.raises(ValueError) as info:
        parse_fraction(value)
    assert all(word in str(info.value) for word in words), str(info.value)


@pytest.mark.parametrize("value, speedup", [("600x", 600), (600, 600), ("600", 600),
                                            ("1.5x", 1.5), (0.5, 0.5)])
def test_parse_speedup(value: object, speedup: float) -> None:
    assert parse_speedup(value) == speedup


@pytest.mark.parametrize("value", ["0x", 0, -3, "x", "600X", "fast", None])
def test_parse_speedup_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="speed-up"):
        parse_speedup(value)


@pytest.mark.parametrize("seconds, text", [(90, "1m30s"), (0.5, "0.5s"), (3600, "1h"),
                                           (3725.5, "1h2m5.5s"), (0, "0s")])
def test_format_duration_round_trips(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
    assert parse_duration(text) == seconds


def test_schema_uses_the_parsers_patterns() -> None:
    """The schema and the parsers accept exactly the same strings."""
    defs = schema()["$defs"]
    assert defs["duration"]["pattern"] == DURATION_PATTERN
    assert defs["positive_duration"]["pattern"] == DURATION_PATTERN
    assert defs["fraction"]["pattern"] == PERCENT_PATTERN
    assert defs["speedup"]["pattern"] == SPEEDUP_PATTERN
