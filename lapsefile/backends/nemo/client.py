"""An httpx client for the NemoVideo agent API: headers, envelopes, errors and careful retries.

Retry rules (the service charges for edits, so a request that may have changed remote state is
never sent twice on a guess):
- a connection that could not be opened never reached the service: always safe to try again;
- GETs are retried with backoff on transport errors and 5xx answers;
- HTTP 429 and code 1001 mean the request was refused before anything happened, so any request
  is sent again once (after a wait, or with a new anonymous token);
- other failures of a POST are raised, and the caller reconciles by reading state or status.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from ...errors import ApiError, ApiRequest, RateLimited, TokenError, TransportError
from .auth import TOKEN_ENV, Credentials, CredentialStore
from .responses import business_data, error_for, json_body, render_data
from .settings import (
    TIMEOUT_DEFAULT,
    TIMEOUT_DOWNLOAD,
    TIMEOUT_SSE,
    TIMEOUT_UPLOAD,
    NemoOptions,
    attribution_headers,
)
from .sse import first_event, peek_first_event

_SAFE_TO_RESEND = (httpx.ConnectError, httpx.ConnectTimeout)  # nothing left the machine
MakeRequest = Callable[[ExitStack], dict[str, Any]]  # fresh request kwargs for each attempt


class NemoClient:
    def __init__(self, options: NemoOptions, *, transport: httpx.BaseTransport | None = None,
                 env: Mapping[str, str] | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.options = options
        self._sleep = sleep
        try:
            self._http = httpx.Client(base_url=options.api_url, headers=attribution_headers(),
                                      timeout=TIMEOUT_DEFAULT, transport=transport,
                                      follow_redirects=True)
        except httpx.InvalidURL as exc:
            raise ApiError(f"the API address {options.api_url!r} is malformed: {exc}",
                           hint="check --api-url / NEMO_API_URL") from None
        self.credentials = CredentialStore(options.api_url, self._fetch_anonymous_token, env)
        self.notify: Callable[[str], None] = lambda text: None  # says why a request waits

    def __repr__(self) -> str:
        return f"NemoClient(api_url={self.options.api_url!r})"

    def __enter__(self) -> NemoClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- endpoints -------------------------------------------------------------------------

    def create_session(self, language: str) -> dict[str, Any]:
        # An orphaned empty session costs nothing, so creating one may be retried like a read.
        data = self.call("POST", "/api/tasks/me/with-session/nemo_agent", idempotent=True,
                         json={"task_name": "project", "language": language})
        if not isinstance(data, dict) or not data.get("session_id"):
            raise ApiError("the service created a session but sent no session id",
                           ApiRequest("POST", "/api/tasks/me/with-session/nemo_agent"))
        return {"session_id": str(data["session_id"]), "task_id": _text(data.get("task_id")),
                "user_id": _text(data.get("user_id"))}

    def upload_file(self, session_id: str, path: Path, filename: str,
                    content_type: str) -> list[dict[str, Any]]:
        def make(stack: ExitStack) -> dict[str, Any]:
            handle = stack.enter_context(open(path, "rb"))
            return {"files": [("files", (filename, handle, content_type))]}

        # Bytes go to a staging session whose contents no timeline uses as they are (files
        # reach a timeline by URL), so sending a file twice there is harmless: retry freely.
        data = self.call("POST", upload_path(session_id), make=make, timeout=TIMEOUT_UPLOAD,
                         idempotent=True)
        return uploaded_files(data)

    def attach_urls(self, session_id: str, urls: list[str]) -> list[dict[str, Any]]:
        data = self.call("POST", upload_path(session_id),
                         json={"urls": urls, "source_type": "url"}, timeout=TIMEOUT_UPLOAD)
        return uploaded_files(data)

    def state(self, session_id: str) -> dict[str, Any]:
        data = self.call("GET", f"/api/state/nemo_agent/me/{session_id}/latest")
        if isinstance(data, dict) and isinstance(data.get("state"), dict):
            return data["state"]
        return data if isinstance(data, dict) else {}

    def credits(self) -> dict[str, Any]:
        data = self.call("GET", "/api/credits/balance/simple")
        return data if isinstance(data, dict) else {}

    def start_render(self, render_id: str, session_id: str,
                     draft: Mapping[str, Any]) -> dict[str, Any]:
        body = {"id": render_id, "sessionId": session_id, "draft": draft,
                "output": {"format": "mp4", "quality": "high"}}
        return self.call("POST", "/api/render/proxy/lambda", json=body, render=True)

    def render_status(self, render_id: str) -> dict[str, Any]:
        return self.call("GET", f"/api/render/proxy/lambda/{render_id}", render=True)

    def open_instruction(self, session_id: str, text: str) -> httpx.Response:
        """The open event stream of ``/run_sse`` (close it when done)."""
        body = {"app_name": "nemo_agent", "user_id": "me", "session_id": session_id,
                "new_message": {"parts": [{"text": text}]}}
        return self.send("POST", "/run_sse", make=lambda stack: {"json": body},
                         headers={"Accept": "text/event-stream"}, stream=True,
                         timeout=TIMEOUT_SSE)

    def open_download(self, url: str) -> httpx.Response:
        """A streamed GET of an export; the token goes only to the API's own host."""
        absolute = urljoin(self.options.api_url + "/", url)
        same_host = urlsplit(absolute).netloc == urlsplit(self.options.api_url).netloc
        return self.send("GET", absolute, idempotent=True, auth=same_host, stream=True,
                         timeout=TIMEOUT_DOWNLOAD)

    # -- plumbing --------------------------------------------------------------------------

    def call(self, method: str, path: str, *, json: Any = None, make: MakeRequest | None = None,
             idempotent: bool | None = None, timeout: httpx.Timeout | None = None,
             render: bool = False, auth: bool = True,
             headers: Mapping[str, str] | None = None) -> Any:
        if make is None:
            make = (lambda stack: {"json": json}) if json is not None else (lambda stack: {})
        response = self.send(method, path, make=make, idempotent=idempotent, timeout=timeout,
                             auth=auth, headers=headers)
        body = json_body(response)
        return render_data(body) if render else business_data(body)

    def send(self, method: str, path: str, *, make: MakeRequest = lambda stack: {},
             idempotent: bool | None = None, timeout: httpx.Timeout | None = None,
             auth: bool = True, stream: bool = False,
             headers: Mapping[str, str] | None = None) -> httpx.Response:
        """One request with the retry rules above; an error answer raises an ApiError.

        Every answer goes through :meth:`_checked`, whatever its HTTP status: a business error
        inside an HTTP 200 is the same error as its HTTP-status twin.
        """
        idempotent = method == "GET" if idempotent is None else idempotent
        failures, rate_limited, renewed = 0, False, False
        shown = urlsplit(path).path or path
        while True:
            request = ApiRequest(method, shown)
            creds = self.credentials.current() if auth else None
            try:
                response = self._attempt(method, path, make, creds, headers, timeout, stream)
                error = self._checked(request, response, creds)
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                raise ApiError(f"the API address is malformed: {exc}", request,
                               hint=f"check --api-url / NEMO_API_URL "
                                    f"({self.options.api_url!r})") from None
            except httpx.TransportError as exc:
                if (idempotent or isinstance(exc, _SAFE_TO_RESEND)) and \
                        failures < self.options.retries:
                    failures += 1
                    self._backoff(failures)
                    continue
                raise TransportError(f"could not reach the NemoVideo API: {_describe(exc)}",
                                     request, hint=f"is {self.options.api_url} reachable? "
                                     "Run again to resume") from None
            if error is None:
                return response
            if isinstance(error, RateLimited) and not rate_limited:
                rate_limited = True
                self._wait_rate_limit(response)
                continue
            if isinstance(error, TokenError) and self.credentials.registered:
                error.hint = (f"the token in {TOKEN_ENV} was refused: set it to a current "
                              "token, or unset it to use an anonymous one")
            elif isinstance(error, TokenError) and auth and not renewed:
                renewed = True
                self.credentials.renew(creds)
                continue
            if isinstance(error, TransportError) and idempotent and \
                    failures < self.options.retries:
                failures += 1
                self._backoff(failures)
                continue
            raise error

    def _attempt(self, method: str, path: str, make: MakeRequest, creds: Credentials | None,
                 headers: Mapping[str, str] | None, timeout: httpx.Timeout | None,
                 stream: bool) -> httpx.Response:
        with ExitStack() as stack:
            kwargs = make(stack)
            all_headers = {**(creds.authorization() if creds else {}), **(headers or {})}
            request = self._http.build_request(method, path, headers=all_headers,
                                               timeout=timeout or TIMEOUT_DEFAULT, **kwargs)
            response = self._http.send(request, stream=stream)
        return response

    def _checked(self, request: ApiRequest, response: httpx.Response,
                 creds: Credentials | None) -> ApiError | None:
        """The error an answer stands for (None for a success): the one envelope check.

        A JSON answer is read whole and checked for ``code``/``success``; an event stream is
        checked by its first event (a refusal comes before any work), which stays readable.
        """
        request.status = response.status_code
        unread = not response.is_stream_consumed
        if response.is_success and _is_event_stream(response):
            body = peek_first_event(response) if unread else first_event(response.content)
        elif unread and response.is_success and not _is_json(response):
            return None  # a streamed file (a download): bytes, no envelope to check
        else:
            if unread:
                try:
                    response.read()
                finally:
                    response.close()
            body = json_body(response)
        creds = creds or self.credentials.peek()
        error = error_for(request, body, anonymous=creds.anonymous if creds else True,
                          user_id=creds.user_id if creds else None,
                          scrub=creds.scrub if creds else (lambda text: text))
        if error is None and not response.is_success:
            error = ApiError(f"unexpected answer (HTTP {response.status_code})", request)
        if error is not None and not response.is_closed:
            response.close()
        return error

    def _wait_rate_limit(self, response: httpx.Response) -> None:
        """HTTP 429: wait as documented (30 s), or as long as ``Retry-After`` asks, capped."""
        wait = self.options.rate_limit_wait
        header = response.headers.get("retry-after", "")
        try:
            wait = min(max(wait, float(header)), self.options.rate_limit_cap)
        except ValueError:
            pass
        self.notify(f"the service is rate limiting requests (HTTP 429): waiting "
                    f"{wait:g} s, then trying once more")
        self._sleep(wait)

    def _fetch_anonymous_token(self, client_id: str) -> Mapping[str, Any]:
        try:
            data = self.call("POST", "/api/auth/anonymous-token", auth=False, idempotent=False,
                             headers={"X-Client-Id": client_id})
        except RateLimited as exc:
            exc.hint = ("the service issues one anonymous token per client id every 7 days; "
                        "wait, or set NEMO_TOKEN to a registered account's token")
            raise
        return data if isinstance(data, dict) else {}

    def _backoff(self, failures: int) -> None:
        self._sleep(self.options.retry_backoff * 2 ** (failures - 1))


def upload_path(session_id: str) -> str:
    return f"/api/upload-video/nemo_agent/me/{session_id}"


def uploaded_files(data: Any) -> list[dict[str, Any]]:
    """``data.files[]`` (``cdn_url``) or, in one variant, ``data.uploaded_files[].url``."""
    if not isinstance(data, dict):
        return []
    items = data.get("files") or data.get("uploaded_files") or []
    files = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            url = item.get("cdn_url") or item.get("url")
            files.append({**item, "url": url})
    return files


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _is_json(response: httpx.Response) -> bool:
    return "json" in response.headers.get("content-type", "")


def _is_event_stream(response: httpx.Response) -> bool:
    return "event-stream" in response.headers.get("content-type", "")


def _describe(exc: httpx.TransportError) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
