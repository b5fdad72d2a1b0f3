"""Progress and messages from the core and backends, rendered by the CLI (text, JSON or quiet).

The core never prints: it emits events to a sink. Kinds:
- ``plan``: data = {"steps": n, "needed": n}
- ``step_start`` / ``step_done`` / ``step_skip`` / ``step_failed``: step = step id
- ``progress``: data = {"done": x, "total": y, "unit": "s" | "B" | "files" | "%", "label": str}
- ``message``: data = {"text": str, "source": "agent" | "lapsefile"}; informative lines
- ``heartbeat``: the remote side is still working; data = {"elapsed": seconds}
- ``warning``: data = {"text": str}

Texts are carried as written (a title from the spec, a file name, an agent's reply): the sinks
that print them for people or as JSON (``cli/output.py``) make them safe for a terminal with
``lapsefile.terminal``, so no emitter has to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    """Something the core or a backend reports (``kind``: the list above), about which
    step, with its data; the CLI's sinks print it for people or as a JSON line."""

    kind: str
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"event": self.kind, "step": self.step, **self.data}


def discard(event: Event) -> None:
    """A sink that drops everything (library use, tests)."""


class Collector:
    """A sink that keeps events in a list."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]


Emit = Callable[[Event], None]
