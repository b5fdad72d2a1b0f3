"""Steps of a plan: what to do, to what, why, and a fingerprint of everything that shapes it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .planner import OutputBasis

Action = Literal["render", "session", "upload", "instruct", "export", "download"]

ReasonKind = Literal["new", "spec_changed", "input_changed", "output_missing", "failed",
                     "incomplete", "forced", "upstream", "up_to_date"]


@dataclass(frozen=True)
class Reason:
    """Why a step runs (or that it need not: ``up_to_date``), with what changed."""

    kind: ReasonKind
    details: tuple[str, ...] = ()  # which fields or files changed, which step went first, ...

    def __str__(self) -> str:
        label = {
            "new": "new",
            "spec_changed": "spec changed",
            "input_changed": "input changed",
            "output_missing": "output missing",
            "failed": "failed last time",
            "incomplete": "interrupted last time",
            "forced": "forced",
            "upstream": "an earlier step re-runs",
            "up_to_date": "up to date",
        }[self.kind]
        if not self.details:
            return label
        shown = ", ".join(self.details[:5])
        more = f" and {len(self.details) - 5} more" if len(self.details) > 5 else ""
        return f"{label}: {shown}{more}"


@dataclass(frozen=True)
class Step:
    """One unit of work of a plan, for one output, with the fingerprint of what it makes."""

    id: str  # unique in the plan, stable across runs: "<output>/<action>[-<n>]"
    action: Action
    output: str  # the output this step serves
    resource: str  # what it touches: a file path, "session", "instruction 2: title", ...
    fingerprint: str  # sha256 hex of everything that affects the result (chained to earlier steps)
    reason: Reason
    instruction: str | None = None  # cloud instruction text, for "instruct" steps
    batch: str | None = None  # steps with the same batch may be executed together
    params: Mapping[str, Any] = field(default_factory=dict)  # backend-specific, JSON-able

    @property
    def needed(self) -> bool:
        return self.reason.kind != "up_to_date"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "action": self.action,
            "output": self.output,
            "resource": self.resource,
            "fingerprint": self.fingerprint,
            "reason": self.reason.kind,
            "reason_details": list(self.reason.details),
            "reason_text": str(self.reason),
            "instruction": self.instruction,
            "params": dict(self.params),
        }


@dataclass(frozen=True)
class Plan:
    """Every step of every output for a backend, in order, needed or not."""

    backend: str
    steps: tuple[Step, ...]
    # output name -> what its steps derive from, computed once while planning; the runner
    # writes it into the lock with each record
    bases: Mapping[str, OutputBasis] = field(default_factory=dict, compare=False, repr=False)

    @property
    def needed(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.needed)

    def for_output(self, name: str) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.output == name)

    def to_dict(self) -> dict[str, Any]:
        return {"backend": self.backend, "steps": [s.to_dict() for s in self.steps]}
