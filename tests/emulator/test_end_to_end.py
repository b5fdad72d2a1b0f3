"""A whole cloud session over real HTTP: lapsefile's own instructions in, a playable MP4 out."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from lapsefile.emulator.server import EmulatorServer
from lapsefile.engine.ffmpeg import find_ffmpeg, run_ffmpeg
from lapsefile.engine.probe import decode_frames, probe
from lapsefile.engine.testing import frame_index_from_rgb, make_logo

from .helpers import Api, instructions, make_photos, make_project, make_tone, texts

Start = Callable[..., EmulatorServer]


def _export_and_download(api: Api, tmp_path: Path, render_id: str) -> Path:
    assert api.export(render_id).status_code == 200
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        body = api.render_status(render_id).json()
        data = body.get("data") or body
        if data["status"] in ("completed", "failed"):
            break
        time.sleep(0.05)
    assert data["status"] == "completed", data
    url = (data.get("output") or {}).get("url") or data.get("outputUrl")
    path = tmp_path / f"{render_id}.mp4"
    path.write_bytes(httpx.get(url).content)
    return path


@pytest.mark.parametrize("language, shapes", [
    ("en", {"sse_shape": "typed", "render_shape": "flat"}),
    ("zh", {"sse_shape": "adk", "render_shape": "wrapped"}),
])
def test_a_full_session_renders_what_the_instructions_say(
        start_emulator: Start, tmp_path: Path, language: str, shapes: dict[str, str]) -> None:
    server = start_emulator(silent_close_rate=0.3, spurious_issue_rate=0.2, seed=3, **shapes)
    api = Api(server.url or "")
    api.login()
    api.new_session(language)
    photos = make_photos(tmp_path / "photos", 6)
    assets = [make_logo(tmp_path / "assets" / "logo.png"),
              make_tone(tmp_path / "assets" / "tone.wav", seconds=1.0)]
    assert api.upload(photos + assets).status_code == 200
    sent = instructions(make_project(tmp_path, photos, fps=12, duration=1.5, language=language))
    assert [i.kind for i in sent] == ["timeline", "look", "title", "timestamp", "logo", "music"]
    for instruction in sent:
        status, lines, _ = api.send(instruction.text)
        assert status == 200
        assert not any("not sure" in t or "不理解" in t for t in texts(lines))
    draft = api.draft()
    assert [(t["tt"], t["n"]) for t in draft["t"]] == [
        (0, "Video"), (7, "Title"), (7, "Timestamp"), (3, "Logo"), (1, "BGM")]
    assert api.credits()["available"] == 100 - len(sent)

    info = probe(_export_and_download(api, tmp_path, "render_full"))
    assert (info.width, info.height) == (64, 36)
    assert info.duration == pytest.approx(1.5, abs=0.1)
    assert info.frame_count == 18 and info.fps == 12
    assert info.video_codec == "h264" and info.pix_fmt == "yuv420p"
    assert info.audio_codec == "aac" and info.audio_duration == pytest.approx(1.5, abs=0.1)


def test_the_photos_play_in_upload_order_for_the_stated_time(start_emulator: Start,
                                                             tmp_path: Path) -> None:
    api = Api(start_emulator().url or "")
    api.login()
    api.new_session()
    photos = make_photos(tmp_path / "photos", 4)
    api.upload(photos)
    project = make_project(tmp_path, photos, fps=8, duration=2.0, full=False)
    for instruction in instructions(project):
        api.send(instruction.text)
    movie = _export_and_download(api, tmp_path, "render_order")
    indexes = [frame_index_from_rgb(frame, 64) for frame in decode_frames(movie)]
    assert indexes == [1] * 4 + [2] * 4 + [3] * 4 + [4] * 4


def test_an_uploaded_clip_as_the_whole_video(start_emulator: Start, tmp_path: Path) -> None:
    api = Api(start_emulator().url or "")
    api.login()
    api.new_session()
    clip = tmp_path / "main-clip.mp4"
    run_ffmpeg(find_ffmpeg(), ["-f", "lavfi", "-i", "testsrc=size=96x54:rate=10:duration=1",
                               "-pix_fmt", "yuv420p", "-y", str(clip)])
    api.upload([clip])
    project = make_project(tmp_path, make_photos(tmp_path / "photos", 10), fps=10,
                           duration=1.0, width=64, height=36, full=False)
    project = replace(project, spec=replace(project.spec, cloud=replace(project.spec.cloud,
                                                                        upload="clip")))
    (timeline,) = instructions(project)
    assert timeline.text.startswith("Use the uploaded video main-clip.mp4")
    _, lines, _ = api.send(timeline.text)
    assert texts(lines)[0].startswith("Done!")
    info = probe(_export_and_download(api, tmp_path, "render_clip"))
    assert (info.width, info.height, info.frame_count) == (64, 36, 10)

