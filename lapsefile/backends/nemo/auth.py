"""The API token: from ``NEMO_TOKEN``, or anonymous and cached in the user's config folder.

The cache file holds one client id (generated once, reused for every anonymous token so the
service's one-token-per-client-id quota is not burnt) and one token per API base URL (an
emulator's token is useless against production and the other way round). It is written
atomically with mode 0600; the token itself never leaves this module except in a header.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import platformdirs

from ...atomic import write_atomic
from ...errors import TokenError
from ...oslock import OsLock

TOKEN_ENV = "NEMO_TOKEN"
CONFIG_DIR_ENV = "LAPSEFILE_CONFIG_DIR"
CACHE_NAME = "nemo-credentials.json"
EXPIRY_MARGIN = 600.0  # seconds: refresh a little before the service would refuse the token

FetchToken = Callable[[str], Mapping[str, Any]]  # client id -> the token endpoint's ``data``


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    override = env.get(CONFIG_DIR_ENV)
    return Path(override) if override else Path(platformdirs.user_config_dir("lapsefile"))


@dataclass(frozen=True)
class Credentials:
    token: str = field(repr=False)
    user_id: str | None = None
    anonymous: bool = True
    expires_at: float | None = None  # unix seconds, when known

    def __repr__(self) -> str:
        return (f"Credentials(user_id={self.user_id!r}, anonymous={self.anonymous}, "
                f"token=<hidden>)")

    __str__ = __repr__

    def expired(self, now: float | None = None) -> bool:
        if self.expires_at is None:
            return False
        return (now if now is not None else time.time()) >= self.expires_at - EXPIRY_MARGIN

    def authorization(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def scrub(self, text: str) -> str:
        """``text`` with the token (should a server echo it) blanked out."""
        return text.replace(self.token, "<token>") if self.token else text


class CredentialStore:
    """Hands out the current credentials and replaces an anonymous token when told to."""

    def __init__(self, api_url: str, fetch: FetchToken, env: Mapping[str, str] | None = None):
        self.api_url = api_url
        self._fetch = fetch
        self._env = os.environ if env is None else env
        self._dir = config_dir(self._env)
        self._current: Credentials | None = None
        self._used: list[Credentials] = []  # every token handed out, renewed ones included
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"CredentialStore(api_url={self.api_url!r}, dir={str(self._dir)!r})"

    @property
    def cache_path(self) -> Path:
        return self._dir / CACHE_NAME

    @property
    def registered(self) -> bool:
        return bool(self._env.get(TOKEN_ENV))

    def current(self) -> Credentials:
        with self._lock:
            if self._current is None or self._current.expired():
                self._current = self._load()
                self._used.append(self._current)
            return self._current

    def peek(self) -> Credentials | None:
        """The credentials in use, without fetching any."""
        return self._current

    def renew(self, refused: Credentials | None = None) -> Credentials:
        """A new anonymous token for the same client id (after the service said 1001).

        Several uploads may be refused at once: only the first asks for a new token, the
        others see that ``refused`` is no longer current and use the new one.
        """
        if self.registered:
            raise TokenError(f"the token in {TOKEN_ENV} is invalid or expired",
                             hint=f"set {TOKEN_ENV} to a current token, or unset it to use an "
                                  "anonymous one")
        with self._lock:
            if self._current is None or refused is None or self._current == refused:
                self._current = self._obtain(force=True)
                self._used.append(self._current)
            return self._current

    def scrub(self, text: str) -> str:
        """``text`` without any token this process used (an agent may quote one back)."""
        for creds in self._used:
            text = creds.scrub(text)
        return text

    def _load(self) -> Credentials:
        env_token = self._env.get(TOKEN_ENV)
        if env_token:
            return Credentials(env_token.strip(), user_id=None, anonymous=False)
        return self._obtain(force=False)

    def _obtain(self, force: bool) -> Credentials:
        self._dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Two runs starting at once must not both spend the client id's anonymous token.
        with OsLock(self._dir / (CACHE_NAME + ".lock"), timeout=60):
            cache = read_cache(self.cache_path)
            cached = cache.get("tokens", {}).get(self.api_url)
            if cached and not force:
                creds = _from_cache(cached)
                if creds and not creds.expired():
                    return creds
            client_id = cache.get("client_id") or str(uuid.uuid4())
            data = self._fetch(client_id)
            token = data.get("token") if isinstance(data, Mapping) else None
            if not isinstance(token, str) or not token:
                raise TokenError("the anonymous token endpoint answered without a token")
            user_id = data.get("user_id")
            expires_at = _parse_expiry(data.get("expires_at"))
            entry = {"token": token, "user_id": user_id, "expires_at": expires_at}
            cache["client_id"] = client_id
            cache["tokens"] = {url: kept for url, kept in cache.get("tokens", {}).items()
                               if _live(kept)}
            cache["tokens"][self.api_url] = entry
            write_cache(self.cache_path, cache)
            return Credentials(token, user_id=user_id, anonymous=True, expires_at=expires_at)


def read_cache(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_cache(path: Path, data: Mapping[str, Any]) -> None:
    """Atomic and private: mode 0600 is set before any byte is written (lapsefile.atomic)."""
    write_atomic(path, json.dumps(data, indent=2, sort_keys=True).encode("utf-8"), mode=0o600)


def _from_cache(entry: Mapping[str, Any]) -> Credentials | None:
    token = entry.get("token")
    if not isinstance(token, str) or not token:
        return None
    expires = entry.get("expires_at")
    return Credentials(token, user_id=entry.get("user_id"), anonymous=True,
                       expires_at=float(expires) if isinstance(expires, (int, float)) else None)


def _live(entry: Any) -> bool:
    creds = _from_cache(entry) if isinstance(entry, Mapping) else None
    return creds is not None and not creds.expired()


def _parse_expiry(value: Any) -> float | None:
    """The token endpoint's ``expires_at``: unix seconds or milliseconds, or an ISO 8601 time."""
    if isinstance(value, (int, float)) and value > 0:
        return float(value) / 1000 if value > 1e11 else float(value)
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return None
