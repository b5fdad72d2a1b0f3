"""The ``clip`` upload strategy: the photos assembled locally into one high-quality video.

The clip is the output's picture without overlays or music (those are the agent's job), made by
the local engine, and cached in ``<spec folder>/.lapsefile/clips/`` under a digest of what shapes
it, so an unchanged clip is neither rendered nor uploaded twice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from ...events import Emit, Event
from ...paths import ensure_state_dir, state_dir
from ...plan.fingerprint import digest
from ...plan.instructions import clip_name
from ...project.model import Project
from ...project.statcache import sha256_file
from ...spec.model import Output
from .proxies import UploadFile

CLIPS = "clips"  # the subfolder of the state folder
CLIP_VERSION = 1


def prepare_clip(project: Project, output: Output, emit: Emit, step: str,
                 options: Mapping[str, Any]) -> UploadFile:
    from ...engine.ffmpeg import find_ffmpeg
    from ...engine.render import render
    from ..local import job_for_output

    job = job_for_output(project, output)
    key = digest([CLIP_VERSION, [f.sha256 for f in project.frames], job.fps, job.duration,
                  job.hold, job.canvas, job.look,
                  *([job.hold_start] if job.hold_start else [])])  # older keys: no hold
    name = clip_name(output)
    dest = state_dir(project.root) / CLIPS / f"{key[:24]}-{name}"
    if not dest.is_file():
        ensure_state_dir(project.root, CLIPS)
        emit(Event("message", step, {"source": "lapsefile",
                                     "text": f"assembling {len(project.frames)} photos into "
                                             f"{name} for upload"}))
        clip_job = dataclasses.replace(job, output=dest, titles=(), timestamp=None, logo=None,
                                       music=None, quality="high", codec="h264")

        def on_progress(seconds: float, total: float) -> None:
            emit(Event("progress", step, {"done": round(seconds, 2), "total": round(total, 2),
                                          "unit": "s", "label": f"assembling {name}"}))

        render([clip_job], find_ffmpeg(options.get("ffmpeg")), on_progress)
    return UploadFile(dest, sha256_file(dest), dest.stat().st_size, name,
                      f"{output.name} clip ({len(project.frames)} photos)")

