"""Getting files to the service once, then into a session in order.

Bytes are sent concurrently (bounded) to a *staging* session, and only files the service does
not already have (by sha256, across runs: ``backend_state["assets"]``) are sent at all. The
session the timeline is built in then receives every file, in display order, in one JSON call
by URL. Concurrent uploads finish in any order, and the agent is told to use the photos "in
upload order", so the order is fixed by that single attach call rather than by the network.
"""

from __future__ import annotations

import mimetypes
import os
import threading
import time
from collections.abc import Callable, MutableMapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ...errors import ApiError, FileTooLarge, SessionNotFound, UnsupportedFile
from .client import NemoClient
from .proxies import UploadFile
from .settings import ACCEPTED_TYPES, MAX_UPLOAD_BYTES

ATTACH_CHUNK = 1000  # URLs per attach call; calls go one after another, so order holds


def check_uploadable(file: UploadFile) -> None:
    """Refuse locally what the service would refuse (4001/4002), before sending a byte."""
    ext = PurePosixPath(file.filename).suffix.lower().lstrip(".")
    if ext not in ACCEPTED_TYPES:
        raise UnsupportedFile(f"{file.source}: the service does not accept .{ext or '?'} files",
                              hint="accepted types: " + ", ".join(ACCEPTED_TYPES))
    if file.size > MAX_UPLOAD_BYTES:
        raise FileTooLarge(
            f"{file.source}: {file.size / 2**20:.0f} MB is over the service's "
            f"{MAX_UPLOAD_BYTES // 2**20} MB limit",
            hint="compress or trim it (for photos, lower cloud.proxy_max_edge)")


def unsigned(url: str) -> str:
    """``url`` as the lock may keep it: without query string, fragment or ``user:password@``.

    A CDN link may be signed (``?X-Amz-Signature=...&X-Amz-Credential=...``): a credential,
    and the lock is meant to be committed. Without the signature the link may not work next
    run; the service then refuses it and the file is sent again as bytes."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class AssetRegistry:
    """``backend_state["assets"]``: sha256 -> {"url", "filename", "size", "api_url"}; main
    thread only.

    Each URL is remembered with the API address that handed it out: another address (another
    service, a restarted emulator) may not be able to fetch it, so such entries are forgotten
    on load and their files sent again as bytes. (Not by the URL's host: a CDN has its own.)

    The lock keeps URLs :func:`unsigned`; the URLs as the service handed them out in this run
    (signed, so they surely work) are kept in memory only, for attaching by URL. A URL read
    from the lock is used as stored."""

    def __init__(self, backend_state: MutableMapping[str, Any], api_url: str | None = None):
        self._assets: MutableMapping[str, Any] = backend_state.setdefault("assets", {})
        self._api_url = api_url
        self._signed: dict[str, str] = {}  # sha256 -> URL as handed out; never saved
        if api_url:
            for sha in [sha for sha, entry in self._assets.items()
                        if not isinstance(entry, dict)
                        or entry.get("api_url", api_url) != api_url]:
                del self._assets[sha]
        self._scrub_loaded()

    def _scrub_loaded(self) -> None:
        """Locks written before URLs were kept unsigned: sign-free from now on, and the
        stored (signed) URL still used in this run, as stored."""
        for sha, entry in self._assets.items():
            url = entry.get("url") if isinstance(entry, dict) else None
            if isinstance(url, str) and unsigned(url) != url:
                self._signed[sha] = url
                entry["url"] = unsigned(url)

    def url(self, sha256: str) -> str | None:
        entry = self._assets.get(sha256)
        stored = entry.get("url") if isinstance(entry, dict) else None
        if not stored:
            return None  # forgotten here or by another registry over the same lock
        signed = self._signed.get(sha256)
        return signed if signed and unsigned(signed) == stored else stored

    def put(self, file: UploadFile, url: str) -> None:
        entry = {"url": unsigned(url), "filename": file.filename, "size": file.size}
        if self._api_url:
            entry["api_url"] = self._api_url
        self._assets[file.sha256] = entry
        self._signed[file.sha256] = url

    def forget(self, shas: Sequence[str]) -> None:
        """Drop these URLs (the service refused them): their files are sent again as bytes."""
        for sha in shas:
            self._assets.pop(sha, None)
            self._signed.pop(sha, None)

    def retain(self, shas: set[str]) -> None:
        """Forget every asset but ``shas`` (what the lock's outputs still use)."""
        for sha in [sha for sha in self._assets if sha not in shas]:
            del self._assets[sha]
        for sha in [sha for sha in self._signed if sha not in shas]:
            del self._signed[sha]


class StagingSession:
    """The session that receives bytes; replaced if the service forgets it (1002)."""

    def __init__(self, client: NemoClient, language: str):
        self._client, self._language = client, language
        self._id: str | None = None
        self._lock = threading.Lock()

    def current(self) -> str:
        with self._lock:
            if self._id is None:
                self._id = self._client.create_session(self._language)["session_id"]
            return self._id

    def replace(self, lost: str) -> str:
        with self._lock:
            if self._id == lost:
                self._id = None
        return self.current()


@dataclass
class UploadStats:
    files: int = 0  # distinct files the session receives
    sent: int = 0  # of those, sent as bytes in this run
    reused: int = 0  # already on the service (earlier run or another output)
    bytes_sent: int = 0


Prepare = Callable[[], UploadFile]
Progress = Callable[[UploadStats, int], None]  # stats so far, total bytes to send


class Uploader:
    def __init__(self, client: NemoClient, registry: AssetRegistry, staging: StagingSession,
                 concurrency: int):
        self._client, self._registry, self._staging = client, registry, staging
        self._concurrency = concurrency

    def ensure_remote(self, tasks: Sequence[Prepare],
                      progress: Progress) -> tuple[list[UploadFile], UploadStats]:
        """Prepare every file (proxies in parallel) and send the ones the service lacks."""
        files: list[UploadFile | None] = [None] * len(tasks)
        stats, queued = UploadStats(), set()
        total = 0
        prepare_pool = ThreadPoolExecutor(max(1, min(os.cpu_count() or 2, 8)), "lapse-proxy")
        upload_pool = ThreadPoolExecutor(self._concurrency, "lapse-upload")
        pending: dict[Future[Any], tuple[str, int]] = {
            prepare_pool.submit(task): ("prepare", i) for i, task in enumerate(tasks)}
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    kind, index = pending.pop(future)
                    if kind == "upload":
                        self._record(future.result(), stats)
                        progress(stats, total)
                        continue
                    file = files[index] = future.result()
                    check_uploadable(file)
                    if file.sha256 in queued:
                        continue
                    queued.add(file.sha256)
                    stats.files += 1
                    if self._registry.url(file.sha256):
                        stats.reused += 1
                        continue
                    total += file.size
                    pending[upload_pool.submit(self._send, file)] = ("upload", index)
        finally:
            prepare_pool.shutdown(wait=True, cancel_futures=True)
            upload_pool.shutdown(wait=True, cancel_futures=True)
            # Uploads that finished while we were stopping are paid-for bytes: remember them.
            for future, (kind, _) in pending.items():
                if kind == "upload" and future.done() and not future.cancelled() \
                        and future.exception() is None:
                    self._record(future.result(), stats)
        return [f for f in files if f is not None], stats

    def attach(self, session_id: str, shas: Sequence[str]) -> list[dict[str, Any]]:
        """Put the files with these sha256 into ``session_id`` in this order, by URL."""
        missing = [sha[:12] for sha in shas if not self._registry.url(sha)]
        if missing:
            raise ApiError("no URL is known for uploads " + ", ".join(missing[:5]),
                           hint="run `lapsefile run --force --only <output>` to upload them again")
        urls = [self._registry.url(sha) or "" for sha in shas]
        attached: list[dict[str, Any]] = []
        for start in range(0, len(urls), ATTACH_CHUNK):
            attached += self._client.attach_urls(session_id, urls[start:start + ATTACH_CHUNK])
        return attached

    def forget(self, shas: Sequence[str]) -> None:
        self._registry.forget(shas)

    def _send(self, file: UploadFile) -> tuple[UploadFile, str]:
        session_id = self._staging.current()
        try:
            answer = self._client.upload_file(session_id, file.path, file.filename,
                                              content_type(file.filename))
        except SessionNotFound:
            session_id = self._staging.replace(session_id)
            answer = self._client.upload_file(session_id, file.path, file.filename,
                                              content_type(file.filename))
        url = next((item["url"] for item in answer if item.get("url")), None)
        if not url:
            raise ApiError(f"{file.source}: the service accepted the upload but sent no URL")
        return file, url

    def _record(self, result: tuple[UploadFile, str], stats: UploadStats) -> None:
        file, url = result
        self._registry.put(file, url)
        stats.sent += 1
        stats.bytes_sent += file.size


def content_type(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


class Throttle:
    """True at most once per ``seconds`` (and always the first time)."""

    def __init__(self, seconds: float):
        self._seconds, self._last = seconds, float("-inf")

    def __call__(self) -> bool:
        now = time.monotonic()
        if now - self._last >= self._seconds:
            self._last = now
            return True
        return False
