"""Human units in lapse.yaml: durations, fractions (percentages) and speed-ups.

Each parser accepts what a person writes (``"1m30s"``, ``"35%"``, ``"600x"``) or a plain number,
and raises :class:`ValueError` with a sentence that says what was wrong and how to write it;
the spec loader turns that sentence into a diagnostic at the value's location.

A plain number given as a fraction must lie in 0..1: ``35`` is refused rather than guessed to
mean 35 %, because ``opacity: 35`` could as well be a typo for ``0.35`` or ``3.5``; the message
suggests ``"35%"``.
"""

from __future__ import annotations

import math
import re

DURATION_UNITS: dict[str, float] = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
_N = r"[0-9]+(?:\.[0-9]+)?"
# The schema uses these very patterns (tests/spec check it), so the two never disagree.
DURATION_PATTERN = rf"^{_N}$|^(?:({_N})h)?(?:({_N})m)?(?:({_N})s)?(?:({_N})ms)?$"
PERCENT_PATTERN = rf"^{_N}%$"
SPEEDUP_PATTERN = rf"^{_N}x?$"
_DURATION = re.compile(DURATION_PATTERN)
_PART = re.compile(rf"({_N})([a-zA-Z]+)")
_UNIT_SUGGESTIONS = {"sec": "s", "secs": "s", "second": "s", "seconds": "s", "min": "m",
                     "mins": "m", "minute": "m", "minutes": "m", "hr": "h", "hrs": "h",
                     "hour": "h", "hours": "h", "msec": "ms", "millis": "ms", "S": "s",
                     "M": "m", "H": "h", "MS": "ms"}
DURATION_FORMS = '"30s", "1m30s", "1500ms", "2h" or a number of seconds'


def _finite_number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _not_a(value: object, what: str, forms: str) -> ValueError:
    return ValueError(f"{value!r} is not {what}; write {forms}")


def parse_duration(value: object) -> float:
    """Seconds from ``"30s"``, ``"1m30s"``, ``"1500ms"``, ``"2h"``, ``"1h2m3.5s"`` or a number."""
    number = _finite_number(value)
    if number is None and isinstance(value, str) and value:
        match = _DURATION.match(value)
        if match and match.group(0):
            if not any(match.groups()):
                return float(value)
            amounts = zip(match.groups(), DURATION_UNITS.values(), strict=True)
            return sum(float(amount) * seconds for amount, seconds in amounts if amount)
        raise _duration_problem(value)
    if number is None:
        raise _not_a(value, "a duration", DURATION_FORMS)
    if number < 0:
        raise ValueError(f"{value!r} is negative; a duration is 0 or more seconds")
    return number


def _duration_problem(text: str) -> ValueError:
    """Why ``text`` is not a duration, as precisely as can be told."""
    if text.lstrip().startswith("-"):
        return ValueError(f"{text!r} is negative; a duration is 0 or more seconds")
    if any(ch.isspace() for ch in text):
        return ValueError(f"{text!r} is not a duration; write it without spaces: "
                          f"{''.join(text.split())}")
    if ":" in text:
        return ValueError(f"{text!r} is not a duration: clock notation is not read; "
                          f"write it with units, such as 1m30s or 1h2m")
    position, ranks = 0, []
    for part in _PART.finditer(text):
        if part.start() != position:
            break
        unit = part.group(2)
        if unit not in DURATION_UNITS:
            fix = _UNIT_SUGGESTIONS.get(unit) or _UNIT_SUGGESTIONS.get(unit.lower())
            also = f"; write {part.group(1)}{fix}" if fix else ""
            return ValueError(f"{text!r} is not a duration: unknown unit {unit!r} "
                              f"(use h, m, s or ms){also}")
        ranks.append(list(DURATION_UNITS).index(unit))
        position = part.end()
    if position == len(text) and ranks != sorted(set(ranks)):
        return ValueError(f"{text!r} is not a duration: units go from largest to smallest, "
                          f"each once (as in 1h2m3.5s)")
    return _not_a(text, "a duration", DURATION_FORMS)


def parse_fraction(value: object, maximum: float = 1.0) -> float:
    """A fraction from ``"35%"`` (0.35) or a number in 0..1; percentages may reach ``maximum``.

    Plain numbers above 1 are refused with a hint to add ``%`` (see the module docstring).
    """
    number = _finite_number(value)
    if number is not None:
        if number < 0:
            raise ValueError(f"{value!r} is negative; write a fraction from 0 to 1 "
                             f"or a percentage such as \"35%\"")
        if number > 1:
            raise ValueError(f"{value!r} is more than 1: a plain number is a fraction "
                             f"(0.35 = 35%); for a percentage write \"{_pretty(number)}%\"")
        return number
    if not isinstance(value, str) or not re.match(PERCENT_PATTERN, value):
        if isinstance(value, str) and value.strip().startswith("-"):
            raise ValueError(f"{value!r} is negative; a percentage is 0% or more")
        if isinstance(value, str) and re.match(PERCENT_PATTERN, "".join(value.split())):
            raise ValueError(f"{value!r} is not a percentage; write it without spaces: "
                             f"{''.join(value.split())}")
        raise _not_a(value, "a percentage", '"35%" or a number from 0 to 1 such as 0.35')
    fraction = float(value[:-1]) / 100.0
    if fraction > maximum:
        raise ValueError(f"{value!r} is too large: at most {_pretty(maximum * 100)}% here")
    return fraction


def parse_speedup(value: object) -> float:
    """Real time over video time, from ``"600x"`` or a number; must be more than 0."""
    number = _finite_number(value)
    if number is None:
        if not isinstance(value, str) or not re.match(SPEEDUP_PATTERN, value):
            raise _not_a(value, "a speed-up", '"600x" or a number such as 600')
        number = float(value.rstrip("x"))
    if number <= 0:
        raise ValueError(f"{value!r} is not a speed-up: it must be more than 0 (600 = 600x)")
    return number


def format_duration(seconds: float) -> str:
    """The shortest readable form: 90 -> "1m30s", 0.5 -> "0.5s", 3600 -> "1h"."""
    if seconds < 60:
        return f"{_pretty(seconds)}s"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{int(hours)}h" if hours else "", f"{int(minutes)}m" if minutes else "",
             f"{_pretty(secs)}s" if secs else ""]
    return "".join(parts)


def _pretty(number: float) -> str:
    return f"{number:.3f}".rstrip("0").rstrip(".") or "0"
