"""Settings of one emulator instance: where it listens, how the service behaves, which faults."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .faults import FaultPlan

SseShape = Literal["typed", "adk"]
RenderShape = Literal["flat", "wrapped"]
UploadShape = Literal["files", "uploaded_files"]
ErrorStatuses = Literal["mapped", "ok"]
DraftDialect = Literal["classic", "camel", "opaque"]

WEEK = 7 * 24 * 3600.0


@dataclass
class EmulatorConfig:
    """Everything that shapes the emulator; tests pass small delays and a fixed seed.

    ``error_statuses``: "mapped" answers business errors with a matching HTTP status
    (1001 -> 401, 1002 -> 404, 4001 -> 415, 4002 -> 413, 2001 -> 200); "ok" answers every
    business error with HTTP 200 and the code in the body only.
    ``instruction_cost`` is one number for every kind, or a mapping kind -> credits (kinds
    missing from it cost 1).
    ``draft_dialect``: how ``/state`` spells the draft (see :mod:`lapsefile.emulator.draft`).
    ``partial_rate``: share of understood instructions with several parts of which the agent
    applies only some (one part dropped, or a title put in the wrong window).
    ``approximate_rate``: share whose times are off by one frame and percentages by up to one
    point. Both are drawn from the seed (see :mod:`lapsefile.emulator.fidelity`).
    """

    host: str = "127.0.0.1"
    port: int = 0  # 0: a free port, see EmulatorServer.url
    sse_shape: SseShape = "typed"
    render_shape: RenderShape = "flat"
    upload_shape: UploadShape = "files"
    error_statuses: ErrorStatuses = "mapped"
    heartbeat_interval: float = 2.0  # seconds between "still working" signals
    keepalive_rate: float = 0.3  # share of those sent as ": keepalive" or empty "data:" lines
    edit_delay: float = 0.0  # seconds the agent works before acting
    silent_close_rate: float = 0.3  # share of applied edits whose stream ends without text
    spurious_issue_rate: float = 0.1  # share of answered edits followed by a "temporary issue"
    partial_rate: float = 0.0  # share of several-part instructions applied only in part
    approximate_rate: float = 0.0  # share of instructions applied with slightly-off numbers
    draft_dialect: DraftDialect = "classic"
    seed: int = 0
    token_ttl: float = WEEK
    token_window: float = WEEK  # per window: one live token per client id, tokens_per_ip per IP
    tokens_per_ip: int = 10
    max_upload_bytes: int = 500 * 1024 * 1024
    initial_credits: int = 100
    instruction_cost: int | Mapping[str, int] = 1
    render_delay: float = 0.5  # seconds spent in "pending" and in each progress step
    render_steps: int = 4  # progress updates before the real render runs
    faults: FaultPlan = field(default_factory=FaultPlan)
    clock: Callable[[], float] = time.time
    data_dir: Path | None = None  # uploads and renders; None: a temp folder removed on stop
    log_level: str = "warning"  # uvicorn's

    def __post_init__(self) -> None:
        _choice("sse_shape", self.sse_shape, ("typed", "adk"))
        _choice("render_shape", self.render_shape, ("flat", "wrapped"))
        _choice("upload_shape", self.upload_shape, ("files", "uploaded_files"))
        _choice("error_statuses", self.error_statuses, ("mapped", "ok"))
        _choice("draft_dialect", self.draft_dialect, ("classic", "camel", "opaque"))
        for name in ("silent_close_rate", "spurious_issue_rate", "keepalive_rate",
                     "partial_rate", "approximate_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {value}")
        for name in ("heartbeat_interval", "token_ttl", "token_window"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, not {getattr(self, name)}")
        for name in ("edit_delay", "render_delay", "render_steps", "initial_credits",
                     "max_upload_bytes", "tokens_per_ip"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, not {getattr(self, name)}")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, not {self.port}")
        if self.data_dir is not None:
            self.data_dir = Path(self.data_dir)

    def cost(self, kind: str) -> int:
        """Credits one understood instruction of ``kind`` costs."""
        if isinstance(self.instruction_cost, Mapping):
            return int(self.instruction_cost.get(kind, 1))
        return int(self.instruction_cost)


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
