"""Reading one instruction's event stream for the user: agent text, heartbeats, drops."""

from __future__ import annotations

import time
from collections.abc import Iterable

import httpx

from ...events import Emit, Event
from .responses import business_data, json_body
from .sse import AgentEvent, events_of, iter_events
from .waiting import Deadline
from .wording import looks_spurious, translate

HEARTBEAT_EVERY = 1.0  # seconds between heartbeat events shown, however often the server pings


class StreamReader:
    """Consumes a ``/run_sse`` answer; remembers whether the agent spoke or the stream broke.

    A "temporary issue" notice after a normal answer is held back: it is shown only if the
    state then turns out wrong (``release_held``).
    """

    def __init__(self, emit: Emit, step: str | None, deadline: Deadline | None = None):
        self._emit, self._step, self._deadline = emit, step, deadline
        self.spoke = False  # the agent said something other than a "temporary issue"
        self.dropped = False  # the connection broke (or ran past the time limit)
        self.tool_calls = 0
        self.held: list[str] = []
        self._fragments: list[str] = []
        self._started = time.monotonic()
        self._last_beat = float("-inf")

    @property
    def patient(self) -> bool:
        """Whether the state needs the full polling patience: the stream said nothing useful."""
        return self.dropped or not self.spoke

    def read(self, response: httpx.Response) -> None:
        try:
            for event in self._events(response):
                self._handle(event)
                if self._deadline is not None and self._deadline.expired:
                    self.dropped = True  # past the instruction's cap: the state decides
                    break
        except httpx.TransportError:
            self.dropped = True
        finally:
            response.close()
            self._flush()

    def release_held(self, emit: Emit, step: str | None) -> None:
        for text in self.held:
            emit(Event("message", step, {"text": translate(text), "source": "agent"}))
        self.held = []

    def _events(self, response: httpx.Response) -> Iterable[AgentEvent]:
        if response.is_closed:  # a JSON answer instead of a stream: its events, if any
            body = json_body(response)
            return events_of(business_data(body) if isinstance(body, dict) and "code" in body
                             else body)
        return iter_events(response.iter_lines())

    def _handle(self, event: AgentEvent) -> None:
        if event.kind == "heartbeat":
            self._beat()
        elif event.kind == "text" and event.partial:
            self._fragments.append(event.text)
        elif event.kind == "text":
            # The framework repeats the whole text after its fragments: show it once.
            if "".join(self._fragments) and not event.text.startswith("".join(self._fragments)):
                self._flush()
            self._fragments = []
            self._say(event.text)
        elif event.kind == "error":
            self._flush()
            self.held.append(f"(agent error) {event.text}" if event.text else "(agent error)")
        else:
            self._flush()
            self.tool_calls += 1
            self._beat()

    def _flush(self) -> None:
        text = "".join(self._fragments)
        self._fragments = []
        if text.strip():
            self._say(text)

    def _say(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        if looks_spurious(text) and self.spoke:
            self.held.append(text)
            return
        self.spoke = self.spoke or not looks_spurious(text)
        self._emit(Event("message", self._step, {"text": translate(text), "source": "agent"}))

    def _beat(self) -> None:
        now = time.monotonic()
        if now - self._last_beat >= HEARTBEAT_EVERY:
            self._last_beat = now
            if self._deadline is not None:
                self._deadline.tick()
                return
            self._emit(Event("heartbeat", self._step,
                             {"elapsed": round(now - self._started, 1), "text": "still working"}))
