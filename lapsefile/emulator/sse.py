"""``POST /run_sse``: the agent's turn, streamed as server-sent events.

The turn runs as its own task, apart from the connection: like the real service, an edit goes on
(and is charged) when the client goes away. The stream only reports it. Wire format: ``data:
{json}`` + blank line per event; while the agent works, a heartbeat every ``heartbeat_interval``
(``{"type": "heartbeat"}``, or sometimes a ``: keepalive`` comment or an empty ``data:`` line).
No final event: the stream just ends.

Typed shape: ``{"type": "text", "content"}``, ``{"type": "tool_call", "name", "args"}``,
``{"type": "tool_result", "name", "result"}``. Agent-framework shape (``sse_shape="adk"``):
``{"content": {"parts": [...], "role"}, "partial", "author": "nemo_agent", "id",
"invocationId", "timestamp"}`` with ``text``, ``functionCall`` or ``functionResponse`` parts;
text arrives as ``partial: true`` fragments followed by the whole text with ``partial: false``.

Tool names: adds as in :data:`TOOL_NAMES`; changes, replacements and removals as
``update_*``, ``replace_*`` and ``remove_*`` of the same object (:func:`tool_name`). A tool call's
``args`` are what the agent applied (see :mod:`.fidelity`), its text reply what was asked.
"""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from . import draft as drafts
from . import replies
from .agent import Edit, parse_instruction
from .api import authorize, json_body, note
from .calls import apply_latency, injected_failure
from .envelopes import OUT_OF_CREDITS, Failure, failure_for_code
from .fidelity import carry_out
from .state import ServiceState, Session, User

END, DROP = object(), object()
TOOL_NAMES = {"timeline": "create_timelapse", "clip": "set_video_track",
              "look": "apply_video_effects", "title": "add_text", "timestamp": "add_timestamp",
              "logo": "add_sticker", "music": "add_background_music"}
OBJECTS = {"look": "video_effects", "title": "text", "timestamp": "timestamp",
           "logo": "sticker", "music": "background_music"}
VERBS = {"set": "update", "replace": "replace", "remove": "remove"}


def tool_name(edit: Edit) -> str:
    if edit.action == "add" or edit.kind not in OBJECTS:
        return TOOL_NAMES[edit.kind]
    return f"{VERBS[edit.action]}_{OBJECTS[edit.kind]}"


class StreamDropped(Exception):
    """Raised to cut a response short on purpose: uvicorn closes the connection mid-body."""


async def run_sse(request: Request) -> Any:
    state, user = authorize(request)
    body = await json_body(request)
    session_id, text = body.get("session_id"), _message_text(body)
    if session_id is None or text is None:
        raise Failure("body needs session_id and new_message.parts[].text", status=422)
    note(request, session_id=str(session_id), instruction=text)
    session = state.session(session_id, user)
    number, index = state.next_instruction(session)
    entry = request.scope["state"]["call"]
    note(request, instruction_no=number)
    calls = (entry["call_no"], entry["any_no"], number)
    rules = state.tracker.fire("run_sse", *calls, actions=(None, "status", "code", "drop"),
                               by_instruction=True)
    rules += state.tracker.fire("run_sse", *calls, actions=("drop",))
    await apply_latency(rules)
    for rule in rules:
        if rule.action in ("status", "code"):
            raise injected_failure(rule, request, state)
    edit = parse_instruction(text)
    cost = state.config.cost(edit.cost_kind) if edit else 0
    if edit and not state.reserve(user, cost):
        raise failure_for_code(OUT_OF_CREDITS, "insufficient credits: this edit needs "
                               f"{cost}, {user.available} left")
    drop = next((r.drop for r in rules if r.action == "drop"), None)
    if drop:
        note(request, fault=[rule.describe() for rule in rules])
    seed = f"{state.config.seed}:{session.ordinal}:{index}"
    turn = Turn(state, session, user, edit, cost, seed, drop, str(request.base_url).rstrip("/"),
                entry, session.language)
    task = asyncio.get_running_loop().create_task(turn.run())
    state.tasks.add(task)
    task.add_done_callback(state.tasks.discard)
    return EventStream(turn.queue, entry)


def _message_text(body: dict[str, Any]) -> str | None:
    message = body.get("new_message")
    parts = message.get("parts") if isinstance(message, dict) else None
    if not isinstance(parts, list):
        return None
    texts = [p["text"] for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str)]
    return "\n".join(texts) if texts else None


class Turn:
    """One instruction's work. Puts encoded SSE chunks, then END (or DROP), on ``queue``."""

    def __init__(self, state: ServiceState, session: Session, user: User, edit: Edit | None,
                 cost: int, seed: str, drop: str | None, base_url: str,
                 entry: dict[str, Any], language: str):
        self.state, self.session, self.user, self.edit = state, session, user, edit
        self.cost, self.drop, self.base_url = cost, drop, base_url
        self.seed, self.rng = seed, random.Random(seed)
        self.entry = entry
        self.language = edit.language if edit else language
        # Drawn first, so they depend on nothing but the seed and the instruction's place.
        self.silent = self.rng.random() < state.config.silent_close_rate
        self.spurious = self.rng.random() < state.config.spurious_issue_rate
        self.queue: asyncio.Queue[Any] = asyncio.Queue()
        self.events = EventShaper(state.config.sse_shape, self.rng)
        self.dropped = False

    async def run(self) -> None:
        try:
            async with self.session.turn_lock:
                await self._act()
        finally:
            self._put(END)

    async def _act(self) -> None:
        delay = self.state.config.edit_delay
        if self.edit is None:
            await self._work(delay / 2 if self.drop else delay)
            self._record(outcome="not_understood")
            return self._drop() if self.drop else self._say(replies.NOT_UNDERSTOOD[self.language])
        if self.drop in ("before_apply", "mid_work"):
            await self._work(delay / 2)
            self._drop()
            if self.drop == "before_apply":
                self.state.settle(self.user, self.cost, spent=False)
                return self._record(outcome="lost", applied=False)
            await self._work(delay / 2)
        else:
            await self._work(delay)
        config = self.state.config
        fps = self.session.draft.get("m", {}).get("fps") or self.edit.params.get("fps")
        done = carry_out(self.edit, random.Random(f"{self.seed}:fidelity"), config.partial_rate,
                         config.approximate_rate, fps)
        try:
            new_draft = drafts.apply_edit(self.session.draft, done.edit, self.session.assets,
                                          self.base_url)
        except drafts.Refusal as refusal:
            self.state.settle(self.user, self.cost, spent=False)
            self._record(outcome="refused", applied=False)
            return self._say(str(refusal))
        name, args = tool_name(self.edit), done.edit.params
        if not self.silent:
            self._put(self.events.tool_call(name, args))
        with self.state.lock:
            self.session.draft = new_draft
        self.state.settle(self.user, self.cost, spent=True)
        degraded = {key: list(parts) for key, parts in
                    (("partial", done.dropped), ("approximate", done.moved)) if parts}
        self._record(outcome="applied", applied=True, charged=self.cost, silent=self.silent,
                     spurious=self.spurious and not self.silent, **degraded)
        if self.drop == "after_apply":
            return self._drop()
        if self.silent:
            return
        summary = drafts.summary(new_draft, reveal=config.draft_dialect != "opaque")
        self._put(self.events.tool_result(name, {"ok": True, "summary": summary}))
        self._say(replies.done(self.edit.kind, self.edit.params, self.language,
                               self.edit.action))
        if self.spurious:
            self._say(replies.TEMPORARY_ISSUE[self.language])

    async def _work(self, seconds: float) -> None:
        interval = self.state.config.heartbeat_interval
        while seconds > 1e-9:
            step = min(interval, seconds)
            await asyncio.sleep(step)
            seconds -= step
            if step >= interval - 1e-9:
                self._put(self.events.keepalive(self.state.config.keepalive_rate))

    def _say(self, text: str) -> None:
        for chunk in self.events.text(text):
            self._put(chunk)

    def _put(self, item: Any) -> None:
        if not self.dropped:
            self.queue.put_nowait(item)

    def _drop(self) -> None:
        self._put(DROP)
        self.dropped = True

    def _record(self, **facts: Any) -> None:
        with self.state.lock:
            self.entry.update(facts)


class EventShaper:
    """Encodes events in the configured shape."""

    def __init__(self, shape: str, rng: random.Random):
        self.shape, self.rng = shape, rng
        self.invocation = f"e-{rng.getrandbits(64):016x}"
        self.count = 0

    def text(self, text: str) -> list[bytes]:
        if self.shape == "typed":
            return [encode({"type": "text", "content": text})]
        words = text.split(" ")
        cut = max(1, len(words) // 2)
        fragments = [" ".join(words[:cut]) + " ", " ".join(words[cut:])] if len(words) > 1 else []
        return ([self._adk([{"text": f}], partial=True) for f in fragments]
                + [self._adk([{"text": text}], partial=False)])

    def tool_call(self, name: str, args: dict[str, Any]) -> bytes:
        if self.shape == "typed":
            return encode({"type": "tool_call", "name": name, "args": args})
        return self._adk([{"functionCall": {"id": self._id("call"), "name": name, "args": args}}])

    def tool_result(self, name: str, result: dict[str, Any]) -> bytes:
        if self.shape == "typed":
            return encode({"type": "tool_result", "name": name, "result": result})
        return self._adk([{"functionResponse": {"id": self._id("call"), "name": name,
                                                "response": result}}], role="user")

    def keepalive(self, keepalive_rate: float) -> bytes:
        draw = self.rng.random()
        if draw < keepalive_rate / 2:
            return b": keepalive\n\n"
        if draw < keepalive_rate:
            return b"data:\n\n"
        return encode({"type": "heartbeat"})

    def _adk(self, parts: list[dict[str, Any]], partial: bool = False,
             role: str = "model") -> bytes:
        return encode({"content": {"parts": parts, "role": role}, "partial": partial,
                       "author": "nemo_agent", "id": self._id("evt"),
                       "invocationId": self.invocation})

    def _id(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}-{self.invocation[2:10]}-{self.count}"


def encode(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload, ensure_ascii=False).encode("utf-8") + b"\n\n"


class EventStream:
    """An ASGI response that relays a turn's chunks; DROP cuts the connection."""

    def __init__(self, queue: asyncio.Queue[Any], entry: dict[str, Any]):
        self.queue, self.entry = queue, entry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"text/event-stream; charset=utf-8"),
            (b"cache-control", b"no-cache"), (b"x-accel-buffering", b"no")]})
        while True:
            item = await self.queue.get()
            if item is END:
                break
            if item is DROP:
                self.entry["stream"] = "dropped"
                raise StreamDropped("stream dropped by the fault plan")
            await send({"type": "http.response.body", "body": item, "more_body": True})
        self.entry["stream"] = "complete"
        await send({"type": "http.response.body", "body": b"", "more_body": False})
