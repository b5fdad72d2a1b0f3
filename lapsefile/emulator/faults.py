"""Fault plans: which calls of the emulator fail, and how.

A plan is a list of rules, written in YAML or JSON (a list, or a mapping with a ``faults`` list)::

    - {endpoint: upload, call: 3, status: 429}          # the 3rd upload answers HTTP 429
    - {endpoint: state, status: 500, times: 2}          # the first two state reads fail
    - {endpoint: any, after_calls: 5, code: 1001, times: 1}  # the token "expires" after 5 calls
    - {endpoint: run_sse, instruction: 2, drop: after_apply}  # the 2nd instruction's stream drops
    - {endpoint: render, fail_first: 1}                 # the first export ends "failed"
    - {endpoint: download, truncate: 0.5}               # downloads stop halfway
    - {endpoint: any, latency_ms: 50}                   # every answer 50 ms late
    - {endpoint: run_sse, instruction: 1, code: 2001}   # the 1st instruction: out of credits

Selectors (all optional, counted since start or the last reset, 1-based): ``call`` (the Nth call
to the endpoint; for ``any``, the Nth call of all), ``after_calls`` (every call after the Nth),
``instruction`` (run_sse: the Nth instruction that reached the agent), ``times`` (at most this
many firings). A rule without selectors fires on every call.
Actions (one of): ``status`` (that HTTP status), ``code`` (that business error code; 1001 also
revokes the token used and 1002 forgets the session named), ``drop`` (run_sse: ``before_apply``
the edit is lost, ``after_apply`` it was applied and charged, ``mid_work`` the agent goes on and
applies it after the connection died), ``fail_first`` (render: the first N exports fail),
``truncate`` (download: send only that fraction of the bytes, then close). ``latency_ms`` may
stand alone or go with an action. ``message`` and ``retry_after`` (seconds, sent as the
``Retry-After`` header) are optional.
"""

from __future__ import annotations

import difflib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml

from ..errors import Diagnostic, Location, SpecError
from ..spec.loader import YamlLimitError, compose_bounded

ENDPOINTS = ("token", "session", "upload", "run_sse", "credits", "state", "render",
             "render_status", "download", "cancel", "files", "any")
DROP_MODES = ("before_apply", "after_apply", "mid_work")
ACTIONS = ("status", "code", "drop", "fail_first", "truncate")
KEYS = ("endpoint", "call", "after_calls", "instruction", "times", *ACTIONS, "latency_ms",
        "message", "retry_after")
ONLY_FOR = {"drop": "run_sse", "instruction": "run_sse", "fail_first": "render",
            "truncate": "download"}


@dataclass(frozen=True)
class FaultRule:
    endpoint: str
    call: int | None = None
    after_calls: int | None = None
    instruction: int | None = None
    times: int | None = None
    status: int | None = None
    code: int | None = None
    drop: str | None = None
    fail_first: int | None = None
    truncate: float | None = None
    latency_ms: float = 0.0
    message: str | None = None
    retry_after: float | None = None

    @property
    def action(self) -> str | None:
        return next((name for name in ACTIONS if getattr(self, name) is not None), None)

    def applies_to(self, endpoint: str) -> bool:
        return self.endpoint in (endpoint, "any")

    def selects(self, call_no: int, instruction_no: int | None = None) -> bool:
        if self.call is not None and call_no != self.call:
            return False
        if self.after_calls is not None and call_no <= self.after_calls:
            return False
        if self.instruction is not None and instruction_no != self.instruction:
            return False
        return True

    def describe(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()
                if v is not None and not (k == "latency_ms" and v == 0.0)}


@dataclass(frozen=True)
class FaultPlan:
    rules: tuple[FaultRule, ...] = ()

    @classmethod
    def from_text(cls, text: str, source: str = "<faults>") -> FaultPlan:
        try:
            # Composed within the spec loader's limits (size, depth, no recursive or exploding
            # aliases) first, so that neither loading nor collecting locations can run away.
            node = compose_bounded(text, source)
            data = yaml.safe_load(text)
        except YamlLimitError as exc:
            raise SpecError([exc.diagnostic]) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = Location(source, mark.line + 1, mark.column + 1) if mark else None
            raise SpecError([Diagnostic(f"not valid YAML or JSON: {getattr(exc, 'problem', exc)}",
                                        location=where)]) from None
        locations: dict[str, Location] = {}
        _collect_locations(node, "", source, locations)
        return cls.from_data(data, source, locations)

    @classmethod
    def from_file(cls, path: str | Path) -> FaultPlan:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SpecError([Diagnostic(f"cannot read the fault plan: {exc}",
                                        location=Location(str(path), 1, 1))]) from None
        return cls.from_text(text, str(path))

    @classmethod
    def from_data(cls, data: Any, source: str = "<faults>",
                  locations: dict[str, Location] | None = None) -> FaultPlan:
        locations = locations or {}
        prefix = ""
        if isinstance(data, dict) and set(data) == {"faults"}:
            data, prefix = data["faults"], "faults"
        if data is None:
            return cls()
        if not isinstance(data, list):
            raise SpecError([Diagnostic("a fault plan is a list of rules (or {faults: [...]})",
                                        location=locations.get(""), expected="a list")])
        rules, problems = [], []
        for index, item in enumerate(data):
            path = f"{prefix}[{index}]"
            rule, found = _parse_rule(item, path, locations)
            problems += found
            if rule:
                rules.append(rule)
        if problems:
            raise SpecError(problems)
        return cls(tuple(rules))


class FaultTracker:
    """How often each rule of a plan fired; thread-safe, cleared by the emulator's reset."""

    def __init__(self, plan: FaultPlan):
        self.plan = plan
        self._fired: dict[int, int] = {}
        self._lock = threading.Lock()

    def fire(self, endpoint: str, call_no: int, any_no: int, instruction_no: int | None = None,
             actions: tuple[str | None, ...] = (None, "status", "code"),
             by_instruction: bool = False) -> list[FaultRule]:
        """Rules that fire now for this call: the ``call_no``-th to ``endpoint`` and the
        ``any_no``-th of all. ``by_instruction`` picks the rules bound to an instruction number
        (run_sse, checked once the agent has the instruction) or the others."""
        fired = []
        with self._lock:
            for index, rule in enumerate(self.plan.rules):
                number = any_no if rule.endpoint == "any" else call_no
                if (not rule.applies_to(endpoint) or rule.action not in actions
                        or (rule.instruction is not None) != by_instruction
                        or not rule.selects(number, instruction_no)):
                    continue
                count = self._fired.get(index, 0)
                if rule.times is not None and count >= rule.times:
                    continue
                self._fired[index] = count + 1
                fired.append(rule)
        return fired

    def reset(self, plan: FaultPlan | None = None) -> None:
        with self._lock:
            self._fired.clear()
            if plan is not None:
                self.plan = plan


def _parse_rule(item: Any, path: str, locations: dict[str, Location]
                ) -> tuple[FaultRule | None, list[Diagnostic]]:
    def problem(message: str, key: str = "", **extra: Any) -> Diagnostic:
        where = f"{path}.{key}" if key else path
        return Diagnostic(message, path=where, location=locations.get(where) or locations.get(path),
                          **extra)

    if not isinstance(item, dict):
        return None, [problem("a rule is a mapping such as {endpoint: upload, status: 429}",
                              expected="a mapping")]
    problems = []
    for key in item:
        if key not in KEYS:
            close = difflib.get_close_matches(str(key), KEYS, n=1)
            problems.append(problem(f"unknown key {key!r}", str(key),
                                    expected="one of " + ", ".join(KEYS),
                                    hint=f"did you mean {close[0]!r}?" if close else None))
    endpoint = item.get("endpoint")
    if endpoint not in ENDPOINTS:
        close = difflib.get_close_matches(str(endpoint), ENDPOINTS, n=1)
        problems.append(problem("missing endpoint" if endpoint is None
                                else f"unknown endpoint {endpoint!r}", "endpoint",
                                expected="one of " + ", ".join(ENDPOINTS),
                                hint=f"did you mean {close[0]!r}?" if close else None))
    values: dict[str, Any] = {}
    for key, minimum in (("call", 1), ("after_calls", 0), ("instruction", 1), ("times", 1),
                         ("fail_first", 1)):
        if key in item:
            value = item[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                problems.append(problem(f"{key} must be a whole number >= {minimum}", key))
            values[key] = value
    if "status" in item:
        value = item["status"]
        if isinstance(value, bool) or not isinstance(value, int) or not 400 <= value <= 599:
            problems.append(problem("status must be an HTTP error status (400-599)", "status"))
        values["status"] = value
    if "code" in item:
        value = item["code"]
        if isinstance(value, bool) or not isinstance(value, int) or value == 0:
            problems.append(problem("code must be a non-zero whole number such as 1001", "code"))
        values["code"] = value
    if "drop" in item:
        if item["drop"] not in DROP_MODES:
            problems.append(problem(f"unknown drop mode {item['drop']!r}", "drop",
                                    expected="one of " + ", ".join(DROP_MODES)))
        values["drop"] = item["drop"]
    for key, low, high in (("truncate", 0.0, 1.0), ("latency_ms", 0.0, None),
                           ("retry_after", 0.0, None)):
        if key in item:
            value = item[key]
            bad = isinstance(value, bool) or not isinstance(value, (int, float)) or value < low
            if bad or (high is not None and value >= high):
                limit = f"between {low:g} and {high:g} (exclusive)" if high else f">= {low:g}"
                problems.append(problem(f"{key} must be a number {limit}", key))
            values[key] = float(value) if not bad else value
    if "message" in item:
        values["message"] = str(item["message"])
    problems += _check_combination(item, problem)
    if problems:
        return None, problems
    # No problems, so the endpoint is one of ENDPOINTS.
    return FaultRule(endpoint=cast(str, endpoint), **values), []


def _check_combination(item: dict[str, Any], problem: Any) -> list[Diagnostic]:
    problems = []
    actions = [name for name in ACTIONS if name in item]
    if len(actions) > 1:
        problems.append(problem("a rule has one action; found " + ", ".join(actions),
                                actions[1]))
    if not actions and "latency_ms" not in item:
        problems.append(problem("a rule needs an action",
                                expected="one of " + ", ".join(ACTIONS) + " or latency_ms"))
    for key, endpoint in ONLY_FOR.items():
        if key in item and item.get("endpoint") not in (endpoint, None):
            problems.append(problem(f"{key} applies to endpoint {endpoint} only", key,
                                    hint=f"use endpoint: {endpoint}"))
    if "call" in item and ("after_calls" in item or "instruction" in item):
        problems.append(problem("call cannot be combined with after_calls or instruction",
                                "call"))
    return problems


def _collect_locations(node: Any, path: str, source: str, out: dict[str, Location]) -> None:
    if node is None:
        return
    out.setdefault(path, Location(source, node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = f"{path}.{key_node.value}" if path else str(key_node.value)
            out[key] = Location(source, key_node.start_mark.line + 1,
                                key_node.start_mark.column + 1)
            if isinstance(value_node, (yaml.MappingNode, yaml.SequenceNode)):
                _collect_locations(value_node, key, source, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _collect_locations(child, f"{path}[{index}]", source, out)
