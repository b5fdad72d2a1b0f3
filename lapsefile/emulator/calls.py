"""Every call, in order, for ``GET /_emulator/calls``; and the faults that strike on arrival."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .envelopes import SESSION_NOT_FOUND, TOKEN_INVALID, Failure, business_error, render_error
from .faults import FaultRule
from .state import ServiceState

ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    (method, re.compile(pattern), name) for method, pattern, name in (
        ("POST", r"/api/auth/anonymous-token", "token"),
        ("POST", r"/api/tasks/[^/]+/with-session/nemo_agent", "session"),
        ("POST", r"/api/upload-video/nemo_agent/[^/]+/(?P<sid>[^/]+)", "upload"),
        ("POST", r"/run_sse", "run_sse"),
        ("GET", r"/api/credits/balance/simple", "credits"),
        ("GET", r"/api/state/nemo_agent/[^/]+/(?P<sid>[^/]+)/latest", "state"),
        ("POST", r"/api/render/proxy/lambda", "render"),
        ("GET", r"/api/render/proxy/lambda/(?P<rid>[^/]+)", "render_status"),
        ("POST", r"/api/render/proxy/lambda/(?P<rid>[^/]+)/cancel", "cancel"),
        ("GET", r"/api/render/proxy/(?P<rid>[^/]+)/download", "download"),
        ("GET", r"/_renders/(?P<rid>[^/]+)/[^/]+", "download"),
        ("GET", r"/_files/.+", "files"),
    )]
RENDER_ENDPOINTS = {"render", "render_status", "cancel", "download"}
REASONS = {429: "too many requests", 500: "internal server error", 502: "bad gateway",
           503: "service unavailable", 504: "gateway timeout"}


def classify(method: str, path: str) -> tuple[str, str | None]:
    """(endpoint name, session id in the path or None); unknown paths are "other"."""
    for route_method, pattern, name in ROUTES:
        match = pattern.fullmatch(path)
        if match and route_method == method:
            return name, match.groupdict().get("sid")
    return "other", None


def error_response(request: Request, failure: Failure) -> Response:
    """The error in the envelope of the endpoint that was called, noted in the call log."""
    entry = request.scope.get("state", {}).get("call")
    state: ServiceState = request.app.state.service
    endpoint = entry["endpoint"] if entry else "other"
    if entry is not None:
        entry["code"] = failure.code
    render = render_error if endpoint in RENDER_ENDPOINTS else business_error
    return render(failure, state.config.error_statuses)


async def on_failure(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Failure)
    return error_response(request, exc)


async def on_disconnect(request: Request, exc: Exception) -> Response:
    """The client went away mid-request (killed, Ctrl-C): nobody reads the answer, and it is
    no server error worth a traceback in the log."""
    return Response(status_code=499)


def injected_failure(rule: FaultRule, request: Request, state: ServiceState) -> Failure:
    headers = {"Retry-After": f"{rule.retry_after:g}"} if rule.retry_after is not None else {}
    entry = request.scope.get("state", {}).get("call") or {}
    entry["fault"] = rule.describe()
    if rule.status is not None:
        return Failure(rule.message or REASONS.get(rule.status, "injected failure"),
                       status=rule.status, headers=headers)
    if rule.code == TOKEN_INVALID:
        state.revoke(request.headers.get("authorization"))
    if rule.code == SESSION_NOT_FOUND:
        state.forget_session(entry.get("session_id"))
    return Failure(rule.message or f"injected error {rule.code}", code=rule.code, headers=headers)


async def apply_latency(rules: list[FaultRule]) -> None:
    delay = sum(rule.latency_ms for rule in rules) / 1000
    if delay > 0:
        await asyncio.sleep(delay)


class CallLog:
    """ASGI middleware: logs each call, then applies the fault plan's arrival-time rules."""

    def __init__(self, app: ASGIApp, state: ServiceState):
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_emulator"):
            return await self.app(scope, receive, send)
        endpoint, session_id = classify(scope["method"], scope["path"])
        entry = self.state.begin_call(scope["method"], scope["path"], endpoint, session_id)
        scope.setdefault("state", {})["call"] = entry

        async def logged_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
                if entry["code"] is None and message["status"] < 400:
                    entry["code"] = 0
            await send(message)

        rules = self.state.tracker.fire(endpoint, entry["call_no"], entry["any_no"])
        await apply_latency(rules)
        failing = next((r for r in rules if r.action in ("status", "code")), None)
        if failing is not None:
            request = Request(scope, receive)
            response = error_response(request, injected_failure(failing, request, self.state))
            return await response(scope, receive, logged_send)
        if rules:
            entry["fault"] = [rule.describe() for rule in rules]
        await self.app(scope, receive, logged_send)


def calls_json(state: ServiceState) -> list[dict[str, Any]]:
    with state.lock:
        return [dict(entry) for entry in state.calls]
