"""Exports: a draft rendered for real by lapsefile's local engine, in a background thread.

A job goes pending (``render_delay``) -> processing, progress in ``render_steps`` steps up to 90
(``render_delay`` each) -> the real render -> completed (100, output URL) or failed (``error``).
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeGuard

from .. import looks
from ..engine.job import Canvas, RenderJob
from ..errors import LapsefileError
from ..spec.model import Logo, Look, Music, Quality, TextStyle, Timestamp, Title, look_names
from . import draft as drafts
from .state import RenderRecord, ServiceState
from .store import Asset, describe_file

QUALITIES: tuple[Quality, ...] = ("draft", "standard", "high")


def _is_quality(name: str) -> TypeGuard[Quality]:
    return name in QUALITIES


class DraftError(ValueError):
    """The draft cannot be rendered (missing media, nonsense values)."""


class Exporter:
    def __init__(self, state: ServiceState):
        self.state = state

    def start(self, record: RenderRecord) -> threading.Thread:
        thread = threading.Thread(target=self._run, args=(record,), daemon=True,
                                  name=f"emulator-{record.id}")
        thread.start()
        return thread

    def _run(self, record: RenderRecord) -> None:
        cfg = self.state.config
        if not self._wait(record, cfg.render_delay):
            return
        self._update(record, status="processing", progress=0)
        for step in range(1, cfg.render_steps + 1):
            if not self._wait(record, cfg.render_delay):
                return
            self._update(record, progress=round(90 * step / cfg.render_steps))
        if record.fail_injected:
            self._update(record, status="failed", error="render failed: the render worker "
                                                          "stopped unexpectedly")
            return
        output = self.state.renders_dir / record.id / "output.mp4"
        try:
            with tempfile.TemporaryDirectory(prefix="clip-", dir=self.state.data_dir) as work:
                render_draft(record.draft, self._resolver(), output, record.quality, Path(work))
        except (LapsefileError, DraftError, OSError) as exc:
            self._update(record, status="failed", error=f"render failed: {exc}")
            return
        if record.cancelled:
            output.unlink(missing_ok=True)
            return
        self._update(record, status="completed", progress=100, output=output, error=None)

    def _wait(self, record: RenderRecord, seconds: float) -> bool:
        """Sleep, unless cancelled; False when the job was cancelled."""
        end = time.monotonic() + seconds
        while not record.cancelled and time.monotonic() < end:
            time.sleep(min(0.02, max(0.0, end - time.monotonic())))
        return not record.cancelled

    def _update(self, record: RenderRecord, **fields: Any) -> None:
        with self.state.lock:
            if not record.cancelled:
                for key, value in fields.items():
                    setattr(record, key, value)

    def _resolver(self) -> Callable[[dict[str, Any]], Asset]:
        with self.state.lock:
            known = {a.hash: a for s in self.state.sessions.values() for a in s.assets}
        files = self.state.files

        def resolve(segment: dict[str, Any]) -> Asset:
            digest, name = segment.get("hash"), segment.get("name")
            if not (digest and name):
                parts = str(segment.get("src", "")).split("/_files/")[-1].split("/")
                digest, name = (parts + ["", ""])[:2]
            if digest in known:
                return known[digest]
            path = files.find(str(digest), str(name))
            if path is None:
                raise DraftError(f"the draft refers to {name or segment.get('src')!r}, "
                                 "which was never uploaded")
            return describe_file(path, str(name), str(digest))

        return resolve


def render_draft(draft: dict[str, Any], resolve: Callable[[dict[str, Any]], Asset], output: Path,
                 quality: str, work: Path) -> Path:
    from ..engine.ffmpeg import find_ffmpeg
    from ..engine.render import render

    ffmpeg = find_ffmpeg()
    job = job_from_draft(draft, resolve, output, quality, work, ffmpeg)
    output.parent.mkdir(parents=True, exist_ok=True)
    render([job], ffmpeg)
    return output


def job_from_draft(draft: dict[str, Any], resolve: Callable[[dict[str, Any]], Asset],
                   output: Path, quality: str, work: Path, ffmpeg: Any = None) -> RenderJob:
    """The engine's job for ``draft``; relative media paths resolve against the file store."""
    try:
        return _job(draft, resolve, output, quality, work, ffmpeg)
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
        if isinstance(exc, DraftError):
            raise
        raise DraftError(f"the draft cannot be rendered: {type(exc).__name__} {exc}") from None


def _job(draft: dict[str, Any], resolve: Callable[[dict[str, Any]], Asset], output: Path,
         quality: str, work: Path, ffmpeg: Any) -> RenderJob:
    video = drafts.video_track(draft)
    if video is None:
        raise DraftError("the draft has no video track")
    meta, vmeta = draft["m"], video.get("m", {})
    fps, duration = float(meta.get("fps") or vmeta["fps"]), draft["d"] / 1000
    media = [resolve(segment) for segment in video["sg"]]
    if media[0].file_type == "video":
        frames = _clip_frames(media[0].path, fps, duration, work, ffmpeg)
        captures: tuple[datetime | None, ...] = ()
    else:
        frames = tuple(asset.path for asset in media)
        captures = tuple(asset.captured_at for asset in media)
    store_root = media[0].path.parent.parent
    overlays = [s for t in draft["t"] if t.get("tt") != drafts.VIDEO for s in t.get("sg", [])]
    return RenderJob(
        root=store_root, frames=frames, fps=fps, duration=duration, hold=duration / len(frames),
        canvas=Canvas(int(meta["width"]), int(meta["height"]), meta.get("fit", "cover")),
        output=output,
        look=Look({name: looks.parse(name, vmeta[name]) for name in look_names()
                   if name in vmeta}),
        titles=tuple(_title(s) for s in overlays if s.get("kind") == "text"),
        timestamp=next((_timestamp(s) for s in overlays if s.get("kind") == "timestamp"), None),
        capture_times=captures,
        logo=next((_logo(s, resolve(s)) for s in overlays if s.get("kind") == "image"), None),
        music=next((_music(s, resolve(s)) for s in overlays if s.get("kind") == "audio"), None),
        quality=quality if _is_quality(quality) else "standard")


def _title(segment: dict[str, Any]) -> Title:
    style = TextStyle(position=segment["position"], size=float(segment["size"]),
                      color=segment["color"], box=bool(segment.get("box")),
                      box_color=segment.get("box_color") or "black@0.5")
    return Title(text=segment["text"], start=segment["start"] / 1000, end=segment["end"] / 1000,
                 style=style, fade_in=segment.get("fade_in", 0) / 1000,
                 fade_out=segment.get("fade_out", 0) / 1000)


def _timestamp(segment: dict[str, Any]) -> Timestamp:
    return Timestamp(format=segment["format"], style=TextStyle(
        position=segment["position"], size=float(segment["size"]), color=segment["color"]))


def _logo(segment: dict[str, Any], asset: Asset) -> Logo:
    return Logo(file=f"{asset.hash}/{asset.filename}", position=segment["position"],
                scale=float(segment["scale"]), opacity=float(segment["opacity"]))


def _music(segment: dict[str, Any], asset: Asset) -> Music:
    return Music(file=f"{asset.hash}/{asset.filename}", volume=float(segment["volume"]),
                 fade_in=segment.get("fade_in", 0) / 1000,
                 fade_out=segment.get("fade_out", 0) / 1000,
                 start=segment.get("offset", 0) / 1000, fit=segment.get("fit", "loop"))


def _clip_frames(clip: Path, fps: float, duration: float, work: Path,
                 ffmpeg: Any) -> tuple[Path, ...]:
    """The clip as still frames at ``fps``: the engine renders photo sequences."""
    from ..engine.ffmpeg import run_ffmpeg

    count = max(1, round(duration * fps))
    run_ffmpeg(ffmpeg, ["-v", "error", "-y", "-i", str(clip), "-vf", f"fps={fps:g}",
                        "-frames:v", str(count), str(work / "frame-%06d.png")],
               what=f"cannot read the clip {clip.name}")
    frames = tuple(sorted(work.glob("frame-*.png")))
    if not frames:
        raise DraftError(f"the clip {clip.name} has no video frames")
    return frames
