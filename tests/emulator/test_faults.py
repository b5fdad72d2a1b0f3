"""Fault plans: parsing, clear diagnostics, and which calls a rule selects."""

from __future__ import annotations

from pathlib import Path

import pytest

from lapsefile.emulator.faults import FaultPlan, FaultRule, FaultTracker
from lapsefile.errors import SpecError

EXAMPLE = """\
- {endpoint: upload, call: 3, status: 429}
- {endpoint: state, status: 500, times: 2}
- {endpoint: any, after_calls: 5, code: 1001}
- {endpoint: run_sse, instruction: 2, drop: before_apply}
- {endpoint: run_sse, instruction: 3, drop: after_apply}
- {endpoint: render, fail_first: 1}
- {endpoint: download, truncate: 0.5}
- {endpoint: any, latency_ms: 50}
- {endpoint: run_sse, instruction: 1, code: 2001}
"""


def test_every_documented_rule_parses() -> None:
    plan = FaultPlan.from_text(EXAMPLE)
    assert [r.action for r in plan.rules] == ["status", "status", "code", "drop", "drop",
                                              "fail_first", "truncate", None, "code"]
    assert plan.rules[0] == FaultRule(endpoint="upload", call=3, status=429)
    assert plan.rules[6].truncate == 0.5 and plan.rules[7].latency_ms == 50.0


def test_json_files_and_a_faults_key_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "faults.json"
    path.write_text('{"faults": [{"endpoint": "token", "status": 429, "retry_after": 1}]}')
    plan = FaultPlan.from_file(path)
    assert plan.rules == (FaultRule(endpoint="token", status=429, retry_after=1.0),)
    assert FaultPlan.from_text("").rules == ()


def _diagnostics(text: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        FaultPlan.from_text(text, "faults.yaml")
    return [str(d) for d in caught.value.diagnostics]


def test_mistakes_are_reported_all_at_once_with_line_and_column() -> None:
    problems = _diagnostics("- endpoint: uplod\n  status: 429\n"
                            "- {endpoint: state, staus: 500}\n"
                            "- {endpoint: render, drop: after_apply}\n")
    text = "\n".join(problems)
    assert "faults.yaml:1:3: error: unknown endpoint 'uplod'" in text
    assert "did you mean 'upload'?" in text
    assert "faults.yaml:3:21: error: unknown key 'staus'" in text and "'status'" in text
    assert "drop applies to endpoint run_sse only" in text
    assert len(problems) == 4  # the unknown key leaves rule 2 without an action, too


@pytest.mark.parametrize("text, words", [
    ("{endpoint: upload}", "a list of rules"),
    ("- upload", "a rule is a mapping"),
    ("- {status: 429}", "missing endpoint"),
    ("- {endpoint: upload}", "needs an action"),
    ("- {endpoint: upload, status: 200}", "HTTP error status"),
    ("- {endpoint: upload, status: 429, code: 1001}", "one action"),
    ("- {endpoint: upload, call: 0, status: 429}", "call must be a whole number >= 1"),
    ("- {endpoint: upload, call: true, status: 429}", "call must be a whole number"),
    ("- {endpoint: download, truncate: 1.5}", "truncate must be a number between 0 and 1"),
    ("- {endpoint: run_sse, drop: sideways}", "unknown drop mode 'sideways'"),
    ("- {endpoint: state, instruction: 1, status: 500}", "instruction applies to endpoint run_sse"),
    ("- {endpoint: upload, call: 1, after_calls: 2, status: 500}", "cannot be combined"),
    ("- {endpoint: any, code: 0}", "non-zero"),
    ("- [unclosed", "not valid YAML"),
])
def test_bad_rules_are_explained(text: str, words: str) -> None:
    assert any(words in problem for problem in _diagnostics(text)), _diagnostics(text)


def test_an_unreadable_file_is_a_spec_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="cannot read the fault plan"):
        FaultPlan.from_file(tmp_path / "missing.yaml")


def test_selectors_and_times() -> None:
    tracker = FaultTracker(FaultPlan.from_text(EXAMPLE))

    def fired(endpoint: str, call_no: int, any_no: int) -> list[str | None]:
        return [r.action for r in tracker.fire(endpoint, call_no, any_no)]

    assert fired("upload", 1, 1) == [None]  # only the latency rule
    assert fired("upload", 3, 3) == ["status", None]
    assert fired("upload", 4, 4) == [None]
    assert fired("state", 1, 5) == ["status", None]
    assert fired("state", 2, 6) == ["status", "code", None]  # after the 5th call of all
    assert fired("state", 3, 7) == ["code", None]  # "times: 2" is used up
    assert [r.code for r in tracker.fire("run_sse", 1, 8, 1, actions=("code",),
                                         by_instruction=True)] == [2001]
    assert tracker.fire("run_sse", 2, 9, 2, actions=("code",), by_instruction=True) == []
    tracker.reset()
    assert fired("state", 1, 1) == ["status", None]
