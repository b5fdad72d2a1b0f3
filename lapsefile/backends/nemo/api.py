"""What the CLI asks of the service outside a run: the credit balance, a session's timeline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import draft as drafts
from .client import NemoClient
from .responses import REGISTER_URL
from .settings import NemoOptions


def credits(options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The balance: ``available``, ``frozen`` (held by running jobs) and ``total``; whether the
    token is anonymous, and for an anonymous user the link that registers the account."""
    settings = NemoOptions.from_mapping(options)
    with NemoClient(settings) as client:
        balance = client.credits()
        creds = client.credentials.current()
    available = _number(balance.get("available"))
    frozen = _number(balance.get("frozen"))
    total = balance.get("total")
    register = (REGISTER_URL.format(user_id=creds.user_id)
                if creds.anonymous and creds.user_id else None)
    return {"available": available, "frozen": frozen,
            "total": _number(total) if total is not None else available + frozen,
            "anonymous": creds.anonymous, "user_id": creds.user_id,
            "register_url": register, "api_url": settings.api_url}


def timeline_summary(session_id: str, options: Mapping[str, Any] | None = None) -> str:
    """``Timeline (3 tracks): 1. Video: 200 photos (0-30s) 2. BGM: music.wav (0-30s, 35%) ...``"""
    with NemoClient(NemoOptions.from_mapping(options)) as client:
        state = client.state(str(session_id))
    return drafts.summary(state.get("draft") or {})


def _number(value: Any) -> int | float:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0
