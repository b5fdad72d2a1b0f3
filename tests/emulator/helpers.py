"""Helpers for the emulator's tests: a small API client, stream decoding, tiny media, and
lapsefile Projects whose instructions the agent must understand."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from lapsefile.emulator import draft as drafts
from lapsefile.emulator.agent import parse_instruction
from lapsefile.emulator.store import Asset
from lapsefile.engine.testing import make_frames
from lapsefile.engine.testing import make_tone as engine_tone
from lapsefile.looks.deflicker import Deflicker
from lapsefile.plan.instructions import Instruction, render_instructions
from lapsefile.project.model import InputFile, Project, Timing
from lapsefile.spec.model import (
    Cloud,
    Frames,
    Logo,
    Look,
    Music,
    Output,
    Spec,
    TextStyle,
    Timestamp,
    TimingRequest,
    Title,
)

ATTRIBUTION = {"X-Skill-Source": "lapsefile-tests", "X-Skill-Version": "0.1.0",
               "X-Skill-Platform": "linux"}
START = datetime(2024, 5, 1, 18, 30, 0)
TIMELINE = ("Combine the 3 uploaded photos, in upload order, into a 1.5-second timelapse at 12 "
            "fps, 64x36 (16:9), cropped to fill the frame. Show each photo for 0.5 seconds.")
TITLE = ('Add the title "Hello" from 0 s to 1 s, at the top of the frame, text height 10% of the '
         "frame height, colour white, fading in over 0 s and out over 0 s.")


class Api:
    """Just enough of a client to drive the emulator from tests (the real one lives in
    lapsefile.backends.nemo)."""

    def __init__(self, url: str, client_id: str = "test-client"):
        self.http = httpx.Client(base_url=url, timeout=20)
        self.client_id = client_id
        self.token: str | None = None
        self.user_id: str | None = None
        self.session_id: str | None = None

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **extra} if self.token else dict(extra)

    def login(self) -> dict[str, Any]:
        answer = self.http.post("/api/auth/anonymous-token",
                                headers={"X-Client-Id": self.client_id})
        data = answer.json()["data"]
        self.token, self.user_id = data["token"], data["user_id"]
        return data

    def new_session(self, language: str = "en") -> str:
        answer = self.http.post("/api/tasks/me/with-session/nemo_agent", headers=self.headers(),
                                json={"task_name": "project", "language": language})
        self.session_id = answer.json()["data"]["session_id"]
        return self.session_id

    def upload(self, paths: list[Path], session_id: str | None = None) -> httpx.Response:
        files = [("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in paths]
        return self.http.post(f"/api/upload-video/nemo_agent/me/{session_id or self.session_id}",
                              files=files, headers=self.headers())

    def send(self, text: str, session_id: str | None = None) -> tuple[int, list[str], Any]:
        """(HTTP status, the stream's lines, the JSON body when it answered JSON)."""
        body = {"app_name": "nemo_agent", "user_id": "me",
                "session_id": session_id or self.session_id,
                "new_message": {"parts": [{"text": text}]}}
        with self.http.stream("POST", "/run_sse", json=body,
                              headers=self.headers(Accept="text/event-stream")) as answer:
            if answer.headers.get("content-type", "").startswith("application/json"):
                answer.read()
                return answer.status_code, [], answer.json()
            return answer.status_code, list(answer.iter_lines()), None

    def state(self, session_id: str | None = None) -> httpx.Response:
        return self.http.get(f"/api/state/nemo_agent/me/{session_id or self.session_id}/latest",
                             headers=self.headers())

    def draft(self) -> dict[str, Any]:
        return self.state().json()["data"]["state"]["draft"]

    def credits(self) -> dict[str, Any]:
        return self.http.get("/api/credits/balance/simple", headers=self.headers()).json()["data"]

    def export(self, render_id: str, draft: Any = None, **headers: str) -> httpx.Response:
        body = {"id": render_id, "sessionId": self.session_id, "draft": draft or self.draft(),
                "output": {"format": "mp4", "quality": "high"}}
        return self.http.post("/api/render/proxy/lambda", json=body,
                              headers=self.headers(**(headers or ATTRIBUTION)))

    def render_status(self, render_id: str) -> httpx.Response:
        return self.http.get(f"/api/render/proxy/lambda/{render_id}", headers=self.headers())

    def calls(self) -> list[dict[str, Any]]:
        return self.http.get("/_emulator/calls").json()


def events(lines: list[str]) -> list[Any]:
    """Decoded ``data:`` payloads of a stream; None for empty data lines."""
    found = []
    for line in lines:
        if line.startswith("data:"):
            payload = line[5:].strip()
            found.append(json.loads(payload) if payload else None)
    return found


def texts(lines: list[str]) -> list[str]:
    """Every complete text of a stream, in either shape (agent-framework partials skipped)."""
    found = []
    for event in events(lines):
        if not isinstance(event, dict):
            continue
        if event.get("type") == "text":
            found.append(event["content"])
        elif "content" in event and not event.get("partial"):
            found += [p["text"] for p in event["content"]["parts"] if "text" in p]
    return found


def make_photos(folder: Path, count: int, size: tuple[int, int] = (64, 36),
                start: datetime = START, step: timedelta = timedelta(minutes=1),
                prefix: str = "IMG_") -> list[Path]:
    """JPEGs of distinct flat colours (the engine's test frames: their index can be read back
    from a rendered frame) with EXIF DateTimeOriginal one ``step`` apart."""
    return make_frames(folder, count, size, name=prefix + "{i}.jpg",
                       capture_times=[start + i * step for i in range(count)])


def make_tone(path: Path, seconds: float = 1.0) -> Path:
    return engine_tone(path, seconds)


def jpeg_bytes(color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, "JPEG")
    return buffer.getvalue()


def make_project(root: Path, photos: list[Path], *, fps: float = 12, duration: float = 1.5,
                 width: int = 64, height: int = 36, language: str = "en",
                 upload: str = "frames", full: bool = True) -> Project:
    """A Project with every overlay (``full``) whose instructions lapsefile would send."""
    output = Output(name="main", path="out/main.mp4", width=width, height=height,
                    aspect="16:9", fit="cover", quality="standard")
    spec = Spec(path=root / "lapse.yaml", version=1, frames=Frames(include=("photos/*.jpg",)),
                timing=TimingRequest(fps=fps, duration=duration),
                look=Look(deflicker=Deflicker(size=3) if full else None),
                titles=(Title("Sunset", 0.0, 1.0, TextStyle(position="center", size=0.2,
                                                             box=True, box_color="black@0.4"),
                              fade_in=0.25, fade_out=0.25),) if full else (),
                timestamp=Timestamp(style=TextStyle(position="bottom-right", size=0.15))
                if full else None,
                logo=Logo("assets/logo.png", scale=0.25, opacity=0.8) if full else None,
                music=Music("assets/tone.wav", volume=0.35, fade_in=0.2, fade_out=0.3)
                if full else None,
                outputs=(output,), backend="nemo", cloud=Cloud(language=language, upload=upload))
    # Only names matter to the instructions: the photos need not exist.
    frames = tuple(InputFile(p.relative_to(root).as_posix(), p, 0, 0, "0" * 64) for p in photos)
    timing = Timing(fps=fps, duration=duration, hold=duration / len(photos),
                    photo_count=len(photos), frame_count=round(duration * fps))
    return Project(spec=spec, frames=frames, assets={}, timing=timing)


def instructions(project: Project) -> list[Instruction]:
    return render_instructions(project, project.spec.outputs[0])


def with_spec(project: Project, **changes: Any) -> Project:
    return replace(project, spec=replace(project.spec, **changes))


# Drafts without a server: fake uploads and the sentences that build every kind of track.
ASSETS = [Asset(filename=name, file_type=kind, hash=f"{i:064x}", path=Path("/store") / name,
                size=1)
          for i, (name, kind) in enumerate([("IMG_1.jpg", "image"), ("IMG_2.jpg", "image"),
                                            ("logo.png", "image"), ("logo2.png", "image"),
                                            ("a.mp3", "audio"), ("b.mp3", "audio")], start=1)]
BUILD = [
    "Combine the 2 uploaded photos, in upload order, into a 4-second timelapse at 10 fps, "
    "64x36 (16:9), cropped to fill the frame. Show each photo for 2 seconds.",
    "Smooth the timelapse: remove flicker by averaging brightness over 5 frames (mode am).",
    'Add the title "Sunset" from 0 s to 3 s, at the center of the frame, text height 8% of the '
    "frame height, colour white, on a black@0.4 box, fading in over 0.5 s and out over 0.5 s.",
    "Add a timestamp showing each photo's capture time, formatted \"%Y-%m-%d\", at the "
    "bottom-right of the frame, text height 4% of the frame height, colour white, for the whole "
    "video.",
    "Overlay the uploaded image logo.png at the top-left of the frame, 10% of the frame width, "
    "at 100% opacity, for the whole video.",
    "Add the uploaded audio a.mp3 as background music at 35% volume, starting 0 s into the "
    "track, fading in over 0 s and out over the last 1 s, cut to match the 4-second video.",
]


def apply_text(draft: dict[str, Any], text: str) -> dict[str, Any]:
    """``draft`` after the agent understood and applied ``text`` (with :data:`ASSETS`)."""
    edit = parse_instruction(text)
    assert edit is not None, f"not understood: {text}"
    return drafts.apply_edit(draft, edit, ASSETS, "http://emu")


def build_draft() -> dict[str, Any]:
    """A draft with every kind of track, built from :data:`BUILD`."""
    draft = drafts.empty_draft("p")
    for text in BUILD:
        draft = apply_text(draft, text)
    return draft
