"""Resolve a spec against the disk: expand globs, order and hash photos, solve timing."""

from __future__ import annotations

import glob
import os
import stat
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path, PurePosixPath

from ..errors import Diagnostic, SpecError
from ..events import Emit, Event, discard
from ..spec.model import AUDIO_TYPES, IMAGE_TYPES, Spec
from .model import InputFile, Project
from .ordering import order
from .statcache import StatCache
from .timing import TimingProblem, problem_diagnostics, solve


def _relpath(path: Path, root: Path) -> str:
    return PurePosixPath(os.path.relpath(path, root)).as_posix()


def _glob(root: Path, pattern: str) -> dict[str, os.stat_result]:
    """Regular files matching ``pattern``: relative POSIX path -> stat, one stat per file.

    glob with root_dir yields relative names directly; building and relativizing a Path per
    file costs more than the stat itself at 10,000 photos.
    """
    found: dict[str, os.stat_result] = {}
    absolute = os.path.isabs(pattern)
    for rel in glob.glob(pattern, root_dir=root, recursive=True):
        try:
            st = os.stat(os.path.join(root, rel))
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            # Inputs are recorded relative to the spec (the lock is committed): photos on
            # another drive become ../../media/card/IMG_1.jpg, not /media/card/IMG_1.jpg.
            found[_relpath(Path(rel), root) if absolute else rel.replace(os.sep, "/")] = st
    return found


def _no_match_hint(root: Path, pattern: str) -> str:
    folder = (root / pattern).parent
    while "*" in folder.name or "?" in folder.name or "[" in folder.name:
        folder = folder.parent
    if not folder.is_dir():
        return f"the folder {_relpath(folder, root)}/ does not exist"
    kinds = Counter(p.suffix.lower() or "(no extension)" for p in folder.iterdir() if p.is_file())
    if not kinds:
        return f"{_relpath(folder, root)}/ has no files"
    found = ", ".join(f"{n} {ext}" for ext, n in kinds.most_common(4))
    return f"{_relpath(folder, root)}/ holds {found} files; check the pattern's extension and case"


def _match_frames(spec: Spec) -> tuple[dict[str, os.stat_result], list[Diagnostic]]:
    root, frames = spec.root, spec.frames
    diagnostics: list[Diagnostic] = []
    matched: dict[str, os.stat_result] = {}
    for i, pattern in enumerate(frames.include):
        found = _glob(root, pattern)
        if not found:
            diagnostics.append(Diagnostic(
                f"the glob {pattern!r} matches no files", path=f"frames.include[{i}]",
                location=spec.where("frames", "include", i),
                hint=_no_match_hint(root, pattern)))
        matched.update(found)
    excluded = {rel for pattern in frames.exclude for rel in _glob(root, pattern)}
    kept = {rel: st for rel, st in matched.items() if rel not in excluded}
    if matched and not kept:
        diagnostics.append(Diagnostic("every matched photo is excluded", path="frames.exclude",
                                      location=spec.where("frames", "exclude")))
    return kept, diagnostics


def _type_diagnostics(spec: Spec, relpaths: Iterable[str]) -> list[Diagnostic]:
    bad = sorted(r for r in relpaths if os.path.splitext(r)[1].lower() not in IMAGE_TYPES)
    if not bad:
        return []
    shown = ", ".join(bad[:3]) + (f" and {len(bad) - 3} more" if len(bad) > 3 else "")
    return [Diagnostic(f"{len(bad)} matched file(s) are not supported photos: {shown}",
                       path="frames.include", location=spec.where("frames", "include"),
                       expected="images of type " + ", ".join(t[1:] for t in IMAGE_TYPES),
                       hint="narrow the glob (e.g. `*.jpg`) or add `exclude` patterns")]


def _input_files(spec: Spec, stats: dict[str, os.stat_result], cache: StatCache, emit: Emit,
                 label: str) -> list[InputFile]:
    root = spec.root

    def progress(done: int, total: int) -> None:
        emit(Event("progress", None, {"done": done, "total": total, "unit": "files",
                                      "label": f"hashing {label}"}))

    entries = cache.hash_files(stats.items(), progress)
    return [InputFile(rel, root / rel, st.st_size, st.st_mtime_ns, entries[rel].sha256)
            for rel, st in stats.items()]


def _needs_capture_times(spec: Spec) -> bool:
    return (spec.frames.sort == "exif" or spec.timestamp is not None
            or (spec.timing.speedup is not None and spec.timing.interval is None))


def _with_capture_times(files: list[InputFile], cache: StatCache
                        ) -> tuple[list[InputFile], list[str]]:
    dated, missing = [], []
    for f in files:
        when = cache.capture_time(f.relpath, f.path)
        if when is None:
            missing.append(f.relpath)
            dated.append(InputFile(f.relpath, f.path, f.size, f.mtime_ns, f.sha256,
                                   datetime.fromtimestamp(f.mtime_ns / 1e9), "mtime"))
        else:
            dated.append(InputFile(f.relpath, f.path, f.size, f.mtime_ns, f.sha256, when, "exif"))
    return dated, missing


def _measured_interval(frames: tuple[InputFile, ...]) -> float | None:
    times = [f.captured_at for f in frames if f.capture_source == "exif" and f.captured_at]
    if len(times) < 2 or len(times) != len(frames):
        return None
    span = (times[-1] - times[0]).total_seconds()
    return abs(span) / (len(times) - 1) or None


def _asset_stats(spec: Spec) -> dict[str, os.stat_result]:
    refs = [t.style.font for t in spec.titles]
    refs += [spec.timestamp.style.font if spec.timestamp else None,
             spec.logo.file if spec.logo else None, spec.music.file if spec.music else None]
    stats = {}
    for ref in dict.fromkeys(r for r in refs if r):
        stats.update(_glob(spec.root, glob.escape(ref)))
    return stats


def _title_diagnostics(spec: Spec, duration: float) -> list[Diagnostic]:
    out = []
    for i, title in enumerate(spec.titles):
        for key, value in (("start", title.start), ("end", title.end)):
            if value is not None and value > duration + 1e-6:
                out.append(Diagnostic(
                    f"title {title.text!r} {'starts' if key == 'start' else 'ends'} at "
                    f"{value:g} s but the video lasts {duration:.3f} s".replace(".000 s", " s"),
                    path=f"overlays.titles[{i}].{key}",
                    location=spec.where("overlays", "titles", i, key),
                    hint=f"use a time up to {duration:g} s, or omit `end` to show it until "
                         "the end"))
    return out


def _output_diagnostics(spec: Spec) -> list[Diagnostic]:
    """Output paths the disk makes impossible; found now, not after minutes of rendering."""
    found = []
    for i, output in enumerate(spec.outputs):
        target = spec.root / output.path
        path, location = f"outputs[{i}].path", spec.where("outputs", i, "path")
        if target.is_dir():
            found.append(Diagnostic(f"{output.path} is a folder, so the video cannot be written "
                                    "there", hint="choose a file name ending in .mp4",
                                    path=path, location=location))
            continue
        blocker = next((p for p in target.parents if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            found.append(Diagnostic(
                f"{_relpath(blocker, spec.root)} is a file, so the folder for {output.path} "
                "cannot be made", hint="choose another folder for the output",
                path=path, location=location))
    return found


def _cloud_diagnostics(spec: Spec) -> list[Diagnostic]:
    """What the cloud refuses, checked here too because ``--backend nemo`` can override a
    spec the loader checked for the local backend."""
    if spec.backend != "nemo":
        return []
    found = []
    music = spec.music
    suffix = PurePosixPath(music.file).suffix.lower() if music else ""
    if music and suffix not in AUDIO_TYPES:
        found.append(Diagnostic(
            f"the nemo backend does not accept {suffix} music", path="music.file",
            location=spec.where("music", "file"),
            expected="audio of type " + ", ".join(t[1:] for t in AUDIO_TYPES),
            hint="convert the track (e.g. to .m4a or .mp3) or use the local backend"))
    if spec.cloud.upload == "clip" and spec.timestamp is not None:
        # One uploaded clip carries no per-photo capture times for the service to print.
        found.append(Diagnostic(
            "a timestamp overlay needs each photo's capture time, which one uploaded clip "
            "does not carry", path="cloud.upload", location=spec.where("cloud", "upload"),
            hint="use `cloud.upload: frames`, or render this output with the local backend"))
    return found


def resolve_project(spec: Spec, cache: StatCache | None = None, emit: Emit = discard
                    ) -> tuple[Project, list[Diagnostic]]:
    """The Project for ``spec`` and its warnings; raises SpecError listing every problem."""
    cache = cache if cache is not None else StatCache.load(spec.root)
    matched, diagnostics = _match_frames(spec)
    diagnostics += _cloud_diagnostics(spec) + _output_diagnostics(spec)
    diagnostics += _type_diagnostics(spec, matched)
    if any(d.severity == "error" for d in diagnostics):
        raise SpecError(diagnostics)
    files = _input_files(spec, matched, cache, emit, "photos")
    if _needs_capture_times(spec):
        files, missing = _with_capture_times(files, cache)
        if missing:
            diagnostics.append(Diagnostic(
                f"{len(missing)} of {len(files)} photos have no EXIF capture time "
                f"(first: {missing[0]}); using their file modification time instead",
                path="frames", location=spec.where("frames"), severity="warning"))
    frames = order(files, spec.frames.sort, spec.frames.every)
    try:
        timing = solve(spec.timing, len(frames), _measured_interval(frames))
    except TimingProblem as problem:
        raise SpecError(diagnostics + problem_diagnostics(
            problem, lambda key: spec.where("timing", key) if key else spec.where("timing"))
        ) from problem
    diagnostics += _title_diagnostics(spec, timing.duration)
    if any(d.severity == "error" for d in diagnostics):
        raise SpecError(diagnostics)
    assets = _input_files(spec, _asset_stats(spec), cache, emit, "assets")
    cache.save()
    project = Project(spec, frames, {a.relpath: a for a in assets}, timing)
    return project, diagnostics
