"""Export (render on the service, polled) and download (streamed, checked, moved into place).

The render id is chosen here and written to the lock *before* the request, so a run stopped
while the service renders polls the same render next time instead of starting (and waiting
for) another one.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Callable, Mapping, MutableMapping
from pathlib import Path
from typing import Any

import httpx

from ...atomic import atomic_file
from ...errors import ApiError, LapsefileError, RemoteStateError, TransportError
from ...events import Emit, Event
from .client import NemoClient
from .settings import NemoOptions
from .uploads import Throttle
from .waiting import Deadline, duration_text

Save = Callable[[], None]
RUNNING = ("pending", "processing", "queued", "running", "rendering", "starting")
DOWNLOAD_ATTEMPTS = 3
DUPLICATE_RENDER = 4009


def new_render_id(output: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", output).strip("-") or "output"
    return f"render_{safe}_{secrets.token_hex(6)}"


def output_url(status: Mapping[str, Any]) -> str | None:
    """The download URL in either documented shape: ``output.url`` or ``outputUrl``."""
    output = status.get("output")
    if isinstance(output, Mapping) and isinstance(output.get("url"), str) and output["url"]:
        return output["url"]
    for key in ("outputUrl", "output_url", "url", "downloadUrl"):
        if isinstance(status.get(key), str) and status[key]:
            return status[key]
    return None


def fallback_download(render_id: str) -> str:
    return f"/api/render/proxy/{render_id}/download"


def _not_found(error: ApiError) -> bool:
    request = error.request
    return request is not None and (request.status == 404 or request.code == 4004)


def _duplicate(error: ApiError) -> bool:
    """The service already has a render with this id (its code for that is undocumented)."""
    request, text = error.request, str(error).lower()
    return type(error) is ApiError and (
        (request is not None and (request.code == DUPLICATE_RENDER or request.status == 409))
        or "duplicate" in text or "already exists" in text)


class Exporter:
    def __init__(self, client: NemoClient, options: NemoOptions, emit: Emit,
                 sleep: Callable[[float], None] = time.sleep,
                 new_id: Callable[[str], str] = new_render_id):
        self._client, self._options, self._emit, self._sleep = client, options, emit, sleep
        self._new_id = new_id

    def export(self, session_id: str, output: str, draft: Callable[[], Mapping[str, Any]],
               record: MutableMapping[str, Any], save: Save, step: str) -> None:
        """Bring ``record`` to a completed render with an ``output_url``; ``draft`` gives
        what to render, and is asked only when a new render must start."""
        render_id = record.get("render_id")
        # A render of another session (a forced run, a rebuilt session) shows an old timeline.
        ours = record.get("session_id") == session_id
        if render_id and ours and record.get("render_status") in RUNNING + ("completed",):
            try:
                self._client.render_status(render_id)
                self._say(step, f"resuming the render {render_id} started by the last run")
            except ApiError as exc:
                if not _not_found(exc):
                    raise
                render_id = None  # the service never got it: start one
        else:
            render_id = None
        retried = False
        while True:
            if render_id is None:
                render_id = self._start(session_id, output, draft, record, save)
            status = self._poll(render_id, record, save, step)
            if status == "completed":
                return
            failed = record.setdefault("failed_render_ids", [])
            failed.append(render_id)
            if retried:
                raise RemoteStateError(
                    f"the service failed to render {output} twice (renders "
                    f"{', '.join(failed)}): {record.get('render_error') or 'no reason given'}",
                    hint="run again later to start a new render")
            retried = True
            self._say(step, f"render {render_id} failed; starting it once more with a new id")
            render_id = None

    def _start(self, session_id: str, output: str, draft_of: Callable[[], Mapping[str, Any]],
               record: MutableMapping[str, Any], save: Save) -> str:
        draft = draft_of()
        for attempt in (1, 2):
            render_id = self._new_id(output)
            record.update(render_id=render_id, session_id=session_id, render_status="starting",
                          progress=0)
            record.pop("output_url", None)
            save()
            try:
                self._client.start_render(render_id, session_id, draft)
                return render_id
            except TransportError:
                # The POST may have been taken: ask for that id before trying another.
                try:
                    self._client.render_status(render_id)
                    return render_id
                except ApiError as exc:
                    if not _not_found(exc) or attempt == 2:
                        raise
            except ApiError as exc:
                if not _duplicate(exc) or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _poll(self, render_id: str, record: MutableMapping[str, Any], save: Save,
              step: str) -> str:
        deadline = Deadline(f"the service to render {render_id}", self._options.render_timeout,
                            self._emit, step, notice_every=self._options.notice_every)
        shown = None
        while True:
            status = self._client.render_status(render_id)
            state = str(status.get("status") or "pending").lower()
            progress = _progress(status, state)
            if (state, progress) != shown:
                self._emit(Event("progress", step, {"done": progress, "total": 100,
                                                    "unit": "%", "label": f"rendering ({state})"}))
                record.update(render_status=state, progress=progress)
                save()
                shown = (state, progress)
            else:
                deadline.tick()
            if state == "completed":
                record["output_url"] = output_url(status) or fallback_download(render_id)
                save()
                return state
            if state not in RUNNING:
                record["render_error"] = str(status.get("error") or status.get("message") or
                                             state)
                save()
                return "failed"
            if deadline.expired:
                raise TransportError(
                    f"render {render_id} is still {state} ({progress}%) after "
                    f"{duration_text(deadline.elapsed)}",
                    hint="run again later: lapsefile resumes polling this render rather than "
                         "starting another (raise the wait with --render-timeout)")
            deadline.sleep(self._options.render_poll_interval, self._sleep)

    def download(self, url: str, render_id: str, dest: Path, relpath: str,
                 step: str) -> dict[str, Any]:
        """Fetch the export to ``dest`` (temp file beside it, size-checked, hashed, renamed)."""
        sources = list(dict.fromkeys([url, fallback_download(render_id)]))
        problem = ""
        for _ in range(DOWNLOAD_ATTEMPTS):
            try:
                size, sha = self._fetch_to(sources[0], dest, relpath, step)
                return {"path": relpath, "size": size, "sha256": sha}
            except _Incomplete as exc:
                problem = str(exc)
                self._say(step, f"download of {relpath} incomplete ({problem}); trying again")
            except ApiError as exc:
                if len(sources) == 1:
                    raise
                problem = str(exc).splitlines()[0]
                sources.pop(0)  # the output URL failed: use the render's download endpoint
        raise TransportError(f"could not download {relpath} after {DOWNLOAD_ATTEMPTS} "
                             f"attempts: {problem}", hint="run again to retry the download")

    def _fetch_to(self, url: str, dest: Path, relpath: str, step: str) -> tuple[int, str]:
        """``_fetch``, with local file-system failures (a folder in the way, permissions, a
        full disk) as an error the user can act on rather than a crash."""
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            return self._fetch(url, dest, relpath, step)
        except OSError as exc:
            raise LapsefileError(f"cannot write the export to {relpath}: {exc.strerror or exc}"
                                 f"\nhint: {_write_hint(exc, relpath)}") from None

    def _fetch(self, url: str, dest: Path, relpath: str, step: str) -> tuple[int, str]:
        response = self._client.open_download(url)
        digest, size = hashlib.sha256(), 0
        expected = _content_length(response)
        throttle = Throttle(0.25)
        # Atomic (lapsefile.atomic): streamed to a hidden ``.part`` beside ``dest``, fsynced, and
        # moved into place only when complete, with the mode a local render gets. Anything
        # raised in the block (a short or empty body, Ctrl-C) removes the temp, keeps ``dest``.
        with atomic_file(dest, suffix=".part") as fh:
            try:
                for chunk in response.iter_bytes(1 << 16):
                    fh.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    if throttle():
                        self._progress(step, relpath, size, expected)
            except httpx.TransportError as exc:
                raise _Incomplete(f"connection lost after {size} bytes: "
                                  f"{type(exc).__name__}") from None
            finally:
                response.close()
            if expected is not None and size != expected:
                raise _Incomplete(f"got {size} of {expected} bytes")
            if size == 0:
                raise _Incomplete("the file is empty")
            self._progress(step, relpath, size, expected)
        return size, digest.hexdigest()

    def _progress(self, step: str, relpath: str, done: int, total: int | None) -> None:
        self._emit(Event("progress", step, {"done": done, "total": total or done, "unit": "B",
                                            "label": f"downloading {relpath}"}))

    def _say(self, step: str, text: str) -> None:
        self._emit(Event("message", step, {"text": text, "source": "lapsefile"}))


def _write_hint(exc: OSError, relpath: str) -> str:
    if isinstance(exc, IsADirectoryError):
        return f"{relpath} is a folder: remove it or change the output's path"
    if isinstance(exc, PermissionError):
        return f"make {relpath} and its folder writable, or change the output's path"
    return f"free some disk space or check {relpath}'s folder, then run again"


class _Incomplete(Exception):
    pass


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length", "")
    return int(value) if value.isdigit() else None


def _progress(status: Mapping[str, Any], state: str) -> int:
    value = status.get("progress")
    if state == "completed":
        return 100
    if value is None:
        return 0
    try:
        return max(0, min(100, int(float(value))))
    except (TypeError, ValueError):
        return 0
