"""``lapsefile init``: write a starting lapse.yaml for a folder of photos.

The photos are read, not only listed: their EXIF capture times (headers only) say whether the
names' order is the order they were taken in (a camera's counter wraps at 9999, two cameras
number alike), and how long the shooting lasted, which the proposal states as a speed-up. The
spec's first line points editors at the schema, written beside it (see :data:`SCHEMA_LINE`).
"""

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
from .project.exif import read_capture_time
from .project.ordering import natural_key
from .spec.model import IMAGE_TYPES, PHOTO_TYPES
from .spec.schema_file import SCHEMA_NAME, schema_text

DEFAULT_FPS = 24
MIN_SECONDS = 5.0  # a shorter timelapse is rarely what anyone wants
# The schema is written beside the spec and named relatively: yaml-language-server resolves a
# relative modeline against the YAML file, so the line works in any clone of the folder, today
# (an https address resolves only once published; a path into site-packages is one machine's).
SCHEMA_LINE = f"# yaml-language-server: $schema={SCHEMA_NAME}\n"


@dataclass(frozen=True)
class Shooting:
    """What the photos' capture times say: the order to propose and the span of shooting."""

    sort: str = "natural"
    # why exif: two neighbours by name taken in the other order (their names)
    out_of_order: tuple[str, str] | None = None
    span: float | None = None  # seconds from the first capture to the last, when known


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
    shooting: Shooting = Shooting()

    def timing_yaml(self) -> str:
        speed = f"  # {self.speed_sentence()}\n" if self.shooting.span else ""
        if self.hold is None:
            return (f"{speed}  fps: {self.fps}            # one frame per photo: "
                    f"{self.photos} photos last {self.duration:g} s\n")
        return (f"{speed}  fps: {self.fps}\n  duration: {self.duration:g}s       # each photo "
                f"held {self.hold:.3g} s ({self.photos} photos)\n")

    def speed_sentence(self) -> str:
        """"3 h 20 min of shooting: 30 s at 24 fps is 400x" (empty without a known span)."""
        span = self.shooting.span
        if not span:
            return ""
        return (f"{human_span(span)} of shooting: {self.duration:g} s at {self.fps} fps is "
                f"{_times(span / self.duration)}")

    def sort_sentence(self) -> str:
        """Why ``sort: exif`` is proposed (empty when it is not)."""
        pair = self.shooting.out_of_order
        if pair is None:
            return ""
        return (f"sort: exif, because the capture times do not follow the names: "
                f"{_quoted(pair[1])} comes after {_quoted(pair[0])} by name but was taken "
                "before it")


def human_span(seconds: float) -> str:
    """A length of time as people say it: "45 s", "4 min 30 s", "3 h 20 min", "2 d 5 h"."""
    whole = round(seconds)
    if whole < 60:
        return f"{seconds:.3g} s" if seconds < 10 else f"{whole} s"
    units = ((86400, "d", 3600, "h"), (3600, "h", 60, "min"), (60, "min", 1, "s"))
    for size, name, small, small_name in units:
        if whole >= size:
            rounded = round(whole / small) * small  # to the smaller unit shown
            big, rest = divmod(rounded, size)
            return f"{big} {name}" + (f" {rest // small} {small_name}" if rest else "")
    raise AssertionError("unreachable: whole >= 60")


def _times(factor: float) -> str:
    # Large factors read best as whole numbers with separators; small ones keep a digit.
    return f"{factor:,.0f}x" if factor >= 10 else f"{factor:.2g}x"


def read_shooting(files: list[Path]) -> Shooting:
    """Propose ``sort: exif`` when every photo has a capture time and the names' natural order
    is not the order they were taken in; measure the span from the capture times there are.

    Only headers are read (``project.exif``: kilobytes per photo, no pixels). A photo without
    a capture time would be sorted by its file time under ``exif``, which a copy resets: the
    names are trusted then."""
    named = sorted(files, key=lambda f: natural_key(f.name))
    times = [read_capture_time(f) for f in named]
    known = [t for t in times if t is not None]
    span = (max(known) - min(known)).total_seconds() if len(known) > 1 else None
    if len(known) < len(times):
        return Shooting(span=span or None)
    for i in range(len(named) - 1):
        earlier, later = times[i], times[i + 1]
        if earlier is not None and later is not None and later < earlier:
            return Shooting("exif", (named[i].name, named[i + 1].name), span or None)
    return Shooting(span=span or None)


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
    shooting = read_shooting([folder / f"{stem}{ext}" for ext in kinds for stem in stems[ext]])
    if count / DEFAULT_FPS >= MIN_SECONDS:
        return Proposal(str(rel), patterns, count, DEFAULT_FPS, round(count / DEFAULT_FPS, 3),
                        None, doubles, shooting)
    return Proposal(str(rel), patterns, count, DEFAULT_FPS, MIN_SECONDS, MIN_SECONDS / count,
                    doubles, shooting)


def render_spec(proposal: Proposal, name: str) -> str:
    return (
        f"{SCHEMA_LINE}"
        "# Made by `lapsefile init`. Every key is described in the README and in\n"
        f"# {SCHEMA_NAME} beside this file, which editors read for completion (after upgrading\n"
        f"# lapsefile, refresh it: `lapsefile schema > {SCHEMA_NAME}`).\n"
        "version: 1\n"
        "frames:\n"
        f"  include: [{', '.join(_quoted(p) for p in proposal.patterns)}]\n"
        f"{_doubles_comment(proposal.doubles)}"
        f"{_sort_yaml(proposal)}"
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


def _sort_yaml(proposal: Proposal) -> str:
    if proposal.shooting.sort == "natural":
        return "  sort: natural\n"
    # The comment says why, naming the photos (quoted: a name may hold any character).
    return f"  sort: exif            # {proposal.sort_sentence().removeprefix('sort: exif, ')}\n"


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


@dataclass(frozen=True)
class Scaffold:
    """What ``init`` wrote."""

    spec: Path
    schema: Path  # the file the spec's schema line names
    schema_kept: bool  # an existing, different schema file was left as it was
    proposal: Proposal


def scaffold(root: Path, spec_name: str = "lapse.yaml", overwrite: bool = False) -> Scaffold:
    """Write a spec proposed from the photos below ``root``, and the schema it names."""
    target = root / spec_name
    if target.exists() and not overwrite:
        raise LapsefileError(f"{target} already exists; pass --force to replace it")
    proposal = propose(root)
    name = _output_stem(root)
    # Atomic: with --force, a failed or interrupted init leaves the old spec, not half a file.
    write_atomic(target, render_spec(proposal, name).encode("utf-8"))
    schema_path, kept = _write_schema(root / SCHEMA_NAME, overwrite)
    return Scaffold(target, schema_path, kept, proposal)


def _write_schema(path: Path, overwrite: bool) -> tuple[Path, bool]:
    """Write the schema the spec's first line names; an existing file of another content
    (an older lapsefile's schema, most likely) is replaced only with ``--force``."""
    text = schema_text()
    if path.exists() and not overwrite:
        try:
            same = path.read_bytes() == text.encode("utf-8")
        except OSError:  # a folder of that name, unreadable: not ours to replace
            same = False
        return path, not same
    write_atomic(path, text.encode("utf-8"))
    return path, False
