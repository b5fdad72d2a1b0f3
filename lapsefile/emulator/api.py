"""Business endpoints: token, session, upload, credits and session state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from . import draft as drafts
from .envelopes import BAD_REQUEST, BAD_URL, TOO_LARGE, UNSUPPORTED_TYPE, Failure, ok
from .state import ServiceState, Session, User, iso_time
from .store import ACCEPTED, Asset, file_type, safe_name

MAX_CLIENT_ID = 64


def service(request: Request) -> ServiceState:
    return request.app.state.service


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def note(request: Request, **fields: Any) -> None:
    """Add facts (session id, instruction, ...) to this request's entry in the call log."""
    entry = request.scope.get("state", {}).get("call")
    if entry is not None:
        entry.update(fields)


def authorize(request: Request) -> tuple[ServiceState, User]:
    state = service(request)
    return state, state.authenticate(request.headers.get("authorization"))


def session_of(request: Request, user: User) -> Session:
    state = service(request)
    note(request, session_id=request.path_params["sid"])
    if request.path_params.get("user") not in ("me", user.user_id):
        raise Failure(f"user {request.path_params.get('user')} not found", code=1002)
    return state.session(request.path_params["sid"], user)


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise Failure("request body is not valid JSON", code=BAD_REQUEST) from None
    if not isinstance(body, dict):
        raise Failure("request body must be a JSON object", code=BAD_REQUEST)
    return body


async def anonymous_token(request: Request) -> Response:
    client_id = request.headers.get("x-client-id", "").strip()
    if not client_id or len(client_id) > MAX_CLIENT_ID:
        raise Failure(f"X-Client-Id header is required (at most {MAX_CLIENT_ID} characters)",
                      status=400)
    ip = request.client.host if request.client else "unknown"
    token, user = service(request).issue_token(client_id, ip)
    return ok({"token": token.value, "user_id": user.user_id,
               "expires_at": iso_time(token.expires_at), "credits": user.available})


async def create_session(request: Request) -> Response:
    state, user = authorize(request)
    body = await json_body(request)
    asked = body.get("language")
    language = asked if asked in ("en", "zh") else "en"
    session = state.create_session(user, str(body.get("task_name") or "project"), language)
    note(request, session_id=session.session_id)
    data = {"session_id": session.session_id, "task_id": session.task_id}
    if session.ordinal % 2:  # "sometimes data.user_id": a client must not count on it
        data["user_id"] = user.user_id
    return ok(data)


async def credits(request: Request) -> Response:
    state, user = authorize(request)
    with state.lock:
        return ok({"available": user.available, "frozen": user.frozen,
                   "total": user.available + user.frozen})


async def session_state(request: Request) -> Response:
    state, user = authorize(request)
    session = session_of(request, user)
    base = base_url(request)
    with state.lock:
        media = [{"id": r.id, "status": r.status, "url": f"{base}/_renders/{r.id}/output.mp4"}
                 for r in state.renders.values()
                 if r.session_id == session.session_id and r.status == "completed"]
        dialect = state.config.draft_dialect
        return ok({"session_id": session.session_id, "state": {
            "draft": session.present(dialect),
            "video_infos": [a.describe(base) for a in session.assets],
            "generated_media": media,
            "canvas_config": drafts.canvas_config(session.draft),
            "summary": drafts.summary(session.draft, reveal=dialect != "opaque")}})


async def upload(request: Request) -> Response:
    state, user = authorize(request)
    session = session_of(request, user)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        assets = await _multipart_assets(request, state)
    elif content_type.startswith("application/json"):
        assets = await _url_assets(request, state)
    else:
        raise Failure("send multipart/form-data with field 'files', or JSON "
                      '{"urls": [...], "source_type": "url"}', code=BAD_REQUEST)
    state.add_assets(session, assets)
    note(request, files=[a.filename for a in assets])
    base = base_url(request)
    described = [a.describe(base) for a in assets]
    if state.config.upload_shape == "uploaded_files":
        return ok({"uploaded_files": described})
    return ok({"files": described})


async def _multipart_assets(request: Request, state: ServiceState) -> list[Asset]:
    form = await request.form(max_files=100_000, max_fields=1_000)
    try:
        uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        if not uploads:
            raise Failure("no files: send them in the multipart field 'files'", code=BAD_REQUEST)
        for item in uploads:
            _check_file(item.filename or "", item.size, state.config.max_upload_bytes)
        return [await run_in_threadpool(state.files.save, item.filename or "upload", item.file)
                for item in uploads]
    finally:
        await form.close()


def _check_file(filename: str, size: int | None, limit: int) -> None:
    if file_type(filename) is None:
        raise Failure(f"unsupported file type: {safe_name(filename)}; accepted: "
                      + ", ".join(ACCEPTED), code=UNSUPPORTED_TYPE)
    if size is not None and size > limit:
        raise Failure(f"file too large: {safe_name(filename)} is {size} bytes, the maximum is "
                      f"{limit}", code=TOO_LARGE)


async def _url_assets(request: Request, state: ServiceState) -> list[Asset]:
    body = await json_body(request)
    urls = body.get("urls")
    if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
        raise Failure('expected {"urls": ["..."], "source_type": "url"}', code=BAD_REQUEST)
    assets = []
    for url in urls:
        path = _served_file(state, url)
        if path is None:
            raise Failure(f"cannot fetch {url}: only files this service stored can be imported",
                          code=BAD_URL)
        name = safe_name(unquote(urlsplit(url).path))
        _check_file(name, path.stat().st_size, state.config.max_upload_bytes)
        assets.append(await run_in_threadpool(_import, state, path, name))
    return assets


def _served_file(state: ServiceState, url: str) -> Path | None:
    parts = unquote(urlsplit(url).path).split("/")
    if len(parts) == 4 and parts[1] == "_files":
        return state.files.find(parts[2], parts[3])
    if len(parts) == 4 and parts[1] == "_renders":
        record = state.renders.get(parts[2])
        if record and record.status == "completed" and record.output:
            return record.output
    return None


def _import(state: ServiceState, path: Path, name: str) -> Asset:
    with open(path, "rb") as handle:
        return state.files.save(name, handle)
