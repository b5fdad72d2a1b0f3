"""One instruction to the agent, sent at most once, its effect confirmed by reading the state.

Each instruction keeps a *journal* (a step's lock record, or a replay entry after a session was
rebuilt) that is saved before anything is sent:

    pending    written before the POST; the draft's digest at that moment is kept with it
    sent       the service answered the POST and streamed (it has the instruction)
    confirmed  the state shows what the instruction asked for
    rejected   the service refused the POST (nothing happened; safe to send again)

After a crash, ``pending``/``sent`` are reconciled from ``/state``: if the draft changed and
shows the intent, the instruction is confirmed without sending anything. A ``sent``
instruction that left no trace gets ONE corrective instruction, then the step fails with the
timeline summary; only a ``pending`` one that certainly changed nothing is sent again.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, MutableMapping

from ...errors import ApiError, RemoteStateError, TransportError
from ...events import Emit, Event
from . import draft as drafts
from . import intent
from .client import NemoClient
from .settings import NemoOptions
from .stream import StreamReader

Save = Callable[[], None]


@dataclass(frozen=True)
class Intent:
    """What one instruction asks for, from the plan's instruct step."""

    key: str
    kind: str
    text: str
    params: Mapping[str, Any]
    timeline: Mapping[str, Any]  # the output's timeline params: duration, fps, canvas

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass
class Settled:
    state: dict[str, Any]
    problems: list[str] = field(default_factory=list)

    @property
    def draft(self) -> Any:
        return self.state.get("draft") or {}


class Instructor:
    def __init__(self, client: NemoClient, options: NemoOptions, emit: Emit,
                 sleep: Callable[[float], None] = time.sleep):
        self._client, self._options, self._emit, self._sleep = client, options, emit, sleep

    def apply(self, session_id: str, want: Intent, journal: MutableMapping[str, Any],
              save: Save, step: str | None) -> None:
        """Make the draft of ``session_id`` show ``want``; ``journal`` records the progress."""
        same = journal.get("session_id") == session_id and \
            journal.get("text_sha256") == want.text_sha256
        status = journal.get("instruction") if same else None
        if status == "confirmed":
            return
        corrective = journal.get("corrective") if same else None
        if isinstance(corrective, dict) and corrective.get("instruction") in ("pending", "sent"):
            self._say(step, f"reconciling the corrective instruction for {want.key}")
            settled = self._settle(session_id, want, corrective.get("draft_before"), True,
                                   step)
            return self._finish_corrective(want, journal, corrective, settled, save, step)
        if status in ("pending", "sent"):
            self._say(step, f"checking whether instruction {want.key!r} reached the agent "
                            "before the last run stopped")
            settled = self._settle(session_id, want, journal.get("draft_before"), True, step)
            if not settled.problems:
                return self._confirm(journal, settled, save)
            if status == "sent" or drafts.digest(settled.draft) != journal.get("draft_before"):
                return self._correct(session_id, want, journal, settled, save, step)
        before = drafts.digest(self._client.state(session_id).get("draft") or {})
        journal.clear()
        journal.update(key=want.key, kind=want.kind, session_id=session_id,
                       text_sha256=want.text_sha256, instruction="pending", draft_before=before)
        save()
        answered = self._send(session_id, want.text, journal, save, step)
        settled = self._settle(session_id, want, before, answered.patient, step)
        if not settled.problems:
            return self._confirm(journal, settled, save)
        answered.release_held(self._emit, step)
        self._correct(session_id, want, journal, settled, save, step)

    def _send(self, session_id: str, text: str, journal: MutableMapping[str, Any], save: Save,
              step: str | None) -> "StreamReader":
        reader = StreamReader(self._emit, step)
        try:
            response = self._client.open_instruction(session_id, text)
        except TransportError:
            # The POST may or may not have reached the agent: only the state can tell.
            journal["instruction"] = "sent"
            save()
            reader.dropped = True
            return reader
        except ApiError:
            journal["instruction"] = "rejected"
            save()
            raise
        journal["instruction"] = "sent"
        save()
        reader.read(response)
        return reader

    def _settle(self, session_id: str, want: Intent, before: str | None, patient: bool,
                step: str | None) -> Settled:
        """Read the state until it shows ``want`` (changed since ``before``) or stops changing.

        ``patient`` (a silent or dropped stream, a resumed run): poll after ``poll_interval``,
        then every 2x, up to ``unchanged_polls`` reads without change. Otherwise one more read.
        """
        limit = self._options.unchanged_polls if patient else 1
        wait = self._options.poll_interval
        last, unchanged, started = None, 0, time.monotonic()
        while True:
            settled = self._read(session_id, want)
            current = drafts.digest(settled.draft)
            if not settled.problems and current != before:
                return settled
            unchanged = unchanged + 1 if current == last else 0
            last = current
            if unchanged >= limit:
                if not settled.problems and before is None:
                    return settled
                settled.problems = settled.problems or ["the draft did not change"]
                return settled
            self._emit(Event("heartbeat", step, {"elapsed": round(time.monotonic() - started, 1),
                                                 "text": "waiting for the agent's edit"}))
            self._sleep(wait)
            wait = self._options.poll_interval * 2

    def _read(self, session_id: str, want: Intent) -> Settled:
        state = self._client.state(session_id)
        found = intent.problems(state.get("draft") or {}, want.kind, want.params, want.timeline,
                                state)
        return Settled(state, found)

    def _correct(self, session_id: str, want: Intent, journal: MutableMapping[str, Any],
                 settled: Settled, save: Save, step: str | None) -> None:
        """Send ONE corrective instruction: the plain instruction restating the numbers."""
        self._say(step, f"the timeline does not show instruction {want.key!r} yet ("
                        + "; ".join(settled.problems) + "): sending one corrective instruction")
        corrective = {"instruction": "pending", "problems": settled.problems,
                      "draft_before": drafts.digest(settled.draft)}
        journal["corrective"] = corrective
        save()
        answered = self._send(session_id, want.text, corrective, save, step)
        after = self._settle(session_id, want, corrective["draft_before"], answered.patient,
                             step)
        if after.problems:
            answered.release_held(self._emit, step)
        self._finish_corrective(want, journal, corrective, after, save, step)

    def _finish_corrective(self, want: Intent, journal: MutableMapping[str, Any],
                           corrective: MutableMapping[str, Any], settled: Settled,
                           save: Save, step: str | None) -> None:
        if settled.problems:
            corrective["instruction"] = "failed"
            save()
            raise RemoteStateError(
                f"the agent did not carry out instruction {want.key!r}, even after a corrective "
                f"instruction: " + "; ".join(settled.problems)
                + f"\n{drafts.summary(settled.draft)}",
                hint=f"run `lapsefile run --force --only {_output_of(step)}` to retry from a "
                     "fresh session, or check the instruction templates")
        corrective["instruction"] = "confirmed"
        self._confirm(journal, settled, save)

    def _confirm(self, journal: MutableMapping[str, Any], settled: Settled, save: Save) -> None:
        journal["instruction"] = "confirmed"
        journal["draft"] = drafts.digest(settled.draft)
        save()

    def _say(self, step: str | None, text: str) -> None:
        self._emit(Event("message", step, {"text": text, "source": "lapsefile"}))


def _output_of(step: str | None) -> str:
    """The output named by a step id ("main/instruct-2" -> "main")."""
    return step.split("/", 1)[0] if step else "<output>"
