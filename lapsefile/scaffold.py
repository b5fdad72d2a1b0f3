"""``lapsefile init``: write a starting lapse.yaml for a folder of photos."""

from __future__ import annotations

import glob
import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .atomic import write_atomic
from .errors import LapsefileError
from .spec.model import IMAGE_TYPES, PHOTO_TYPES

DEFAULT_FPS = 24
MIN_SECONDS = 5.0  # a shorter timelapse is rarely what anyone wants


@dataclass(frozen=True)
class Proposal:
    folder: str  # relative to the spec's folder
    patterns: tuple[str, ...]  # one per photo extension found there, most common first
    photos: int
    fps: int
    duration: float
    hold: float | None  # set when photos are held longer than one frame
    # patterns left out: the same shots as a kept pattern, in another format (RAW+JPEG)
    doubles: tuple[str, ...] = ()

    def timing_yaml(self) -> str:
        if self.hold is None:
            return (f"  fps: {self.fps}            # one frame per photo: "
                    f"{self.photos} photos last {self.duration:g} s\n")
        return (f"  fps: {self.fps}\n  duration: {self.duration:g}s       # each photo held "
                f"{self.hold:.3g} s ({self.photos} photos)\n")


def _photo_folders(root: Path) -> dict[Path, dict[str, set[str]]]:
    """Photo extensions (as spelled) and the file stems with each, per folder below ``root``."""
    found: dict[Path, dict[str, set[str]]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            stem, ext = os.path.splitext(name)
            if ext.lower() in PHOTO_TYPES:
                found.setdefault(Path(dirpath), {}).setdefault(ext, set()).add(stem)
    return found


def _without_doubles(kinds: dict[str, set[str]]) -> tuple[Counter[str], list[str]]:
    """Counts of the extensions to propose, and those left out: a camera shooting RAW+JPEG
    writes every shot twice under one name, and both in the video would show each shot
    twice. The JPEG (the camera's own development, ready for ffmpeg) is kept; the other
    format is left out when every one of its shots is also there as a kept kind."""
    ready = [ext for ext in kinds if ext.lower() in IMAGE_TYPES]
    covered = set().union(*(kinds[ext] for ext in ready)) if ready else set()
    kept: Counter[str] = Counter()
    doubles = []
    for ext, stems in kinds.items():
        if ext not in ready and ready and stems <= covered:
            doubles.append(ext)
        else:
            kept[ext] = len(stems)
    return kept, doubles


def propose(root: Path) -> Proposal:
    """Find the folder with the most photos below ``root`` and suggest timing for it."""
    folders = _photo_folders(root)
    if not folders:
        raise LapsefileError(f"no photos ({', '.join(t[1:] for t in PHOTO_TYPES)}) found in "
                             f"{root} or its subfolders")
    folder, stems = max(folders.items(),
                        key=lambda item: len(set().union(*item[1].values())))
    kinds, doubled = _without_doubles(stems)
    count = sum(kinds.values())
    rel = PurePosixPath(os.path.relpath(folder, root).replace(os.sep, "/"))
    # Folder names may hold glob characters such as [ ]: escape them so they match literally.
    prefix = "" if str(rel) == "." else glob.escape(str(rel)) + "/"
    patterns = tuple(f"{prefix}*{ext}" for ext, _n in kinds.most_common())
    doubles = tuple(f"{prefix}*{ext}" for ext in doubled)
    if count / DEFAULT_FPS >= MIN_SECONDS:
        return Proposal(str(rel), patterns, count, DEFAULT_FPS, round(count / DEFAULT_FPS, 3),
                        None, doubles)
    return Proposal(str(rel), patterns, count, DEFAULT_FPS, MIN_SECONDS, MIN_SECONDS / count,
                    doubles)


def render_spec(proposal: Proposal, name: str) -> str:
    return (
        "# Made by `lapsefile init`. Every key is described by `lapsefile schema` and in the\n"
        "# README; for editor completion save that schema and point a\n"
        "# `# yaml-language-server: $schema=<file>` line at it.\n"
        "version: 1\n"
        "frames:\n"
        f"  include: [{', '.join(_quoted(p) for p in proposal.patterns)}]\n"
        f"{_doubles_comment(proposal.doubles)}"
        "  sort: natural\n"
        "timing:\n"
        f"{proposal.timing_yaml()}"
        "look:\n"
        "  deflicker: true\n"
        "outputs:\n"
        f"  - path: {_quoted(f'out/{name}-1080p.mp4')}\n"
        "    size: 1080p\n"
        "    aspect: \"16:9\"\n"
        "    fit: cover\n"
    )


def _doubles_comment(doubles: tuple[str, ...]) -> str:
    if not doubles:
        return ""
    return (f"  # the same shots are also here as {', '.join(_quoted(d) for d in doubles)}: "
            "include that instead to render from those files\n")


def _quoted(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar: quotes, backslashes, any text.
    return json.dumps(text, ensure_ascii=False)


def _output_stem(root: Path) -> str:
    """A file and output name from the folder's name: ASCII letters, digits, - and _."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", root.resolve().name).strip("-") or "timelapse"


def scaffold(root: Path, spec_name: str = "lapse.yaml", overwrite: bool = False
             ) -> tuple[Path, Proposal]:
    target = root / spec_name
    if target.exists() and not overwrite:
        raise LapsefileError(f"{target} already exists; pass --force to replace it")
    proposal = propose(root)
    name = _output_stem(root)
    # Atomic: with --force, a failed or interrupted init leaves the old spec, not half a file.
    write_atomic(target, render_spec(proposal, name).encode("utf-8"))
    return target, proposal
