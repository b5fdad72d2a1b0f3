"""The event stream of ``/run_sse``, read tolerantly, in both documented shapes.

Wire format: ``data:`` lines ended by a blank line; ``:`` comment lines, empty ``data:`` and
heartbeat events all mean "still working". Payloads are either typed
(``{"type": "text", "content": ...}``, ``tool_call``, ``tool_result``, ``heartbeat``) or
agent-framework events (``{"content": {"parts": [{"text"} | {"functionCall"} |
{"functionResponse"}]}, "partial": bool}``). A payload that is not JSON is taken as text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import httpx

Kind = Literal["text", "tool_call", "tool_result", "heartbeat", "error"]

_TEXT_TYPES = {"text", "message", "delta", "content", "answer"}
_TOOL_CALL_TYPES = {"tool_call", "function_call", "tool_use"}
_TOOL_RESULT_TYPES = {"tool_result", "function_response", "tool_response"}
_HEARTBEAT_TYPES = {"heartbeat", "ping", "keepalive", "keep-alive", "status", "progress"}


@dataclass(frozen=True)
class AgentEvent:
    kind: Kind
    text: str = ""
    partial: bool = False  # a fragment of a longer text (agent-framework streaming)
    name: str | None = None  # tool name for tool events


def iter_events(lines: Iterable[str]) -> Iterator[AgentEvent]:
    """Agent events from the stream's text lines (without line endings)."""
    data: list[str] = []
    for line in lines:
        if line == "":
            if data:
                yield from parse_payload("\n".join(data))
                data = []
            continue
        if line.startswith(":"):
            yield AgentEvent("heartbeat")
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "data":
            data.append(value)
        elif line.lstrip().startswith(("{", "[")) and not data:
            # Newline-delimited JSON without the ``data:`` prefix: take each line as an event.
            yield from parse_payload(line)
    if data:  # a last event not followed by its blank line: the connection closed
        yield from parse_payload("\n".join(data))


PEEK_LIMIT = 1 << 16  # bytes: an error envelope is small; a longer first event is not one


def peek_first_event(response: httpx.Response) -> Any:
    """The decoded payload of a stream's first event (None if it is not JSON data), read
    without losing it: the bytes read are put back in front of the rest of the stream.

    A service that refuses an instruction may answer ``200 text/event-stream`` whose first event
    is an error envelope (``{"code": 1001, ...}``); the client checks it like any JSON answer.
    """
    if response.headers.get("content-encoding", "identity").lower() not in ("", "identity"):
        return None  # compressed: decoding belongs to httpx; the reader still sees errors
    inner: Any = response.stream  # a SyncByteStream: this is the synchronous client
    rest = iter(inner)
    head = b""
    try:
        while True:
            done, payload = _first_event(head)
            if done or len(head) > PEEK_LIMIT:
                break
            chunk = next(rest, None)
            if chunk is None:
                done, payload = True, _first_event(head + b"\n\n")[1]
                break
            head += chunk
    finally:
        response.stream = _Replay(head, rest, inner)
    return _decoded(payload) if done else None


def first_event(data: bytes) -> Any:
    """The decoded payload of the first event of a whole stream body (None if not JSON)."""
    return _decoded(_first_event(data + b"\n\n")[1])


def _decoded(payload: str | None) -> Any:
    if payload is None:
        return None
    try:
        return json.loads(payload)
    except ValueError:
        return None


def _first_event(head: bytes) -> tuple[bool, str | None]:
    """(complete, data of the first event) of the stream's first bytes."""
    lines = head.decode("utf-8", errors="replace").replace("\r\n", "\n").split("\n")
    data: list[str] = []
    for number, line in enumerate(lines):
        last = number == len(lines) - 1  # not yet ended by a newline: may be cut
        if last:
            return False, None
        if line == "":
            if data:
                return True, "\n".join(data)
            continue
        field, _, value = line.partition(":")
        if field == "data":
            data.append(value[1:] if value.startswith(" ") else value)
        elif line.lstrip().startswith(("{", "[")) and not data:
            return True, line
        else:
            return True, None  # a comment (keep-alive) or another field first: no envelope
    return False, None


class _Replay(httpx.SyncByteStream):
    """The peeked bytes, then the rest of the original stream."""

    def __init__(self, head: bytes, rest: Iterator[bytes], inner: Any):
        self._head, self._rest, self._inner = head, rest, inner

    def __iter__(self) -> Iterator[bytes]:
        if self._head:
            yield self._head
        yield from self._rest

    def close(self) -> None:
        self._inner.close()


def parse_payload(payload: str) -> Iterator[AgentEvent]:
    stripped = payload.strip()
    if not stripped or stripped == "[DONE]":
        yield AgentEvent("heartbeat")
        return
    try:
        value = json.loads(stripped)
    except ValueError:
        yield AgentEvent("text", payload)
        return
    yield from events_of(value)


def events_of(value: Any) -> Iterator[AgentEvent]:
    """Agent events of one decoded payload (or of a JSON answer holding a list of them)."""
    if isinstance(value, list):
        for item in value:
            yield from events_of(item)
        return
    if isinstance(value, str):
        yield AgentEvent("text", value)
        return
    if not isinstance(value, dict):
        yield AgentEvent("heartbeat")
        return
    content = value.get("content")
    if isinstance(content, dict) and isinstance(content.get("parts"), list):
        yield from _framework_events(value, content["parts"])
        return
    yield from _typed_events(value)


def _typed_events(value: dict[str, Any]) -> Iterator[AgentEvent]:
    kind = str(value.get("type") or value.get("event") or "").lower()
    if kind in _HEARTBEAT_TYPES:
        yield AgentEvent("heartbeat")
    elif kind in _TOOL_CALL_TYPES:
        yield AgentEvent("tool_call", name=_name(value))
    elif kind in _TOOL_RESULT_TYPES:
        yield AgentEvent("tool_result", name=_name(value))
    elif kind == "error" or value.get("error") or value.get("errorMessage") or \
            _refused(value):
        said = _first_text(value, "message", "error", "errorMessage", "msg")
        code = value.get("code")
        yield AgentEvent("error", f"{said} (code {code})" if code not in (None, 0) else said)
    else:
        text = _first_text(value, "content", "text", "delta", "message")
        if text and (kind in _TEXT_TYPES or not kind):
            yield AgentEvent("text", text, partial=bool(value.get("partial")))
        else:
            yield AgentEvent("heartbeat")


def _framework_events(value: dict[str, Any], parts: list[Any]) -> Iterator[AgentEvent]:
    partial = bool(value.get("partial"))
    if value.get("errorMessage") or value.get("error_message"):
        yield AgentEvent("error", _first_text(value, "errorMessage", "error_message"))
    produced = False
    for part in parts:
        if not isinstance(part, dict):
            continue
        if isinstance(part.get("text"), str) and part["text"] and not part.get("thought"):
            produced = True
            yield AgentEvent("text", part["text"], partial=partial)
        elif isinstance(part.get("functionCall"), dict):
            produced = True
            yield AgentEvent("tool_call", name=_name(part["functionCall"]))
        elif isinstance(part.get("functionResponse"), dict):
            produced = True
            yield AgentEvent("tool_result", name=_name(part["functionResponse"]))
    if not produced:
        yield AgentEvent("heartbeat")


def _refused(value: dict[str, Any]) -> bool:
    """An error envelope in the stream: a non-zero ``code`` or ``success: false``."""
    code = value.get("code")
    return value.get("success") is False or (
        code not in (None, 0, "0") and not isinstance(code, bool) and "content" not in value)


def _name(value: dict[str, Any]) -> str | None:
    name = value.get("name") or value.get("tool") or value.get("tool_name")
    return str(name) if name else None


def _first_text(value: dict[str, Any], *keys: str) -> str:
    for key in keys:
        item = value.get(key)
        if isinstance(item, str) and item:
            return item
    return ""
