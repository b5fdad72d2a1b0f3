"""``lapsefile init``: write a starting lapse.yaml for a folder of photos."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import LapsefileError
from .lock.lockfile import write_atomic
from .spec.model import IMAGE_TYPES

DEFAULT_FPS = 24
MIN_SECONDS = 5.0  # a shorter timelapse is rarely what anyone wants


@dataclass(frozen=True)
class Proposal:
    folder: str  # relative to the spec's folder
    pattern: str
    photos: int
    fps: int
    duration: float
    hold: float | None  # set when photos are held longer than one frame

    def timing_yaml(self) -> str:
        if self.hold is None:
            return (f"  fps: {self.fps}            # one frame per photo: "
                    f"{self.photos} photos last {self.duration:g} s\n")
        return (f"  fps: {self.fps}\n  duration: {self.duration:g}s       # each photo held "
                f"{self.hold:.3g} s ({self.photos} photos)\n")


def _photo_folders(root: Path) -> Counter[tuple[Path, str]]:
    found: Counter[tuple[Path, str]] = Counter()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            ext = os.path.splitext(name)[1]
            if ext.lower() in IMAGE_TYPES:
                found[(Path(dirpath), ext)] += 1
    return found


def propose(root: Path) -> Proposal:
    """Find the folder with the most photos below ``root`` and suggest timing for it."""
    folders = _photo_folders(root)
    if not folders:
        raise LapsefileError(f"no photos ({', '.join(t[1:] for t in IMAGE_TYPES)}) found in "
                             f"{root} or its subfolders")
    (folder, ext), count = folders.most_common(1)[0]
    rel = PurePosixPath(os.path.relpath(folder, root).replace(os.sep, "/"))
    pattern = str(rel / f"*{ext}") if str(rel) != "." else f"*{ext}"
    if count / DEFAULT_FPS >= MIN_SECONDS:
        return Proposal(str(rel), pattern, count, DEFAULT_FPS, round(count / DEFAULT_FPS, 3), None)
    return Proposal(str(rel), pattern, count, DEFAULT_FPS, MIN_SECONDS, MIN_SECONDS / count)


def render_spec(proposal: Proposal, name: str) -> str:
    return (
        "# Made by `lapsefile init`. Every key is described by `lapsefile schema` and in the\n"
        "# README; for editor completion save that schema and point a\n"
        "# `# yaml-language-server: $schema=<file>` line at it.\n"
        "version: 1\n"
        "frames:\n"
        f"  include: [\"{proposal.pattern}\"]\n"
        "  sort: natural\n"
        "timing:\n"
        f"{proposal.timing_yaml()}"
        "look:\n"
        "  deflicker: true\n"
        "outputs:\n"
        f"  - path: out/{name}-1080p.mp4\n"
        "    size: 1080p\n"
        "    aspect: \"16:9\"\n"
        "    fit: cover\n"
    )


def scaffold(root: Path, spec_name: str = "lapse.yaml", overwrite: bool = False
             ) -> tuple[Path, Proposal]:
    target = root / spec_name
    if target.exists() and not overwrite:
        raise LapsefileError(f"{target} already exists; pass --force to replace it")
    proposal = propose(root)
    name = (root.resolve().name or "timelapse").replace(" ", "-")
    write_atomic(target, render_spec(proposal, name).encode("utf-8"))
    return target, proposal
