"""Export endpoints: attribution, ids, both answer shapes, progress, cancel, faults, downloads."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from lapsefile.emulator.faults import FaultPlan
from lapsefile.emulator.server import EmulatorServer

from .helpers import TIMELINE, Api, make_photos

Start = Callable[..., EmulatorServer]


def _edited(start: Start, tmp_path: Path, **config: Any) -> Api:
    api = Api(start(**config).url or "")
    api.login()
    api.new_session()
    api.upload(make_photos(tmp_path / "photos", 3))
    api.send(TIMELINE)
    return api


def _poll(api: Api, render_id: str, timeout: float = 60) -> list[dict[str, Any]]:
    """Every distinct answer of the status endpoint until the job is finished."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = api.render_status(render_id).json()
        if not seen or body != seen[-1]:
            seen.append(body)
        data = body.get("data") or body
        if data["status"] in ("completed", "failed"):
            return seen
        time.sleep(0.01)
    raise AssertionError(f"{render_id} did not finish: {seen[-1]}")


def test_flat_shape_goes_pending_processing_completed(start_emulator: Start,
                                                      tmp_path: Path) -> None:
    api = _edited(start_emulator, tmp_path, render_delay=0.1, render_steps=3)
    started = api.export("render_flat")
    assert started.json() == {"id": "render_flat", "status": "pending", "progress": 0}
    seen = _poll(api, "render_flat")
    assert [s["status"] for s in seen][0] == "pending"
    processing = [s["progress"] for s in seen if s["status"] == "processing"]
    assert processing == sorted(processing) and len(processing) >= 3
    assert seen[-1]["status"] == "completed" and seen[-1]["progress"] == 100
    url = seen[-1]["output"]["url"]
    assert url.endswith("/_renders/render_flat/output.mp4")
    movie = httpx.get(url)  # public, like a CDN link
    assert movie.status_code == 200 and movie.content[4:8] == b"ftyp"
    fallback = api.http.get("/api/render/proxy/render_flat/download", headers=api.headers())
    assert fallback.content == movie.content
    media = api.state().json()["data"]["state"]["generated_media"]
    assert media == [{"id": "render_flat", "status": "completed", "url": url}]


def test_wrapped_shape(start_emulator: Start, tmp_path: Path) -> None:
    api = _edited(start_emulator, tmp_path, render_shape="wrapped")
    started = api.export("render_wrapped").json()
    assert started == {"success": True, "data": {"id": "render_wrapped", "status": "pending",
                                                 "progress": 0}}
    final = _poll(api, "render_wrapped")[-1]
    assert final["success"] is True and final["data"]["status"] == "completed"
    assert final["data"]["outputUrl"].endswith("/_renders/render_wrapped/output.mp4")
    assert "output" not in final["data"]


def test_export_needs_the_attribution_headers(start_emulator: Start, tmp_path: Path) -> None:
    api = _edited(start_emulator, tmp_path)
    refused = api.export("render_1", **{"X-Skill-Source": "lapsefile"})
    assert refused.status_code == 402
    assert "x-skill-version" in refused.json()["message"]
    assert api.export("render_1").status_code == 200
    assert api.credits()["available"] == 99  # export is free: only the edit was charged


def test_ids_are_the_clients_and_unique(start_emulator: Start, tmp_path: Path) -> None:
    api = _edited(start_emulator, tmp_path)
    assert api.export("render_a").status_code == 200
    again = api.export("render_a")
    assert (again.status_code, again.json()["code"], again.json()["success"]) == (409, 4009,
                                                                                  False)
    bad = api.export("job-1")
    assert (bad.status_code, bad.json()["code"]) == (400, 4000)
    empty = api.export("render_b", draft={"t": [{"tt": 0, "sg": []}]})
    assert (empty.status_code, empty.json()["code"]) == (400, 4000)
    unknown = api.render_status("render_zzz")
    assert (unknown.status_code, unknown.json()["code"]) == (404, 4004)


def test_a_draft_the_emulator_cannot_render_fails_the_job(start_emulator: Start,
                                                          tmp_path: Path) -> None:
    api = _edited(start_emulator, tmp_path)
    draft = api.draft()
    draft["t"][0]["sg"][0]["hash"] = "f" * 64
    api.export("render_broken", draft=draft)
    final = _poll(api, "render_broken")[-1]
    assert final["status"] == "failed" and "never uploaded" in final["error"]


def test_cancel(start_emulator: Start, tmp_path: Path) -> None:
    api = _edited(start_emulator, tmp_path, render_delay=0.5)
    api.export("render_c")
    cancel = api.http.post("/api/render/proxy/lambda/render_c/cancel", headers=api.headers())
    assert cancel.json() == {"id": "render_c", "status": "failed", "cancelled": True}
    final = _poll(api, "render_c")[-1]
    assert (final["status"], final["error"]) == ("failed", "cancelled")
    download = api.http.get("/api/render/proxy/render_c/download", headers=api.headers())
    assert (download.status_code, download.json()["code"]) == (409, 4010)


def test_the_first_render_fails_on_request(start_emulator: Start, tmp_path: Path) -> None:
    api = _edited(start_emulator, tmp_path,
                  faults=FaultPlan.from_text("- {endpoint: render, fail_first: 1}"))
    api.export("render_1")
    first = _poll(api, "render_1")[-1]
    assert first["status"] == "failed" and "render failed" in first["error"]
    api.export("render_2")
    assert _poll(api, "render_2")[-1]["status"] == "completed"


def test_a_truncated_download(start_emulator: Start, tmp_path: Path) -> None:
    api = _edited(start_emulator, tmp_path,
                  faults=FaultPlan.from_text("- {endpoint: download, truncate: 0.5, times: 1}"))
    api.export("render_t")
    url = _poll(api, "render_t")[-1]["output"]["url"]
    received = bytearray()
    with pytest.raises(httpx.RemoteProtocolError):
        with httpx.stream("GET", url) as answer:
            declared = int(answer.headers["content-length"])
            for chunk in answer.iter_raw():
                received += chunk
    assert 0 < len(received) < declared
    whole = httpx.get(url).content  # "times: 1": the next download is whole
    assert len(whole) == declared and whole.startswith(bytes(received))
