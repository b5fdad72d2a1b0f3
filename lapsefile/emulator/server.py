"""Running the emulator: the Starlette app, a background-thread server for tests, and the CLI's
foreground server."""

from __future__ import annotations

import logging
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect
from starlette.routing import Route

from . import api, control, renders, sse
from .calls import CallLog, on_disconnect, on_failure
from .config import EmulatorConfig
from .envelopes import Failure
from .export import Exporter
from .state import ServiceState

START_TIMEOUT = 10.0


def build_app(state: ServiceState) -> Starlette:
    post, get = ["POST"], ["GET"]
    routes = [
        Route("/api/auth/anonymous-token", api.anonymous_token, methods=post),
        Route("/api/tasks/{user}/with-session/nemo_agent", api.create_session, methods=post),
        Route("/api/upload-video/nemo_agent/{user}/{sid}", api.upload, methods=post),
        Route("/run_sse", sse.run_sse, methods=post),
        Route("/api/credits/balance/simple", api.credits, methods=get),
        Route("/api/state/nemo_agent/{user}/{sid}/latest", api.session_state, methods=get),
        Route("/api/render/proxy/lambda", renders.start_render, methods=post),
        Route("/api/render/proxy/lambda/{rid}", renders.render_status, methods=get),
        Route("/api/render/proxy/lambda/{rid}/cancel", renders.cancel_render, methods=post),
        Route("/api/render/proxy/{rid}/download", renders.download, methods=get),
        Route("/_renders/{rid}/{name}", renders.output_file, methods=get),
        Route("/_files/{digest}/{name}", control.served_file, methods=get),
        Route("/_emulator/calls", control.calls, methods=get),
        Route("/_emulator/state", control.state, methods=get),
        Route("/_emulator/reset", control.reset, methods=post),
        Route("/_emulator/faults", control.faults, methods=["GET", "POST"]),
        Route("/_emulator/clock", control.clock, methods=post),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(CallLog, state=state)],
                    exception_handlers={Failure: on_failure, ClientDisconnect: on_disconnect})
    app.state.service = state
    app.state.exporter = Exporter(state)
    return app


class EmulatorServer:
    """The emulator on ``config.host``:``config.port`` (0: a free port), served by uvicorn in a
    background thread. Use as a context manager, or call start() and stop()."""

    def __init__(self, config: EmulatorConfig | None = None):
        self.config = config or EmulatorConfig()
        self._own_dir = self.config.data_dir is None
        data_dir = self.config.data_dir or Path(tempfile.mkdtemp(prefix="lapsefile-emulator-"))
        self.state = ServiceState(self.config, data_dir)
        self.app = build_app(self.state)
        self.url: str | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> EmulatorServer:
        sock, self.url = bind(self.config.host, self.config.port)
        self._server = uvicorn_server(self.app, self.config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        daemon=True, name="lapsefile-emulator")
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                sock.close()
                raise RuntimeError(f"the emulator did not start on {self.url}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(START_TIMEOUT)
        self._server = self._thread = None
        with self.state.lock:
            for record in self.state.renders.values():
                record.cancelled = True
        if self._own_dir:
            shutil.rmtree(self.state.data_dir, ignore_errors=True)

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()


def serve_forever(config: EmulatorConfig, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve in the foreground until interrupted. ``on_ready(url)`` runs once the port is bound
    and listening. Ctrl-C ends it with KeyboardInterrupt (uvicorn re-raises the signal)."""
    emulator = EmulatorServer(config)
    sock, url = bind(config.host, config.port)
    emulator.url = url
    if on_ready:
        on_ready(url)
    try:
        uvicorn_server(emulator.app, config).run(sockets=[sock])
    finally:
        emulator.stop()


def bind(host: str, port: int) -> tuple[socket.socket, str]:
    """A listening socket on host:port (0: any free port) and its base URL."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and without
    # it every keep-alive answer waits for a delayed ACK (~40 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    bound_port = sock.getsockname()[1]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    return sock, f"http://{shown}:{bound_port}"


def uvicorn_server(app: Starlette, config: EmulatorConfig) -> uvicorn.Server:
    _quiet_deliberate_drops()
    return uvicorn.Server(uvicorn.Config(app, http="h11", ws="none", lifespan="off",
                                         log_level=config.log_level, access_log=False,
                                         timeout_graceful_shutdown=2))


class _DropFilter(logging.Filter):
    """Deliberately dropped streams are not server errors: keep them out of the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        while error is not None:
            if isinstance(error, sse.StreamDropped):
                return False
            inner = getattr(error, "exceptions", None)
            error = inner[0] if inner else error.__cause__ or error.__context__
        return True


def _quiet_deliberate_drops() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _DropFilter) for f in logger.filters):
        logger.addFilter(_DropFilter())
