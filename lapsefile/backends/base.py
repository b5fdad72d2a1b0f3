"""The contract between the runner (core) and a backend that executes steps."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from ..events import Emit, Event, discard
from ..plan.model import Plan, Step
from ..project.model import Project

# A step's record as backends write and read it: JSON-able; no secrets, no absolute paths. The
# lock holds it as a typed lapsefile.lock.records.StepRecord; backends see it as this dict.
BackendRecord = dict[str, Any]
StepRecord = BackendRecord  # the former name, for plug-ins that import it


@dataclass
class RunContext:
    """What a backend may see and do while executing steps.

    ``checkpoint`` persists an in-flight record at once (atomically, in the lock), so that an
    action that must not be repeated can be written down *before* it is sent. ``backend_state``
    is the backend's own section of the lock (e.g. remote assets by sha256); it is saved with
    every checkpoint and after every step.
    """

    project: Project
    plan: Plan
    options: Mapping[str, Any] = field(default_factory=dict)  # backend options from the CLI
    backend_state: MutableMapping[str, Any] = field(default_factory=dict)
    previous: Mapping[str, BackendRecord] = field(default_factory=dict)  # step id -> last record
    recorded: Mapping[str, BackendRecord] = field(default_factory=dict)  # the same, any fingerprint
    emit: Emit = discard
    force: bool = False
    _checkpoint: Callable[[str, BackendRecord], None] = lambda step_id, record: None

    def record(self, step_id: str) -> BackendRecord | None:
        """The step's record from the lock as the previous run left it (resume data)."""
        return self.previous.get(step_id)

    def last_record(self, step_id: str) -> BackendRecord | None:
        """The step's record as the lock holds it now, even one made for other settings (what
        a cloud session already shows, for instance)."""
        return self.recorded.get(step_id)

    def checkpoint(self, step_id: str, record: BackendRecord) -> None:
        """Persist ``record`` (status "in_progress") for ``step_id`` now."""
        self._checkpoint(step_id, record)

    def say(self, text: str, step: str | None = None, source: str = "lapsefile") -> None:
        self.emit(Event("message", step, {"text": text, "source": source}))


class Backend(Protocol):
    name: ClassVar[str]

    def check(self, ctx: RunContext, steps: Sequence[Step]) -> None:
        """Fail early (EngineUnavailable, ApiError, ...) if ``steps`` cannot be executed."""

    def execute(self, ctx: RunContext,
                steps: Sequence[Step]) -> Iterator[tuple[Step, BackendRecord]]:
        """Execute ``steps`` (all needed, in plan order, one batch) and yield each finished step
        with its record. A record for a step that produced a file has an ``artifact`` entry:
        ``{"path": relpath, "size": int, "sha256": hex}``. Raise a LapsefileError on failure."""

    def report(self, ctx: RunContext) -> Mapping[str, Any]:
        """What the run cost or did beyond its steps (e.g. credits), for the closing summary;
        called once after the last step, even when a step failed."""
