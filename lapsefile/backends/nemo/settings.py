"""Where the NemoVideo API is, how patient to be with it, and how lapsefile introduces itself."""

from __future__ import annotations

import os
import platform
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from ... import __version__
from ...errors import LapsefileError

DEFAULT_API_URL = "https://mega-api-prod.nemovideo.ai"
API_URL_ENV = "NEMO_API_URL"

# Per operation: a state read is quick, an upload may push hundreds of MB, an instruction's
# event stream may stay open up to 15 minutes (heartbeats keep each read far shorter).
TIMEOUT_DEFAULT = httpx.Timeout(30.0, connect=10.0)
TIMEOUT_UPLOAD = httpx.Timeout(60.0, connect=10.0, write=600.0)
TIMEOUT_SSE = httpx.Timeout(60.0, connect=10.0, read=900.0)
TIMEOUT_DOWNLOAD = httpx.Timeout(60.0, connect=10.0, read=300.0)

MAX_UPLOAD_BYTES = 500 * 1024 * 1024
ACCEPTED_TYPES: tuple[str, ...] = ("mp4", "mov", "avi", "webm", "mkv", "jpg", "jpeg", "png",
                                   "gif", "webp", "mp3", "wav", "m4a", "aac")


def platform_tag() -> str:
    """``linux-x86_64``, ``darwin-arm64``, ``windows-amd64``: where lapsefile runs."""
    system = platform.system().lower() or "unknown"
    machine = platform.machine().lower() or "unknown"
    return f"{system}-{machine}"


def attribution_headers() -> dict[str, str]:
    # Without these the service refuses exports with HTTP 402, so every request carries them.
    return {"X-Skill-Source": "lapsefile", "X-Skill-Version": __version__,
            "X-Skill-Platform": platform_tag()}


@dataclass(frozen=True)
class NemoOptions:
    """The backend's knobs, from ``ctx.options`` (CLI) with production defaults."""

    api_url: str = DEFAULT_API_URL
    concurrency: int = 8
    poll_interval: float = 30.0  # state polls after a silent or dropped stream: 1x, then 2x
    unchanged_polls: int = 5
    render_poll_interval: float = 10.0
    instruction_timeout: float = 300.0  # one instruction: its stream and the state polls after
    render_timeout: float = 900.0  # one export, from start (or resume) to completed
    rate_limit_wait: float = 30.0  # documented: wait 30 s after HTTP 429, then retry once
    rate_limit_cap: float = 120.0  # the longest Retry-After honoured
    notice_every: float = 30.0  # seconds between "still waiting for ..." lines
    retry_backoff: float = 0.5  # first wait before re-trying a GET; doubles each time
    retries: int = 3

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any] | None,
                     env: Mapping[str, str] | None = None) -> NemoOptions:
        opts = dict(options or {})
        env = os.environ if env is None else env
        api_url = opts.get("api_url") or env.get(API_URL_ENV) or DEFAULT_API_URL
        poll = _number(opts, "poll_interval", cls.poll_interval)
        render_default = poll if "poll_interval" in opts and opts["poll_interval"] is not None \
            else cls.render_poll_interval
        return cls(
            api_url=str(api_url).rstrip("/"),
            concurrency=max(1, int(_number(opts, "concurrency", cls.concurrency))),
            poll_interval=poll,
            unchanged_polls=max(1, int(_number(opts, "unchanged_polls", cls.unchanged_polls))),
            render_poll_interval=_number(opts, "render_poll_interval", render_default),
            instruction_timeout=_positive(opts, "instruction_timeout",
                                          cls.instruction_timeout),
            render_timeout=_positive(opts, "render_timeout", cls.render_timeout),
            rate_limit_wait=_number(opts, "rate_limit_wait", cls.rate_limit_wait),
            rate_limit_cap=_number(opts, "rate_limit_cap", cls.rate_limit_cap),
            notice_every=_positive(opts, "notice_every", cls.notice_every),
            retry_backoff=_number(opts, "retry_backoff", cls.retry_backoff),
            retries=max(0, int(_number(opts, "retries", cls.retries))),
        )


def _number(opts: Mapping[str, Any], key: str, default: float) -> float:
    value = opts.get(key)
    return default if value is None else float(value)


def _positive(opts: Mapping[str, Any], key: str, default: float) -> float:
    value = _number(opts, key, default)
    if not value > 0:
        raise LapsefileError(f"{key.replace('_', '-')} must be a positive number of seconds, "
                       f"not {opts.get(key)!r}")
    return value
