"""Answers in the documented envelopes, and the HTTP status that goes with each error.

Business endpoints: ``{"code": 0, "msg": "success", "data": {...}}``; errors carry their code and
a ``msg``. Render endpoints: the bare object (flat) or ``{"success": true, "data": {...}}``
(wrapped); their errors are ``{"success": false, "code": N, "message": "..."}`` (so a client
meets both ``msg`` and ``message``).

HTTP statuses with ``error_statuses="mapped"`` (the default): 1001 -> 401, 1002 -> 404,
2001 -> 200 (HTTP 402 is kept for the documented plan-tier/attribution refusal), 4000 -> 400,
4001 -> 415, 4002 -> 413, 4003 -> 400, 4004 -> 404, 4009 -> 409, 4010 -> 409, others -> 200.
With ``error_statuses="ok"`` every business error is HTTP 200. Errors that are HTTP-level by
the documentation keep their status either way: 400 (X-Client-Id), 402 (attribution), 422
(malformed /run_sse body), 429 (token rate limit) and injected 4xx/5xx faults.

Emulator-specific codes (the documentation names none for these): 4000 malformed request,
4003 URL not served by this service, 4004 render not found, 4009 duplicate render id,
4010 render not completed yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse

TOKEN_INVALID, SESSION_NOT_FOUND, OUT_OF_CREDITS = 1001, 1002, 2001
BAD_REQUEST, UNSUPPORTED_TYPE, TOO_LARGE, BAD_URL = 4000, 4001, 4002, 4003
RENDER_NOT_FOUND, DUPLICATE_RENDER, RENDER_NOT_READY = 4004, 4009, 4010
MAPPED_STATUS = {TOKEN_INVALID: 401, SESSION_NOT_FOUND: 404, OUT_OF_CREDITS: 200,
                 BAD_REQUEST: 400, UNSUPPORTED_TYPE: 415, TOO_LARGE: 413, BAD_URL: 400,
                 RENDER_NOT_FOUND: 404, DUPLICATE_RENDER: 409, RENDER_NOT_READY: 409}
DEFAULT_MESSAGES = {TOKEN_INVALID: "token invalid or expired", SESSION_NOT_FOUND:
                    "session not found", OUT_OF_CREDITS: "insufficient credits",
                    UNSUPPORTED_TYPE: "unsupported file type", TOO_LARGE: "file too large"}


class Failure(Exception):
    """An error answer. ``code``: a business code (status from the mapping) or None for an
    HTTP-level error with ``status``."""

    def __init__(self, message: str, code: int | None = None, status: int | None = None,
                 headers: Mapping[str, str] | None = None, extra: Mapping[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def http_status(self, error_statuses: str) -> int:
        if self.status is not None:
            return self.status
        if error_statuses == "ok":
            return 200
        return MAPPED_STATUS.get(self.code or 0, 200)

    def body_code(self) -> int:
        return self.code if self.code is not None else (self.status or 500)


def ok(data: Any) -> JSONResponse:
    return JSONResponse({"code": 0, "msg": "success", "data": data})


def business_error(failure: Failure, error_statuses: str) -> JSONResponse:
    body = {"code": failure.body_code(), "msg": failure.message, "data": None, **failure.extra}
    return JSONResponse(body, status_code=failure.http_status(error_statuses),
                        headers=failure.headers)


def render_ok(data: dict[str, Any], shape: str) -> JSONResponse:
    return JSONResponse(data if shape == "flat" else {"success": True, "data": data})


def render_error(failure: Failure, error_statuses: str) -> JSONResponse:
    body = {"success": False, "code": failure.body_code(), "message": failure.message,
            **failure.extra}
    return JSONResponse(body, status_code=failure.http_status(error_statuses),
                        headers=failure.headers)


def failure_for_code(code: int, message: str | None = None) -> Failure:
    return Failure(message or DEFAULT_MESSAGES.get(code, f"error {code}"), code=code)
