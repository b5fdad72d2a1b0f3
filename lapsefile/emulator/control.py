"""The emulator's own endpoints: inspection and control for tests, and the stored files.

- ``GET /_emulator/calls``: every API call in order (a JSON list; see README of the package).
- ``GET /_emulator/state``: users, sessions with their drafts, renders.
- ``POST /_emulator/reset``: forget everything (users, tokens, sessions, files, renders, calls,
  fault counters); the fault plan and settings stay.
- ``GET|POST /_emulator/faults``: show, or replace with a YAML/JSON body, the fault plan.
- ``POST /_emulator/clock`` ``{"advance": seconds}``: move the service's clock forward.
- ``GET /_files/<sha256>/<name>``: an uploaded file (its ``cdn_url``), public like a CDN link.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response

from ..errors import SpecError
from .api import service
from .calls import calls_json
from .faults import FaultPlan


async def calls(request: Request) -> Response:
    return JSONResponse(calls_json(service(request)))


async def state(request: Request) -> Response:
    return JSONResponse(service(request).snapshot())


async def reset(request: Request) -> Response:
    service(request).reset()
    return JSONResponse({"ok": True})


async def faults(request: Request) -> Response:
    state = service(request)
    if request.method == "POST":
        text = (await request.body()).decode("utf-8", errors="replace")
        try:
            plan = FaultPlan.from_text(text, "<request body>")
        except SpecError as exc:
            return JSONResponse({"ok": False, "error": str(exc),
                                 "diagnostics": [d.to_dict() for d in exc.diagnostics]},
                                status_code=400)
        state.set_faults(plan)
    return JSONResponse({"ok": True, "rules": [r.describe() for r in state.config.faults.rules]})


async def clock(request: Request) -> Response:
    state = service(request)
    try:
        body = await request.json()
        advance = float(body.get("advance", 0))
    except (ValueError, TypeError, AttributeError):
        return JSONResponse({"ok": False, "error": 'expected {"advance": seconds}'},
                            status_code=400)
    with state.lock:
        state.clock_offset += advance
    return JSONResponse({"ok": True, "time": state.now()})


async def served_file(request: Request) -> Response:
    path = service(request).files.find(request.path_params["digest"], request.path_params["name"])
    if path is None:
        return PlainTextResponse("Not Found", status_code=404)
    return FileResponse(path)
