"""Resolve a spec against the disk: expand globs, order and hash photos, solve timing."""

from __future__ import annotations

import glob
import os
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path, PurePosixPath

from ..errors import Diagnostic, SpecError
from ..events import Emit, Event, discard
from ..spec.formats import cloud_output_diagnostics
from ..spec.model import AUDIO_TYPES, PHOTO_TYPES, Spec, shows
from ..spec.paths import dotted
from . import snapshot
from .files import Identity as _Identity
from .files import identity as _identity
from .files import relpath as _relpath
from .globbing import Seen
from .globbing import glob_files as _glob
from .model import FrameFiles, InputFile, Project, Timing
from .ordering import natural_key, order
from .outputs import output_diagnostics
from .statcache import StatCache
from .timing import solve_all


def _once_each(root: Path, stats: dict[str, os.stat_result], sort: str
               ) -> dict[str, os.stat_result]:
    """One path per real file: a photo reached under two names (the same folder linked twice,
    a symlink or a hard link to it) counts once. The name kept is the one the sort order puts
    first (plain order for ``name``, natural order otherwise, which is also how ``exif`` and
    ``mtime`` break ties, and two names of one file have the same times): so the video shows
    the photo where its first name would have put it, whatever order the disk listed them."""
    key = (lambda rel: rel) if sort == "name" else natural_key
    kept: dict[_Identity | str, str] = {}
    for rel, st in stats.items():
        ident = _identity(st, root, rel)
        other = kept.get(ident)
        if other is None or key(rel) < key(other):
            kept[ident] = rel
    if len(kept) == len(stats):
        return stats
    names = set(kept.values())
    return {rel: st for rel, st in stats.items() if rel in names}


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


def _match_frames(spec: Spec, seen: Seen
                  ) -> tuple[dict[str, os.stat_result], list[Diagnostic]]:
    root, frames = spec.root, spec.frames
    diagnostics: list[Diagnostic] = []
    matched: dict[str, os.stat_result] = {}
    for i, pattern in enumerate(frames.include):
        found = _glob(root, pattern, seen)
        if not found:
            diagnostics.append(Diagnostic(
                f"the glob {pattern!r} matches no files", path=f"frames.include[{i}]",
                location=spec.where("frames", "include", i),
                hint=_no_match_hint(root, pattern)))
        matched.update(found)
    # Excluded by what a file is, not what it is called: excluding one name of a photo that
    # is reachable under two excludes the photo.
    excluded = {_identity(st, root, rel)
                for pattern in frames.exclude for rel, st in _glob(root, pattern, seen).items()}
    kept = matched if not excluded else {rel: st for rel, st in matched.items()
                                         if _identity(st, root, rel) not in excluded}
    kept = _once_each(root, kept, frames.sort)
    if matched and not kept:
        diagnostics.append(Diagnostic("every matched photo is excluded", path="frames.exclude",
                                      location=spec.where("frames", "exclude")))
    return kept, diagnostics


def _type_diagnostics(spec: Spec, relpaths: Iterable[str]) -> list[Diagnostic]:
    bad = sorted(r for r in relpaths if os.path.splitext(r)[1].lower() not in PHOTO_TYPES)
    if not bad:
        return []
    shown = ", ".join(bad[:3]) + (f" and {len(bad) - 3} more" if len(bad) > 3 else "")
    return [Diagnostic(f"{len(bad)} matched file(s) are not supported photos: {shown}",
                       path="frames.include", location=spec.where("frames", "include"),
                       expected="images of type " + ", ".join(t[1:] for t in PHOTO_TYPES),
                       hint="narrow the glob (e.g. `*.jpg`) or add `exclude` patterns")]


def _input_files(spec: Spec, stats: dict[str, os.stat_result], cache: StatCache, emit: Emit,
                 label: str, inspect: bool = False) -> tuple[list[InputFile], dict[str, str]]:
    """Hashed inputs, and (with ``inspect``, for photos) what is wrong with the broken ones."""
    root = spec.root

    def progress(done: int, total: int) -> None:
        emit(Event("progress", None, {"done": done, "total": total, "unit": "files",
                                      "label": f"hashing {label}"}))

    entries = cache.hash_files(stats.items(), progress, inspect=inspect)
    broken = {rel: entry.problem for rel, entry in entries.items() if entry.problem}
    return [InputFile.under(root, rel, st.st_size, st.st_mtime_ns, entries[rel].sha256)
            for rel, st in stats.items()], broken


def needs_capture_times(spec: Spec) -> bool:
    """Whether the project needs each photo's capture time (its sort, a timestamp, a
    speed-up without an interval); the snapshot is kept by it."""
    return (spec.frames.sort == "exif" or spec.timestamp is not None
            or (spec.timing.speedup is not None and spec.timing.interval is None))


def _with_capture_times(files: list[InputFile], cache: StatCache
                        ) -> tuple[list[InputFile], list[str], list[str]]:
    dated, missing, damaged = [], [], []
    for f in files:
        when = cache.capture_time(f.relpath, f.path)
        if cache.entries[f.relpath].exif_damaged:
            damaged.append(f.relpath)
        if when is None:
            missing.append(f.relpath)
            dated.append(InputFile(f.relpath, f.path, f.size, f.mtime_ns, f.sha256,
                                   datetime.fromtimestamp(f.mtime_ns / 1e9), "mtime"))
        else:
            dated.append(InputFile(f.relpath, f.path, f.size, f.mtime_ns, f.sha256, when, "exif"))
    return dated, missing, damaged


def _damaged_exif_diagnostic(spec: Spec, damaged: list[str]) -> Diagnostic:
    names = sorted(damaged, key=natural_key)
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return Diagnostic(
        f"the EXIF data of {len(names)} photo(s) is damaged, so the capture time was not "
        f"found in it: {shown}; using the camera's last-modified time or the file "
        "modification time instead", path="frames", location=spec.where("frames"),
        severity="warning", hint="repair or re-export the photo if its capture time matters")


def _measured_interval(frames: FrameFiles) -> float | None:
    times = [when for when, source in frames.captures() if source == "exif" and when]
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


def _title_diagnostics(spec: Spec, timing: Timing, timings: Mapping[str, Timing]
                       ) -> list[Diagnostic]:
    out = []
    for i, title in enumerate(spec.titles):
        # the shortest video that shows it (outputs may have their own timing)
        lengths = [(timings.get(o.name, timing).duration, o.name) for o in spec.outputs
                   if shows(title.outputs, o.name)] or [(timing.duration, "")]
        duration, name = min(lengths)
        video = f"the {name} video" if name in timings else "the video"
        for key, value in (("start", title.start), ("end", title.end)):
            if value is not None and value > duration + 1e-6:
                out.append(Diagnostic(
                    f"title {title.text!r} {'starts' if key == 'start' else 'ends'} at "
                    f"{value:g} s but {video} lasts {duration:.3f} s".replace(".000 s", " s"),
                    path=f"overlays.titles[{i}].{key}",
                    location=spec.where("overlays", "titles", i, key),
                    hint=f"use a time up to {duration:g} s, or omit `end` to show it until "
                         "the end"))
    return out


def _cloud_diagnostics(spec: Spec) -> list[Diagnostic]:
    """What the cloud refuses, checked here too because ``--backend nemo`` can override a
    spec the loader checked for the local backend."""
    if spec.backend != "nemo":
        return []
    from .. import motion  # here: a local project's check needs none of the camera's rules

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
    found += motion.cloud_diagnostics(spec)  # local-only: lapsefile/motion.py says why
    return found + _cloud_hold_diagnostics(spec) + cloud_output_diagnostics(spec)


def _cloud_hold_diagnostics(spec: Spec) -> list[Diagnostic]:
    """Holds at the ends are rendered into an uploaded clip; the service, sent photos, is not
    told of them (its timeline instruction shows each photo for the same time)."""
    if spec.cloud.upload != "frames":
        return []
    requests = [(("timing",), spec.timing)] + [(("outputs", i, "timing"), o.timing)
                                                for i, o in enumerate(spec.outputs) if o.timing]
    return [Diagnostic(
        f"{dotted((*where, key))} freezes a photo, which the nemo backend cannot do with "
        "photos uploaded one by one", path=dotted((*where, key)),
        location=spec.where(*where, key),
        hint="use `cloud.upload: clip` (the holds are rendered into the uploaded clip), or the "
             "local backend") for where, request in requests for key in ("hold_start", "hold_end")
        if getattr(request, key)]


def resolve_project(spec: Spec, cache: StatCache | None = None, emit: Emit = discard
                    ) -> tuple[Project, list[Diagnostic]]:
    """The Project for ``spec`` and its warnings; raises SpecError listing every problem.

    The photos come from the last resolve when the disk proves them unchanged
    (``snapshot.py``: a re-plan of an unchanged project lists, matches, hashes and sorts
    nothing), else from the disk."""
    capture_times = needs_capture_times(spec)
    kept = snapshot.load(spec, capture_times)
    if kept is None:
        cache = cache if cache is not None else StatCache.load(spec.root)
        frames, diagnostics = _resolve_frames(spec, cache, emit, capture_times)
    else:
        frames = kept.frames
        diagnostics = _cloud_diagnostics(spec) + output_diagnostics(spec, kept.identities)
        if any(d.severity == "error" for d in diagnostics):
            raise SpecError(diagnostics)
    timing, timings, problems = solve_all(spec, len(frames), _measured_interval(frames))
    if problems:
        raise SpecError(diagnostics + problems)
    diagnostics += _title_diagnostics(spec, timing, timings)
    if any(d.severity == "error" for d in diagnostics):
        raise SpecError(diagnostics)
    assets: list[InputFile] = []
    asset_stats = _asset_stats(spec)
    if asset_stats or cache is not None:  # the stat cache is read only when it is needed
        cache = cache if cache is not None else StatCache.load(spec.root)
        assets, _ = _input_files(spec, asset_stats, cache, emit, "assets")
        cache.save()
    project = Project(spec, frames, {a.relpath: a for a in assets}, timing, timings)
    return project, diagnostics


def _resolve_frames(spec: Spec, cache: StatCache, emit: Emit, capture_times: bool
                    ) -> tuple[FrameFiles, list[Diagnostic]]:
    """The photos in display order, from the disk, and what was found on the way; kept for
    the next resolve (``snapshot.save``) when nothing warned."""
    started_ns, seen = time.time_ns(), Seen()
    matched, diagnostics = _match_frames(spec, seen)
    identities = {rel: _identity(st, spec.root, rel) for rel, st in matched.items()}
    diagnostics += _cloud_diagnostics(spec) + output_diagnostics(spec, identities)
    diagnostics += _type_diagnostics(spec, matched)
    if any(d.severity == "error" for d in diagnostics):
        raise SpecError(diagnostics)
    files, broken = _input_files(spec, matched, cache, emit, "photos", inspect=True)
    if broken:
        from .integrity import broken_photos_diagnostic  # its wording: only when photos are

        # Before EXIF is read: Pillow must never open a photo known to be broken.
        cache.save()  # the verdicts stay known: only the fixed photos are read again
        raise SpecError(diagnostics + [broken_photos_diagnostic(spec, broken, len(files))])
    warned = False
    if capture_times:
        files, missing, damaged = _with_capture_times(files, cache)
        if damaged:
            diagnostics.append(_damaged_exif_diagnostic(spec, damaged))
        if missing:
            diagnostics.append(Diagnostic(
                f"{len(missing)} of {len(files)} photos have no EXIF capture time "
                f"(first: {missing[0]}); using their file modification time instead",
                path="frames", location=spec.where("frames"), severity="warning"))
        warned = bool(damaged or missing)
    frames = order(files, spec.frames.sort, spec.frames.every)
    if not warned:
        snapshot.save(spec, capture_times, files, frames, matched, seen.folders, started_ns)
    return FrameFiles(frames), diagnostics
