"""Reading the API's answers: the two envelopes, and error codes turned into lapsefile errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from ...errors import (
    ApiError,
    ApiRequest,
    FileTooLarge,
    OutOfCredits,
    PlanTierError,
    RateLimited,
    SessionNotFound,
    TokenError,
    TransportError,
    UnsupportedFile,
)
from .settings import ACCEPTED_TYPES, MAX_UPLOAD_BYTES

REGISTER_URL = "https://nemovideo.com/register?bind={user_id}"


def json_body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def business_data(body: Any) -> Any:
    """``data`` of a ``{"code": 0, "data": ...}`` answer (the error check came first)."""
    return body.get("data") if isinstance(body, dict) else None


def render_data(body: Any) -> dict[str, Any]:
    """Render endpoints answer ``{"success": true, "data": {...}}`` or the bare object."""
    if not isinstance(body, dict):
        return {}
    data = body.get("data")
    return data if isinstance(data, dict) and data else body


def message_of(body: Any) -> str:
    if isinstance(body, dict):
        for key in ("msg", "message", "error", "detail"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
    return ""


def code_of(body: Any) -> int | None:
    if isinstance(body, dict):
        code = body.get("code")
        if isinstance(code, int) and not isinstance(code, bool):
            return code
        if isinstance(code, str) and code.lstrip("-").isdigit():
            return int(code)
    return None


def credit_hint(anonymous: bool, user_id: str | None) -> str:
    if anonymous and user_id:
        return ("register to get more credits and keep this account's work: "
                + REGISTER_URL.format(user_id=user_id))
    if anonymous:
        return "register at https://nemovideo.com/register to get more credits"
    return "top up the NemoVideo account whose token is in NEMO_TOKEN, then run again"


def error_for(request: ApiRequest, body: Any, *, anonymous: bool = True,
              user_id: str | None = None,
              scrub: Callable[[str], str] = lambda text: text) -> ApiError | None:
    """The lapsefile error an answer stands for, or None when it is a success."""
    status = request.status or 0
    code = code_of(body)
    request.code = code
    said = scrub(message_of(body))
    if said:
        request.detail["message"] = said
    suffix = f": {said}" if said else ""
    if code == 1001 or (status == 401 and code in (None, 0)):
        return TokenError("the API token is invalid or expired" + suffix, request)
    if code == 1002:
        return SessionNotFound("the NemoVideo session no longer exists" + suffix, request)
    if code == 2001:
        return OutOfCredits("out of NemoVideo credits" + suffix, request,
                            hint=credit_hint(anonymous, user_id))
    if code == 4001:
        return UnsupportedFile("the service does not accept this file type" + suffix, request,
                               hint="accepted types: " + ", ".join(ACCEPTED_TYPES))
    if code == 4002:
        return FileTooLarge("the file is larger than the service accepts" + suffix, request,
                            hint=f"the documented limit is {MAX_UPLOAD_BYTES // 2**20} MB: "
                                 "compress or trim the file")
    if status == 402:
        return PlanTierError(
            "the service refused the export (HTTP 402). This is about the account's plan tier "
            "(or requests missing the X-Skill-* attribution headers), not about credits"
            + suffix, request,
            hint="check which plan the account is on; lapsefile sends the attribution "
                 "headers on every request")
    if status == 429:
        return RateLimited("the service is rate limiting requests (HTTP 429)" + suffix, request,
                           hint="wait a minute and run again")
    if status >= 500:
        return TransportError(f"the service failed (HTTP {status})" + suffix, request,
                              hint="this is on the service's side; run again later to resume")
    if code not in (None, 0):
        return ApiError(f"the service answered error code {code}" + suffix, request)
    if isinstance(body, dict) and body.get("success") is False:
        return ApiError("the service reported a failure" + suffix, request)
    if status >= 400:
        return ApiError(f"the service refused the request (HTTP {status})" + suffix, request)
    return None
