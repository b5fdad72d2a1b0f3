"""Render endpoints: start an export, poll it, cancel it, download the MP4."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.types import Receive, Scope, Send

from . import dialects
from . import draft as drafts
from .api import authorize, base_url, json_body, note, service
from .envelopes import (
    BAD_REQUEST,
    DUPLICATE_RENDER,
    RENDER_NOT_FOUND,
    RENDER_NOT_READY,
    Failure,
    render_ok,
)
from .sse import StreamDropped
from .state import RenderRecord, ServiceState, User

ATTRIBUTION = ("x-skill-source", "x-skill-version", "x-skill-platform")


async def start_render(request: Request) -> Response:
    state, user = authorize(request)
    missing = [h for h in ATTRIBUTION if not request.headers.get(h, "").strip()]
    if missing:
        raise Failure("export blocked: this plan does not allow export without attribution "
                      "headers (missing " + ", ".join(missing) + ")", status=402)
    body = await json_body(request)
    render_id, session_id = body.get("id"), body.get("sessionId") or body.get("session_id")
    if not isinstance(render_id, str) or not render_id.startswith("render_") or "/" in render_id:
        raise Failure('"id" must be a string "render_<unique>" chosen by the client',
                      code=BAD_REQUEST)
    note(request, session_id=None if session_id is None else str(session_id),
         render_id=render_id)
    session = state.session(session_id, user)
    draft = body.get("draft") if body.get("draft") is not None else session.draft
    if not drafts.is_ready(draft):
        raise Failure("the draft has no track with segments: nothing to export", code=BAD_REQUEST)
    with state.lock:  # a draft read from /state, in any dialect, renders as the session's
        draft = dialects.read(draft, session.served)
    asked = body.get("output")
    output = asked if isinstance(asked, dict) else {}
    entry = request.scope["state"]["call"]
    with state.lock:
        if render_id in state.renders:
            raise Failure(f"render id {render_id} already exists", code=DUPLICATE_RENDER)
        record = RenderRecord(id=render_id, session_id=session.session_id, user_id=user.user_id,
                              number=len(state.renders) + 1, draft=draft,
                              quality=str(output.get("quality", "standard")))
        rules = state.tracker.fire("render", entry["call_no"], entry["any_no"],
                                   actions=("fail_first",))
        record.fail_injected = any(record.number <= (r.fail_first or 0) for r in rules)
        state.renders[render_id] = record
    request.app.state.exporter.start(record)
    return render_ok({"id": render_id, "status": "pending", "progress": 0},
                     state.config.render_shape)


async def render_status(request: Request) -> Response:
    state, user = authorize(request)
    record = _record(state, request.path_params["rid"], user)
    with state.lock:
        url = _output_url(request, record) if record.status == "completed" else None
        data: dict[str, Any] = {"id": record.id, "status": record.status,
                                "progress": record.progress}
        if record.error:
            data["error"] = record.error
    if state.config.render_shape == "flat":
        data["output"] = {"url": url} if url else None
    else:
        data["outputUrl"] = url
    return render_ok(data, state.config.render_shape)


async def cancel_render(request: Request) -> Response:
    state, user = authorize(request)
    record = _record(state, request.path_params["rid"], user)
    with state.lock:
        running = record.status in ("pending", "processing")
        if running:
            record.status, record.error, record.cancelled = "failed", "cancelled", True
        data = {"id": record.id, "status": record.status, "cancelled": running}
    return render_ok(data, state.config.render_shape)


async def download(request: Request) -> Any:
    state, user = authorize(request)
    return _send_output(request, state, _record(state, request.path_params["rid"], user))


async def output_file(request: Request) -> Any:
    """The output URL: public, like a CDN link."""
    state = service(request)
    record = state.renders.get(request.path_params["rid"])
    if record is None:
        raise Failure("no such render", code=RENDER_NOT_FOUND)
    return _send_output(request, state, record)


def _send_output(request: Request, state: ServiceState, record: RenderRecord) -> Any:
    if record.status != "completed" or record.output is None or not record.output.is_file():
        raise Failure(f"render {record.id} is {record.status}, not completed",
                      code=RENDER_NOT_READY)
    entry = request.scope["state"]["call"]
    rules = state.tracker.fire("download", entry["call_no"], entry["any_no"],
                               actions=("truncate",))
    if rules:
        entry["fault"] = rules[0].describe()
        return Truncated(record.output, rules[0].truncate or 0.0, entry)
    return FileResponse(record.output, media_type="video/mp4", filename=f"{record.id}.mp4")


def _record(state: ServiceState, render_id: str, user: User) -> RenderRecord:
    with state.lock:
        record = state.renders.get(render_id)
    if record is None or record.user_id != user.user_id:
        raise Failure(f"render {render_id} not found", code=RENDER_NOT_FOUND)
    return record


def _output_url(request: Request, record: RenderRecord) -> str:
    return f"{base_url(request)}/_renders/{record.id}/output.mp4"


class Truncated:
    """Announces the whole file, sends ``fraction`` of it, then drops the connection."""

    def __init__(self, path: Path, fraction: float, entry: dict[str, Any]):
        self.path, self.fraction, self.entry = path, fraction, entry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        data = self.path.read_bytes()
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"video/mp4"), (b"content-length", str(len(data)).encode())]})
        await send({"type": "http.response.body", "body": data[:int(len(data) * self.fraction)],
                    "more_body": True})
        self.entry["stream"] = "dropped"
        raise StreamDropped("download truncated by the fault plan")
