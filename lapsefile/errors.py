"""The one exception tree of lapsefile.

Every error a user can cause or meet derives from :class:`LapsefileError` and carries what the
user needs to act on it. The CLI is the single boundary that turns these into messages and exit
codes (1 for all of them); anything else escaping is a bug (exit 3).

    LapsefileError
    ├── SpecError              bad lapse.yaml, inputs or timing (carries Diagnostics)
    ├── StorageError           a file or folder could not be written or read (disk full,
    │                          a file where a folder should be, ...); also an OSError
    ├── LockError              lapse.lock unreadable or in the way
    │   ├── LockVersionError   written by a newer lapsefile
    │   ├── LockBusyError      another run holds the project
    │   └── LockOutdatedError  ``run --locked`` and the lock does not match the spec
    ├── RenderError            ffmpeg failed (command and stderr tail)
    │   └── EngineUnavailable  no usable ffmpeg, or one lacking a needed capability
    └── ApiError               the cloud API said no, or could not be reached
        ├── TokenError         1001
        ├── SessionNotFound    1002
        ├── OutOfCredits       2001
        ├── PlanTierError      HTTP 402
        ├── RateLimited        HTTP 429
        ├── UnsupportedFile    4001
        ├── FileTooLarge       4002
        ├── RemoteStateError   the draft does not match what an instruction intended
        └── TransportError     connection failures, timeouts, 5xx after retries
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal


@dataclass(frozen=True)
class Location:
    """A place in a source file; line and col are 1-based."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a spec, its inputs or its timing."""

    message: str
    path: str = ""  # document path such as ``outputs[0].size``; "" for the whole document
    location: Location | None = None
    expected: str | None = None
    hint: str | None = None  # "did you mean ...", or how to fix it
    severity: Literal["error", "warning"] = "error"

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (loc.file, loc.line, loc.col, self.path) if loc else ("", 0, 0, self.path)

    def to_dict(self) -> dict[str, Any]:
        loc = self.location
        return {
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "file": loc.file if loc else None,
            "line": loc.line if loc else None,
            "col": loc.col if loc else None,
            "expected": self.expected,
            "hint": self.hint,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Diagnostic:
        """The diagnostic :meth:`to_dict` made ``data`` of; TypeError or KeyError for other
        data."""
        file, line, col = data["file"], data["line"], data["col"]
        if file is not None and not (isinstance(file, str) and type(line) is int
                                     and type(col) is int):
            raise TypeError("not a location")
        if data["severity"] not in ("error", "warning") or not isinstance(data["message"], str):
            raise TypeError("not a diagnostic")
        return cls(data["message"], data["path"], Location(file, line, col) if file is not None
                   else None, data["expected"], data["hint"], data["severity"])

    def __str__(self) -> str:
        head = f"{self.location}: " if self.location else ""
        where = f" (at {self.path})" if self.path else ""
        lines = [f"{head}{self.severity}: {self.message}{where}"]
        if self.expected:
            lines.append(f"  expected: {self.expected}")
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


class LapsefileError(Exception):
    """Base of every error a user is meant to read. ``exit_code`` is what the CLI returns."""

    exit_code = 1

    def to_dict(self) -> dict[str, Any]:
        return {"error": type(self).__name__, "message": str(self)}


class SpecError(LapsefileError):
    """The spec (or what it points at) is wrong; carries every diagnostic at once."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        errors = [d for d in self.diagnostics if d.severity == "error"]
        super().__init__(f"{len(errors)} error(s) in the spec")

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "diagnostics": [d.to_dict() for d in self.diagnostics]}


# errno -> (what it means, how to fix it): the one wording of file system faults.
_FULL = "free some space on that disk (or move the project to one with room), then run again"
_MEANINGS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("no space left on the device (the disk is full)", _FULL),
    errno.EFBIG: ("file too large (a file size limit, such as `ulimit -f`, or the file "
                  "system's)", "raise the limit or write to another disk, then run again"),
    errno.EDQUOT: ("disk quota exceeded", _FULL),
    errno.EROFS: ("read-only file system", "make it writable, or work on a copy of the "
                  "project on a writable disk"),
    errno.EACCES: ("permission denied", "give your user write access to it (or its folder)"),
    errno.EPERM: ("operation not permitted", "give your user write access to it (or its "
                  "folder)"),
    errno.EEXIST: ("a file is in the way where a folder is needed",
                   "move or rename that file, or choose another path in lapse.yaml"),
    errno.ENOTDIR: ("a part of this path is a file, where a folder is needed",
                    "move or rename that file, or choose another path in lapse.yaml"),
    errno.EISDIR: ("this is a folder, where a file is needed",
                   "move or remove the folder (lapsefile writes a file there)"),
    errno.ENOENT: ("no such file or folder", "check that the path exists"),
    errno.EIO: ("input/output error (the disk or its connection may be failing)",
                "check the disk, then run again"),
}


class StorageError(LapsefileError, OSError):
    """A file or folder could not be written or read: which one, what happened, how to fix it.

    Also an ``OSError`` (with the original ``errno``), so code that already treats a failed
    write as optional (``except OSError``: caches) keeps doing so.
    """

    def __init__(self, path: str | Path, problem: str, hint: str | None = None,
                 code: int | None = None):
        self.path, self.problem, self.hint = str(path), problem, hint
        OSError.__init__(self, code, problem)
        self.filename = self.path

    def __str__(self) -> str:
        text = f"{self.path}: {self.problem}"
        return f"{text}\nhint: {self.hint}" if self.hint else text

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "path": self.path, "errno": self.errno,
                "errno_name": errno.errorcode.get(self.errno or -1), "hint": self.hint}


# What writing to an open file can meet: no file name comes with these, but the cause is clear.
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS, errno.EIO})


def is_storage_fault(exc: BaseException) -> bool:
    """An OSError the environment caused on a file (named, or a write's), not a bug."""
    return isinstance(exc, OSError) and (exc.filename is not None or exc.errno in WRITE_ERRNOS)


def storage_error(exc: OSError, doing: str = "", path: str | Path | None = None,
                  hint: str | None = None) -> StorageError:
    """``exc`` as a StorageError: ``doing`` says what lapsefile was doing ("write the lock"),
    ``path`` which file (the error's own filename by default), ``hint`` a better fix."""
    if isinstance(exc, StorageError):
        return exc
    where = path if path is not None else (exc.filename if exc.filename is not None
                                           else "a file (the system did not say which)")
    meaning, default_hint = _MEANINGS.get(exc.errno or -1, (exc.strerror or str(exc), None))
    name = errno.errorcode.get(exc.errno or -1)
    problem = f"cannot {doing}: {meaning}" if doing else meaning
    return StorageError(where, f"{problem} ({name})" if name else problem, hint or default_hint,
                        exc.errno)


def full_disk(text: str) -> str | None:
    """What a tool's message (ffmpeg's stderr) says about a full disk, or None."""
    lowered = text.lower()
    for words, code in (("no space left on device", errno.ENOSPC),
                        ("file too large", errno.EFBIG), ("disk quota exceeded", errno.EDQUOT)):
        if words in lowered:
            meaning, fix = _MEANINGS[code]
            return f"{meaning}: {fix}"
    return None


class LockError(LapsefileError):
    def __init__(self, message: str, path: str | None = None):
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class LockVersionError(LockError):
    pass


class LockBusyError(LockError):
    pass


class LockOutdatedError(LockError):
    def __init__(self, message: str, path: str | None = None, stale_steps: Sequence[str] = ()):
        self.stale_steps = list(stale_steps)
        super().__init__(message, path)


class RenderError(LapsefileError):
    """ffmpeg failed. ``command`` is the argument list; ``stderr_tail`` its last lines."""

    def __init__(self, message: str, command: Sequence[str] = (), stderr_tail: str = "",
                 returncode: int | None = None):
        self.message = message
        self.command = list(command)
        self.stderr_tail = stderr_tail
        self.returncode = returncode
        super().__init__(message)

    def __str__(self) -> str:
        parts = [self.message]
        disk = full_disk(self.stderr_tail)
        if disk:  # said first: the real cause, buried in ffmpeg's last lines otherwise
            parts.append(f"the video could not be written: {disk}")
        if self.command:
            parts.append("command: " + " ".join(_shell_quote(a) for a in self.command))
        if self.stderr_tail:
            parts.append("ffmpeg said:\n" + self.stderr_tail.rstrip())
        return "\n".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "command": self.command, "stderr_tail": self.stderr_tail,
                "returncode": self.returncode}


class EngineUnavailable(RenderError):
    pass


@dataclass(repr=False, eq=False)  # never compared or printed (start-up)
class ApiRequest:
    """What was asked of the API, safe to show: never holds the token."""

    method: str
    path: str
    status: int | None = None
    code: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        status = f" -> HTTP {self.status}" if self.status is not None else ""
        code = f" code {self.code}" if self.code is not None else ""
        return f"{self.method} {self.path}{status}{code}"


class ApiError(LapsefileError):
    def __init__(self, message: str, request: ApiRequest | None = None, hint: str | None = None):
        self.message = message
        self.request = request
        self.hint = hint
        super().__init__(message)

    def __str__(self) -> str:
        parts = [self.message]
        if self.request:
            parts.append(f"request: {self.request}")
        if self.hint:
            parts.append(f"hint: {self.hint}")
        return "\n".join(parts)

    def to_dict(self) -> dict[str, Any]:
        req = self.request
        return {**super().to_dict(), "hint": self.hint,
                "request": None if req is None else {"method": req.method, "path": req.path,
                                                     "status": req.status, "code": req.code}}


class TokenError(ApiError):
    pass


class SessionNotFound(ApiError):
    pass


class OutOfCredits(ApiError):
    pass


class PlanTierError(ApiError):
    pass


class RateLimited(ApiError):
    pass


class UnsupportedFile(ApiError):
    pass


class FileTooLarge(ApiError):
    pass


class RemoteStateError(ApiError):
    pass


class TransportError(ApiError):
    pass


def _shell_quote(arg: str) -> str:
    import shlex

    return shlex.quote(str(arg))
