"""Typed records of ``lapse.lock``: each output's entry and each step's record.

The JSON does not change: ``to_dict`` gives back what ``from_dict`` read (keys it does not
know included), so a lock loads and saves byte for byte. An output's entry:

    backend, fingerprint, settings, inputs_digest   the basis the existing output was made
                                                    from (the planner's): written only when
                                                    every step of a basis is done
    steps                                           step id -> step record
    failed                                          the last failed attempt, if any (kept
                                                    beside the good record, never over it)

A step record holds the runner's keys (``status``, ``fingerprint``, ``error``) and the
backend's own fields (``data``: ``artifact``, ``session_id``, an instruction's journal, ...).
Backends see records as dicts (``RunContext.record``); ``own_fields`` is their ``data``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import LockError

RUNNER_KEYS = ("status", "fingerprint", "error")
OUTPUT_KEYS = ("backend", "fingerprint", "settings", "inputs_digest", "steps", "failed")


def damaged(problem: str, path: str | None = None) -> LockError:
    return LockError(f"damaged: {problem}. Restore it from version control, or delete it to "
                     "start over (finished outputs are then re-made)", path)


def _string(value: Mapping[str, Any], key: str, where: str) -> str | None:
    found = value.get(key)
    if key in value and not isinstance(found, str):
        raise damaged(f"{where}.{key} should be a string")
    return found


@dataclass
class StepRecord:
    """One step's record: the runner's keys, and the backend's own fields in ``data``."""

    status: str | None = None  # "done", "failed", "in_progress"; None: not written
    fingerprint: str | None = None  # the step's fingerprint when it was written
    error: str | None = None  # the first line of the error of a failed step
    data: dict[str, Any] = field(default_factory=dict)  # the backend's fields, as it wrote them

    @classmethod
    def from_dict(cls, value: Any, where: str = "the step record") -> StepRecord:
        """A record read from the lock; a damaged shape raises LockError (naming ``where``)."""
        if not isinstance(value, dict):
            raise damaged(f"{where} should be a mapping")
        artifact = value.get("artifact")
        if artifact is not None and not (isinstance(artifact, dict)
                                         and isinstance(artifact.get("path"), str)):
            raise damaged(f"{where}.artifact should name a path")
        for key in RUNNER_KEYS:
            _string(value, key, where)
        return cls.split(value)

    @classmethod
    def split(cls, record: Mapping[str, Any]) -> StepRecord:
        """The runner's keys apart from the backend's fields, unchecked (a backend's record)."""
        return cls(record.get("status"), record.get("fingerprint"), record.get("error"),
                   {k: v for k, v in record.items() if k not in RUNNER_KEYS})

    def to_dict(self) -> dict[str, Any]:
        """The record as the lock holds it (and as backends see it)."""
        runner = {"status": self.status, "fingerprint": self.fingerprint, "error": self.error}
        return {**self.data, **{k: v for k, v in runner.items() if v is not None}}

    @property
    def artifact(self) -> dict[str, Any] | None:
        """The file the step made: ``{"path": relpath, "size": int, "sha256": hex}``."""
        return self.data.get("artifact") or None

    @property
    def files(self) -> list[dict[str, Any]]:
        """Every file the step made, as ``artifact`` describes one: the output, then the
        poster a render wrote beside it (gone or changed, either means the step is redone)."""
        made = [self.data.get("artifact"), self.data.get("poster")]
        return [f for f in made if isinstance(f, dict) and isinstance(f.get("path"), str)]


def own_fields(record: Mapping[str, Any] | None) -> dict[str, Any]:
    """A record (as backends see it) without the runner's keys: what the backend wrote."""
    return StepRecord.split(record or {}).data


@dataclass
class FailedAttempt:
    """A run that failed to make an output: what it aimed at, which step failed, why, when.

    Recorded beside the output's good record, which it never replaces: the file on disk is
    still what the header's settings made, and a spec put back to them needs no work.
    """

    fingerprint: str  # the output fingerprint the run aimed at (its basis)
    step: str
    error: str  # the first line of the error
    at: str  # UTC, ISO 8601 to the second

    @classmethod
    def from_dict(cls, value: Any, where: str) -> FailedAttempt:
        if not isinstance(value, dict) or not all(
                isinstance(value.get(k), str) for k in ("fingerprint", "step", "error", "at")):
            raise damaged(f"{where} should hold fingerprint, step, error and at as strings")
        return cls(value["fingerprint"], value["step"], value["error"], value["at"])

    def to_dict(self) -> dict[str, str]:
        return {"fingerprint": self.fingerprint, "step": self.step, "error": self.error,
                "at": self.at}


@dataclass
class OutputRecord:
    """One output's entry: the basis it was made from and its steps' records."""

    backend: str | None = None
    fingerprint: str | None = None
    settings: dict[str, Any] | None = None  # None: not recorded (an entry from a partial run)
    inputs_digest: str | None = None
    steps: dict[str, StepRecord] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # keys this version does not know
    failed: FailedAttempt | None = None  # the last failed attempt since the output was made

    @classmethod
    def from_dict(cls, value: Any, where: str = "the output") -> OutputRecord:
        """An entry read from the lock; a damaged shape raises LockError (naming ``where``)."""
        if not isinstance(value, dict):
            raise damaged(f"{where} should be a mapping")
        steps = value.get("steps", {})
        if not isinstance(steps, dict):
            raise damaged(f"{where}.steps should be a mapping")
        records = {step: StepRecord.from_dict(record, f"{where}.steps.{step}")
                   for step, record in steps.items()}
        settings = value.get("settings")
        if "settings" in value and not isinstance(settings, dict):
            raise damaged(f"{where}.settings should be a mapping")
        failed = value.get("failed")
        return cls(_string(value, "backend", where), _string(value, "fingerprint", where),
                   settings, _string(value, "inputs_digest", where), records,
                   {k: v for k, v in value.items() if k not in OUTPUT_KEYS},
                   None if failed is None else
                   FailedAttempt.from_dict(failed, f"{where}.failed"))

    def to_dict(self) -> dict[str, Any]:
        header = {"backend": self.backend, "fingerprint": self.fingerprint,
                  "settings": self.settings, "inputs_digest": self.inputs_digest}
        failed = {"failed": self.failed.to_dict()} if self.failed is not None else {}
        return {**self.extra, **{k: v for k, v in header.items() if v is not None}, **failed,
                "steps": {k: v.to_dict() for k, v in self.steps.items()}}

    def step(self, step_id: str) -> StepRecord | None:
        return self.steps.get(step_id)
