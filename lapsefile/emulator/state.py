"""The emulated service's memory: users, tokens, sessions, uploads, renders and the call log.

Shared by the server's event loop, render threads and tests, so every change holds ``lock``.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import dialects
from . import draft as drafts
from .config import EmulatorConfig
from .envelopes import SESSION_NOT_FOUND, TOKEN_INVALID, Failure, failure_for_code
from .faults import FaultPlan, FaultTracker
from .store import Asset, FileStore

# Session ids stay unique across resets so a client's stale id never names a new session.
_SESSION_NUMBERS = itertools.count(1)
SERVED_DRAFTS = 32  # presentations remembered per session, to read exports back exactly


@dataclass
class User:
    user_id: str
    client_id: str
    available: int
    frozen: int = 0


@dataclass
class Token:
    value: str
    user_id: str
    client_id: str
    issued_at: float
    expires_at: float
    revoked: bool = False


@dataclass
class Session:
    session_id: str
    task_id: str
    user_id: str
    ordinal: int  # creation order since start or reset: seeds the agent's randomness
    language: str
    task_name: str
    draft: dict[str, Any]
    assets: list[Asset] = field(default_factory=list)
    instructions: int = 0
    turn_lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    served: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    def present(self, dialect: str) -> dict[str, Any]:
        """The draft as ``/state`` shows it, remembered so that an export sending it back
        renders exactly this draft (callers hold the service lock)."""
        shown = dialects.present(self.draft, dialect)
        if shown is not self.draft:
            self.served[dialects.digest(shown)] = self.draft
            while len(self.served) > SERVED_DRAFTS:
                self.served.pop(next(iter(self.served)))
        return shown


@dataclass
class RenderRecord:
    id: str
    session_id: str
    user_id: str
    number: int  # creation order: fail_first counts these
    draft: dict[str, Any]
    quality: str
    status: str = "pending"
    progress: int = 0
    output: Path | None = None
    error: str | None = None
    cancelled: bool = False
    fail_injected: bool = False  # a fault plan's fail_first: ends "failed" without rendering

    def describe(self) -> dict[str, Any]:
        return {"id": self.id, "session_id": self.session_id, "status": self.status,
                "progress": self.progress, "error": self.error}


class ServiceState:
    def __init__(self, config: EmulatorConfig, data_dir: Path):
        self.config = config
        self.data_dir = data_dir
        self.files = FileStore(data_dir / "files")
        self.renders_dir = data_dir / "renders"
        self.lock = threading.RLock()
        self.tracker = FaultTracker(config.faults)
        self.clock_offset = 0.0
        self._clear()

    def _clear(self) -> None:
        self.users: dict[str, User] = {}  # by client id
        self.tokens: dict[str, Token] = {}
        self.token_issues: list[tuple[str, float]] = []  # (ip, when)
        self.sessions: dict[str, Session] = {}
        self.renders: dict[str, RenderRecord] = {}
        self.calls: list[dict[str, Any]] = []
        self.call_counts: dict[str, int] = {}
        self.instruction_count = 0
        self.session_count = 0
        self.tasks: set[asyncio.Task[None]] = set()

    def now(self) -> float:
        return self.config.clock() + self.clock_offset

    def reset(self) -> None:
        with self.lock:
            for record in self.renders.values():
                record.cancelled = True
            self._clear()
            self.tracker.reset()
            self.clock_offset = 0.0
            self.files.clear()

    def set_faults(self, plan: FaultPlan) -> None:
        with self.lock:
            self.config.faults = plan
            self.tracker.reset(plan)

    # The call log -------------------------------------------------------------------------

    def begin_call(self, method: str, path: str, endpoint: str,
                   session_id: str | None) -> dict[str, Any]:
        with self.lock:
            self.call_counts[endpoint] = self.call_counts.get(endpoint, 0) + 1
            self.call_counts["any"] = self.call_counts.get("any", 0) + 1
            entry = {"seq": len(self.calls) + 1, "method": method, "path": path,
                     "endpoint": endpoint, "session_id": session_id, "status": None,
                     "code": None, "instruction": None, "fault": None, "time": self.now(),
                     "call_no": self.call_counts[endpoint], "any_no": self.call_counts["any"]}
            self.calls.append(entry)
            return entry

    # Tokens and users ---------------------------------------------------------------------

    def issue_token(self, client_id: str, ip: str) -> tuple[Token, User]:
        now, cfg = self.now(), self.config
        with self.lock:
            live = [t for t in self.tokens.values()
                    if t.client_id == client_id and not t.revoked and t.expires_at > now
                    and now - t.issued_at < cfg.token_window]
            recent = [when for addr, when in self.token_issues
                      if addr == ip and now - when < cfg.token_window]
            if live or len(recent) >= cfg.tokens_per_ip:
                why = "one anonymous token per client" if live else "too many tokens from this IP"
                raise Failure(f"rate limited: {why} per 7 days", status=429)
            user = self.users.get(client_id)
            if user is None:
                user = User(f"anon_{secrets.token_hex(8)}", client_id, cfg.initial_credits)
                self.users[client_id] = user
            token = Token(f"nmv_usr_{secrets.token_urlsafe(24)}", user.user_id, client_id, now,
                          now + cfg.token_ttl)
            self.tokens[token.value] = token
            self.token_issues.append((ip, now))
            return token, user

    def authenticate(self, authorization: str | None) -> User:
        value = _bearer(authorization)
        with self.lock:
            token = self.tokens.get(value) if value else None
            if token is None or token.revoked or token.expires_at <= self.now():
                raise failure_for_code(TOKEN_INVALID, "token invalid or expired" if value
                                       else "missing bearer token")
            return next(u for u in self.users.values() if u.user_id == token.user_id)

    def revoke(self, authorization: str | None) -> None:
        with self.lock:
            token = self.tokens.get(_bearer(authorization) or "")
            if token:
                token.revoked = True

    # Credits -------------------------------------------------------------------------------

    def reserve(self, user: User, cost: int) -> bool:
        """Hold ``cost`` credits for an instruction in progress (they show as frozen)."""
        with self.lock:
            if user.available < cost:
                return False
            user.available -= cost
            user.frozen += cost
            return True

    def settle(self, user: User, cost: int, spent: bool) -> None:
        with self.lock:
            user.frozen -= cost
            if not spent:
                user.available += cost

    # Sessions ------------------------------------------------------------------------------

    def create_session(self, user: User, task_name: str, language: str) -> Session:
        with self.lock:
            self.session_count += 1
            number = next(_SESSION_NUMBERS)
            session = Session(session_id=f"{7_300_000_000_000 + number * 7919}",
                              task_id=f"task_{secrets.token_hex(6)}", user_id=user.user_id,
                              ordinal=self.session_count, language=language, task_name=task_name,
                              draft=drafts.empty_draft(task_name))
            self.sessions[session.session_id] = session
            return session

    def session(self, session_id: Any, user: User) -> Session:
        with self.lock:
            session = self.sessions.get(str(session_id))
            if session is None or session.user_id != user.user_id:
                raise failure_for_code(SESSION_NOT_FOUND, f"session {session_id} not found")
            return session

    def forget_session(self, session_id: str | None) -> None:
        with self.lock:
            self.sessions.pop(str(session_id), None)

    def add_assets(self, session: Session, assets: list[Asset]) -> None:
        """Append in upload order; the same name and content uploaded again is one asset."""
        with self.lock:
            known = {(a.filename, a.hash) for a in session.assets}
            for asset in assets:
                if (asset.filename, asset.hash) not in known:
                    session.assets.append(asset)
                    known.add((asset.filename, asset.hash))

    def next_instruction(self, session: Session) -> tuple[int, int]:
        """(number of this instruction server-wide, its index in the session), both from 1."""
        with self.lock:
            self.instruction_count += 1
            session.instructions += 1
            return self.instruction_count, session.instructions

    # Inspection ----------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "time": self.now(),
                "users": [{"user_id": u.user_id, "client_id": u.client_id,
                           "available": u.available, "frozen": u.frozen}
                          for u in self.users.values()],
                "sessions": [{"session_id": s.session_id, "task_id": s.task_id,
                              "user_id": s.user_id, "language": s.language,
                              "instructions": s.instructions, "draft": s.draft,
                              "assets": [a.filename for a in s.assets]}
                             for s in self.sessions.values()],
                "renders": [r.describe() for r in self.renders.values()],
                "instructions": self.instruction_count,
                "calls": len(self.calls),
            }


def _bearer(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def iso_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
