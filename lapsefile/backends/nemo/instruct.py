"""One instruction to the agent, sent at most once, its effect checked by reading the state.

Each instruction keeps a *journal* (a step's lock record, or a replay entry after a session was
rebuilt) that is saved before anything is sent:

    pending    written before the POST; the draft's digest at that moment is kept with it
    sent       the service answered the POST and streamed (it has the instruction)
    confirmed  the state shows the instruction carried out, or changed in a way that cannot be
               checked further (``verdict`` says which: confirmed / unverifiable)
    rejected   the service refused the POST (nothing happened; safe to send again)

After a crash, ``pending``/``sent`` are reconciled from ``/state``: if the draft changed and
shows the intent, the instruction is confirmed without sending anything. Only when documented
facts prove the edit missing (``intent.py``) is ONE corrective instruction sent; if that fails
too the step fails, and the next run stops at once with that verdict instead of paying again.
Only a ``pending`` instruction that certainly changed nothing is sent again.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from ...errors import ApiError, RemoteStateError, TransportError
from ...events import Emit, Event
from ...plan.step_ids import output_of
from . import draft as drafts
from . import intent
from .client import NemoClient
from .settings import NemoOptions
from .stream import StreamReader
from .waiting import Deadline, duration_text

Save = Callable[[], None]
Journal = MutableMapping[str, Any]


@dataclass(frozen=True)
class Intent:
    """What one instruction asks for, from the plan's instruct step."""

    key: str
    kind: str
    text: str
    params: Mapping[str, Any]
    timeline: Mapping[str, Any]  # the output's timeline params: duration, fps, canvas
    mode: str = "add"  # add, edit (change what an earlier run added) or remove

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass
class Settled:
    state: dict[str, Any]
    findings: intent.Findings = field(default_factory=intent.Findings)
    changed: bool = True  # the draft differs from the one before the instruction

    @property
    def draft(self) -> Any:
        return self.state.get("draft") or {}

    @property
    def missing(self) -> list[str]:
        """Proof that the instruction was not carried out (empty when there is none)."""
        if self.findings.missing:
            return self.findings.missing
        if not self.changed and self.findings.verdict != "confirmed":
            return ["the timeline did not change"]
        return []


class Instructor:
    def __init__(self, client: NemoClient, options: NemoOptions, emit: Emit,
                 sleep: Callable[[float], None] = time.sleep):
        self._client, self._options, self._emit, self._sleep = client, options, emit, sleep

    def apply(self, session_id: str, want: Intent, journal: Journal, save: Save,
              step: str | None) -> None:
        """Make the draft of ``session_id`` show ``want``; ``journal`` records the progress."""
        same = journal.get("session_id") == session_id and \
            journal.get("text_sha256") == want.text_sha256
        status = journal.get("instruction") if same else None
        if status == "confirmed":
            return
        deadline = self._deadline(want, step)
        corrective = journal.get("corrective") if same else None
        if isinstance(corrective, dict) and corrective.get("instruction") == "failed":
            return self._recheck_failed(session_id, want, journal, corrective, save, step)
        if isinstance(corrective, dict) and corrective.get("instruction") in ("pending", "sent"):
            self._say(step, f"reconciling the corrective instruction for {want.key}")
            settled = self._settle(session_id, want, corrective.get("draft_before"), True,
                                   deadline)
            return self._finish_corrective(want, journal, corrective, settled, save, step)
        if status in ("pending", "sent"):
            self._say(step, f"checking whether instruction {want.key!r} reached the agent "
                            "before the last run stopped")
            settled = self._settle(session_id, want, journal.get("draft_before"), True,
                                   deadline)
            if not settled.missing:
                return self._confirm(want, journal, settled, save, step)
            if status == "sent" or settled.changed:
                return self._correct(session_id, want, journal, settled, save, step)
        before = drafts.digest(self._client.state(session_id).get("draft") or {})
        kept = {k: journal[k] for k in ("applied", "from") if k in journal}
        journal.clear()
        journal.update(key=want.key, kind=want.kind, mode=want.mode, session_id=session_id,
                       text_sha256=want.text_sha256, instruction="pending",
                       draft_before=before, **kept)
        save()
        answered = self._send(session_id, want.text, journal, save, step, deadline)
        settled = self._settle(session_id, want, before, answered.patient, deadline)
        if not settled.missing:
            return self._confirm(want, journal, settled, save, step)
        answered.release_held(self._emit, step)
        self._correct(session_id, want, journal, settled, save, step)

    def _deadline(self, want: Intent, step: str | None) -> Deadline:
        return Deadline(f"the agent to carry out instruction {want.key}",
                        self._options.instruction_timeout, self._emit, step,
                        notice_every=self._options.notice_every)

    def _send(self, session_id: str, text: str, journal: Journal, save: Save,
              step: str | None, deadline: Deadline) -> StreamReader:
        reader = StreamReader(self._emit, step, deadline)
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
                deadline: Deadline) -> Settled:
        """Read the state until it shows ``want`` (changed since ``before``), stops changing,
        or the instruction's time is up.

        ``patient`` (a silent or dropped stream, a resumed run): poll after ``poll_interval``,
        then every 2x, up to ``unchanged_polls`` reads without change. Otherwise one more read.
        """
        limit = self._options.unchanged_polls if patient else 1
        wait = self._options.poll_interval
        last, unchanged = None, 0
        while True:
            settled = self._read(session_id, want, before)
            if settled.changed and not settled.missing:
                return settled
            current = drafts.digest(settled.draft)
            unchanged = unchanged + 1 if current == last else 0
            last = current
            if unchanged >= limit:
                return settled
            if deadline.expired:
                raise TransportError(
                    f"instruction {want.key!r} was sent, but the timeline still does not show "
                    f"it after {duration_text(deadline.elapsed)}: "
                    + "; ".join(settled.missing or ["no change yet"]),
                    hint="run again later: lapsefile checks the timeline again and does not "
                         "resend the instruction (raise the wait with --instruction-timeout)")
            deadline.tick()
            deadline.sleep(wait, self._sleep)
            wait = self._options.poll_interval * 2

    def _read(self, session_id: str, want: Intent, before: str | None) -> Settled:
        state = self._client.state(session_id)
        draft = state.get("draft") or {}
        findings = intent.check(draft, want.kind, want.params, want.timeline, state, want.mode)
        changed = before is None or drafts.digest(draft) != before
        return Settled(state, findings, changed)

    def _correct(self, session_id: str, want: Intent, journal: Journal, settled: Settled,
                 save: Save, step: str | None) -> None:
        """Send ONE corrective instruction: the plain instruction restating the numbers."""
        self._say(step, f"the timeline does not show instruction {want.key!r} ("
                        + "; ".join(settled.missing) + "): sending one corrective instruction")
        corrective: Journal = {"instruction": "pending", "problems": settled.missing,
                               "draft_before": drafts.digest(settled.draft)}
        journal["corrective"] = corrective
        save()
        deadline = self._deadline(want, step)
        answered = self._send(session_id, want.text, corrective, save, step, deadline)
        after = self._settle(session_id, want, corrective["draft_before"], answered.patient,
                             deadline)
        if after.missing:
            answered.release_held(self._emit, step)
        self._finish_corrective(want, journal, corrective, after, save, step)

    def _finish_corrective(self, want: Intent, journal: Journal, corrective: Journal,
                           settled: Settled, save: Save, step: str | None) -> None:
        if settled.missing:
            corrective["instruction"] = "failed"
            corrective["problems"] = settled.missing
            journal["verdict"] = "missing"
            save()
            raise _failure(want, settled.missing, settled.draft, "", step)
        corrective["instruction"] = "confirmed"
        self._confirm(want, journal, settled, save, step)

    def _recheck_failed(self, session_id: str, want: Intent, journal: Journal,
                        corrective: Journal, save: Save, step: str | None) -> None:
        """The last run paid for a corrective that did not work: one free look, no payment."""
        settled = self._read(session_id, want, corrective.get("draft_before"))
        if not settled.missing:
            corrective["instruction"] = "confirmed"
            return self._confirm(want, journal, settled, save, step)
        raise _failure(want, settled.missing, settled.draft,
                       " (found by the last run; nothing was sent this time)", step)

    def _confirm(self, want: Intent, journal: Journal, settled: Settled, save: Save,
                 step: str | None) -> None:
        verdict = settled.findings.verdict if settled.changed else "confirmed"
        journal["instruction"] = "confirmed"
        journal["verdict"] = verdict
        journal["draft"] = drafts.digest(settled.draft)
        journal["applied"] = None if want.mode == "remove" else dict(want.params)
        if verdict == "unverifiable":
            journal["unverified"] = settled.findings.unverified
            self._emit(Event("warning", step, {"text": (
                f"instruction {want.key!r} changed the timeline, but lapsefile cannot verify "
                "all of it: " + "; ".join(settled.findings.unverified) + " (going on)")}))
        else:
            journal.pop("unverified", None)
        save()

    def _say(self, step: str | None, text: str) -> None:
        self._emit(Event("message", step, {"text": text, "source": "lapsefile"}))


def _failure(want: Intent, missing: list[str], draft: Any, when: str,
             step: str | None) -> RemoteStateError:
    output = output_of(step) if step else "<output>"
    return RemoteStateError(
        f"the agent did not carry out instruction {want.key!r}, even after a corrective "
        f"instruction{when}: " + "; ".join(missing) + f"\n{drafts.summary(draft)}",
        hint=f"check the instruction's wording (cloud.templates) or the spec; "
             f"`lapsefile run --force --only {output}` rebuilds the output in a new session, "
             "which sends (and pays for) every instruction again")
