"""Business endpoints over real HTTP: envelopes, every error code, tokens, uploads, state."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from lapsefile.emulator.server import EmulatorServer

from .helpers import Api, jpeg_bytes, make_photos, make_tone


class Clock:
    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_token_envelope_and_identity(api: Api) -> None:
    answer = api.http.post("/api/auth/anonymous-token", headers={"X-Client-Id": "c" * 64})
    assert answer.status_code == 200
    body = answer.json()
    assert body["code"] == 0
    data = body["data"]
    assert data["token"].startswith("nmv_usr_") and data["user_id"].startswith("anon_")
    assert data["credits"] == 100
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["expires_at"])


@pytest.mark.parametrize("headers", [{}, {"X-Client-Id": ""}, {"X-Client-Id": "x" * 65}])
def test_token_needs_a_client_id_of_at_most_64_characters(api: Api,
                                                          headers: dict[str, str]) -> None:
    answer = api.http.post("/api/auth/anonymous-token", headers=headers)
    assert answer.status_code == 400
    assert "X-Client-Id" in answer.json()["msg"]


def test_one_token_per_client_id_then_429_until_it_expires(
        start_emulator: Callable[..., EmulatorServer]) -> None:
    clock = Clock()
    server = start_emulator(clock=clock, token_ttl=60.0)
    api = Api(server.url or "")
    first = api.login()
    again = api.http.post("/api/auth/anonymous-token", headers={"X-Client-Id": api.client_id})
    assert again.status_code == 429
    assert api.credits()["available"] == 100
    clock.now += 61
    expired = api.http.get("/api/credits/balance/simple", headers=api.headers())
    assert (expired.status_code, expired.json()["code"]) == (401, 1001)
    second = api.login()  # the same client id gets a new token once the old one is dead
    assert second["token"] != first["token"] and second["user_id"] == first["user_id"]
    assert api.credits()["available"] == 100


def test_about_ten_tokens_per_ip(start_emulator: Callable[..., EmulatorServer]) -> None:
    server = start_emulator(tokens_per_ip=2)
    statuses = [Api(server.url or "", f"client-{i}").http.post(
        "/api/auth/anonymous-token", headers={"X-Client-Id": f"client-{i}"}).status_code
        for i in range(3)]
    assert statuses == [200, 200, 429]


def test_the_clock_can_be_advanced_over_http(api: Api) -> None:
    api.login()
    answer = api.http.post("/_emulator/clock", json={"advance": 8 * 24 * 3600})
    assert answer.json()["ok"]
    assert api.http.get("/api/credits/balance/simple", headers=api.headers()).json()[
        "code"] == 1001


@pytest.mark.parametrize("authorization", [None, "Bearer nmv_usr_unknown", "Basic abc"])
def test_every_endpoint_but_the_token_needs_a_known_bearer_token(
        api: Api, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    calls = [("POST", "/api/tasks/me/with-session/nemo_agent"),
             ("POST", "/api/upload-video/nemo_agent/me/1"), ("POST", "/run_sse"),
             ("GET", "/api/credits/balance/simple"), ("GET", "/api/state/nemo_agent/me/1/latest"),
             ("POST", "/api/render/proxy/lambda"), ("GET", "/api/render/proxy/lambda/render_x"),
             ("POST", "/api/render/proxy/lambda/render_x/cancel"),
             ("GET", "/api/render/proxy/render_x/download")]
    for method, path in calls:
        answer = api.http.request(method, path, headers=headers, json={})
        assert (answer.status_code, answer.json()["code"]) == (401, 1001), path


def test_session_and_credits(api: Api) -> None:
    api.login()
    answer = api.http.post("/api/tasks/me/with-session/nemo_agent", headers=api.headers(),
                           json={"task_name": "project", "language": "zh"})
    data = answer.json()["data"]
    assert data["session_id"].isdigit() and data["task_id"]
    assert api.credits() == {"available": 100, "frozen": 0, "total": 100}
    state = api.state(data["session_id"]).json()["data"]["state"]
    assert state["draft"] == {"v": 1, "d": 0, "m": {"title": "project"}, "t": []}
    assert state["video_infos"] == [] and state["generated_media"] == []
    assert set(state["canvas_config"]) >= {"width", "height", "fps"}


def test_an_unknown_session_is_1002_on_every_session_endpoint(api: Api) -> None:
    api.login()
    answers = [api.state("999"), api.upload([], "999"),
               api.http.post("/api/render/proxy/lambda", headers=api.headers(
                   **{"X-Skill-Source": "t", "X-Skill-Version": "1", "X-Skill-Platform": "p"}),
                   json={"id": "render_1", "sessionId": "999", "draft": {"t": [{"sg": [{}]}]}})]
    status, _, body = api.send("hello", "999")
    assert [(a.status_code, a.json()["code"]) for a in answers] == [(404, 1002)] * 3
    assert (status, body["code"]) == (404, 1002)


def test_another_users_session_is_not_found(api: Api, emulator: EmulatorServer) -> None:
    api.login()
    session = api.new_session()
    other = Api(emulator.url or "", "someone-else")
    other.login()
    assert other.state(session).json()["code"] == 1002


def test_business_errors_can_all_be_http_200(start_emulator: Callable[...,
                                                                      EmulatorServer]) -> None:
    api = Api(start_emulator(error_statuses="ok").url or "")
    api.login()
    assert (api.state("999").status_code, api.state("999").json()["code"]) == (200, 1002)
    missing = api.http.get("/api/credits/balance/simple")
    assert (missing.status_code, missing.json()["code"]) == (200, 1001)


def test_multipart_upload_describes_each_file(api: Api, tmp_path: Path) -> None:
    api.login()
    api.new_session()
    photos = make_photos(tmp_path / "photos", 2, size=(64, 36))
    tone = make_tone(tmp_path / "tone.wav", seconds=0.5)
    answer = api.upload([*photos, tone])
    assert answer.status_code == 200
    files = answer.json()["data"]["files"]
    assert [(f["filename"], f["file_type"]) for f in files] == [
        ("IMG_1.jpg", "image"), ("IMG_2.jpg", "image"), ("tone.wav", "audio")]
    assert (files[0]["width"], files[0]["height"], files[0]["duration"]) == (64, 36, None)
    assert files[2]["duration"] == pytest.approx(0.5, abs=0.05)
    import hashlib

    assert files[0]["hash"] == hashlib.sha256(photos[0].read_bytes()).hexdigest()
    served = httpx.get(files[0]["cdn_url"])
    assert served.content == photos[0].read_bytes()
    state = api.state().json()["data"]["state"]
    assert [v["filename"] for v in state["video_infos"]] == ["IMG_1.jpg", "IMG_2.jpg",
                                                            "tone.wav"]
    api.upload(photos[:1])  # the same file again is not a new asset
    assert len(api.state().json()["data"]["state"]["video_infos"]) == 3


def test_video_uploads_report_duration_size_and_rate(api: Api, tmp_path: Path) -> None:
    from lapsefile.engine.ffmpeg import find_ffmpeg, run_ffmpeg

    clip = tmp_path / "clip.mp4"
    run_ffmpeg(find_ffmpeg(), ["-f", "lavfi", "-i", "testsrc=size=64x36:rate=10:duration=1",
                               "-pix_fmt", "yuv420p", "-y", str(clip)])
    api.login()
    api.new_session()
    info = api.upload([clip]).json()["data"]["files"][0]
    assert info["file_type"] == "video"
    assert (info["width"], info["height"], info["fps"]) == (64, 36, 10.0)
    assert info["duration"] == pytest.approx(1.0, abs=0.05)


def test_the_other_upload_answer_shape(start_emulator: Callable[..., EmulatorServer],
                                       tmp_path: Path) -> None:
    api = Api(start_emulator(upload_shape="uploaded_files").url or "")
    api.login()
    api.new_session()
    data = api.upload(make_photos(tmp_path, 1)).json()["data"]
    assert "files" not in data and data["uploaded_files"][0]["url"].startswith("http://")


def test_upload_refuses_unsupported_types_and_large_files(
        start_emulator: Callable[..., EmulatorServer], tmp_path: Path) -> None:
    api = Api(start_emulator(max_upload_bytes=1000).url or "")
    api.login()
    api.new_session()
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "big.png").write_bytes(b"\0" * 1001)
    (tmp_path / "ok.jpg").write_bytes(jpeg_bytes())
    wrong_type = api.upload([tmp_path / "ok.jpg", tmp_path / "notes.txt"])
    too_big = api.upload([tmp_path / "big.png"])
    assert (wrong_type.status_code, wrong_type.json()["code"]) == (415, 4001)
    assert "mp4" in wrong_type.json()["msg"]
    assert (too_big.status_code, too_big.json()["code"]) == (413, 4002)
    assert api.state().json()["data"]["state"]["video_infos"] == []  # nothing half-stored


def test_upload_by_url_takes_only_urls_this_service_served(api: Api, tmp_path: Path) -> None:
    api.login()
    first = api.new_session()
    url = api.upload(make_photos(tmp_path, 1)).json()["data"]["files"][0]["cdn_url"]
    second = api.new_session()
    answer = api.http.post(f"/api/upload-video/nemo_agent/me/{second}", headers=api.headers(),
                           json={"urls": [url], "source_type": "url"})
    assert answer.json()["data"]["files"][0]["filename"] == "IMG_1.jpg"
    foreign = api.http.post(f"/api/upload-video/nemo_agent/me/{first}", headers=api.headers(),
                            json={"urls": ["https://example.com/a.jpg"], "source_type": "url"})
    assert (foreign.status_code, foreign.json()["code"]) == (400, 4003)
    assert "example.com" in foreign.json()["msg"]


def test_a_malformed_upload_is_a_clear_error(api: Api) -> None:
    api.login()
    session = api.new_session()
    answer = api.http.post(f"/api/upload-video/nemo_agent/me/{session}", headers=api.headers(),
                           content=io.BytesIO(b"raw").read())
    assert (answer.status_code, answer.json()["code"]) == (400, 4000)
