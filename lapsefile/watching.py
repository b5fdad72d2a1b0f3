"""``lapsefile watch``: re-plan and re-draw a draft preview on every save.

Each *cycle* plans the spec (``runner.prepare``: reads only, like ``lapsefile plan``), says what
changed since the last good cycle (per output, the settings named as the spec's keys, and the
photos added, removed or modified) and what a run would redo (the plan's reasons), then
writes the draft preview: ``lapsefile preview``'s contact sheet, brightness plot and poster
(``preview.preview``), in ``.lapsefile/preview/``. That preview, not a video render: it
reads no photo twice (thumbnails are cached by content hash), so a save shows its result in
a moment whatever the outputs' length, and it touches neither the outputs nor their lock
records. A spec that does not load is reported (its diagnostics) and the watch goes on.

Where changes come from is injected (:data:`ChangeSource`): the CLI passes
:func:`watchfiles_source`, tests a generator of batches. Only a batch that touches the spec,
a file the project reads, or a photo anywhere under the watched folders starts a cycle: what
lapsefile itself writes (the state folder, the lock, outputs and posters) never does.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import Diagnostic, LapsefileError, SpecError, is_storage_fault, storage_error
from .paths import STATE_DIR
from .plan.fingerprint import changed_fields
from .spec.formats import poster_path
from .spec.model import PHOTO_TYPES

if TYPE_CHECKING:
    import threading

    from .plan.model import Plan
    from .preview import Preview
    from .project.model import Project
    from .runner import Prepared

# Given the folders to watch, yields batches of changed paths, until it ends (tests) or is
# interrupted (Ctrl-C raises KeyboardInterrupt through it).
ChangeSource = Callable[[tuple[Path, ...]], Iterable[Collection[Path]]]
Draft = Callable[["Project"], "Preview"]  # writes the draft preview of a prepared spec


@dataclass(frozen=True)
class Cycle:
    """One re-plan: what set it off, what changed, the plan and the preview, or the errors."""

    trigger: tuple[str, ...]  # the changed files that started it (empty for the first one)
    plan: Plan | None = None
    # per output: what changed since the last good cycle (spec keys; "photos: 2 new", ...)
    changes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    preview: Preview | None = None
    warnings: tuple[Diagnostic, ...] = ()
    errors: tuple[Diagnostic, ...] = ()  # a spec that does not load: its diagnostics
    error: str | None = None  # any other problem (a photo being copied, no ffmpeg, ...)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.plan is not None and not self.errors and self.error is None


@dataclass
class _Known:
    """What the last good cycle saw: what the next one is compared with, what is ignored."""

    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # relpath -> sha256
    read: frozenset[Path] = frozenset()  # files the project reads (photos, music, logo, ...)
    written: frozenset[Path] = frozenset()  # outputs and posters: lapsefile's own writes
    roots: tuple[Path, ...] = ()


def watch(spec_path: str | os.PathLike[str], changes: ChangeSource,
          report: Callable[[Cycle], None], *, backend: str | None = None,
          draft: Draft | None = None) -> None:
    """Plan and preview ``spec_path`` now and after every relevant batch from ``changes``;
    ``report`` hears each cycle. Returns when the change source ends."""
    spec = Path(spec_path)
    if not spec.is_file():
        raise LapsefileError(f"{spec}: no such spec file; write one with `lapsefile init`, "
                             "or name it: `lapsefile watch path/to/lapse.yaml`")
    make_draft = draft or _default_draft
    known = _Known(roots=(_real(spec).parent,))
    report(_cycle(spec, (), known, backend, make_draft))
    while True:
        roots = known.roots
        batches = iter(changes(roots))
        for batch in batches:
            trigger = _relevant(spec, batch, known)
            if not trigger:
                continue
            report(_cycle(spec, trigger, known, backend, make_draft))
            if known.roots != roots:  # the photos are now in other folders: watch those
                close = getattr(batches, "close", None)
                if close is not None:  # a generator: stop its watcher before the next starts
                    close()
                break
        else:
            return


def _real(path: str | os.PathLike[str]) -> Path:
    # Events name resolved paths (a symlinked /tmp, a linked project folder): compare those.
    return Path(os.path.realpath(path))


def _default_draft(project: Project) -> Preview:
    from .preview import preview_project

    return preview_project(project)


def _cycle(spec: Path, trigger: tuple[str, ...], known: _Known, backend: str | None,
           draft: Draft) -> Cycle:
    """Plan and preview once; update ``known`` when the spec loads. Problems the user can fix
    become the cycle's errors; bugs propagate."""
    started = time.perf_counter()
    try:
        prepared = _prepare(spec, backend)
        changed = _what_changed(prepared, known)
        _remember(prepared, known)
        shown = draft(prepared.project)  # planned once a cycle: the preview draws that
    except SpecError as exc:
        return Cycle(trigger, errors=tuple(exc.diagnostics),
                     seconds=time.perf_counter() - started)
    except LapsefileError as exc:
        return Cycle(trigger, error=str(exc), seconds=time.perf_counter() - started)
    except OSError as exc:
        if not is_storage_fault(exc):
            raise
        # A photo deleted or still being copied while it was read: the next save re-plans.
        return Cycle(trigger, error=str(storage_error(exc)),
                     seconds=time.perf_counter() - started)
    return Cycle(trigger, prepared.plan, changed, shown, tuple(prepared.warnings),
                 seconds=time.perf_counter() - started)


def _prepare(spec: Path, backend: str | None) -> Prepared:
    from .runner import prepare  # the runner pulls in the engine: imported when watching

    return prepare(spec, backend=backend)


def _what_changed(prepared: Prepared, known: _Known) -> dict[str, tuple[str, ...]]:
    """Per output, what differs from the last good cycle (nothing on the first one)."""
    if not known.settings:
        return {}
    changes: dict[str, tuple[str, ...]] = {}
    photos = _photo_changes(known.files, _files_of(prepared))
    for name, basis in prepared.plan.bases.items():
        old = known.settings.get(name)
        found = ["new output"] if old is None else changed_fields(old, basis.settings)
        # The capture times follow the photos: said once, by the photos' own line; a section
        # whose keys are named is not named too (briefly: `look.deflicker.mode`, not `look`).
        found = [f for f in found if not f.startswith("frames.capture_times")
                 and not any(other.startswith((f + ".", f + "[")) for other in found)]
        changes[name] = tuple(found + photos)
    return {name: found for name, found in changes.items() if found}


def _photo_changes(old: dict[str, str], new: dict[str, str]) -> list[str]:
    counts = {"new": sum(1 for k in new if k not in old),
              "removed": sum(1 for k in old if k not in new),
              "modified": sum(1 for k in new if k in old and old[k] != new[k])}
    said = ", ".join(f"{n} {what}" for what, n in counts.items() if n)
    return [f"files: {said}"] if said else []


def _files_of(prepared: Prepared) -> dict[str, str]:
    project = prepared.project
    files = {f.relpath: f.sha256 for f in project.frames}
    files.update({rel: f.sha256 for rel, f in project.assets.items()})
    return files


def _remember(prepared: Prepared, known: _Known) -> None:
    project = prepared.project
    known.settings = {name: b.settings for name, b in prepared.plan.bases.items()}
    known.files = _files_of(prepared)
    known.read = frozenset(_real(f.path) for f in (*project.frames, *project.assets.values()))
    root = project.root
    known.written = frozenset(_real(root / path) for o in project.spec.outputs
                              for path in (o.path, poster_path(o.path)))
    known.roots = watch_roots(root, project.spec.frames.include)


def watch_roots(root: Path, patterns: Iterable[str]) -> tuple[Path, ...]:
    """The spec's folder and the folders outside it the photo globs start from (the part
    before the first wildcard), each once: a folder inside another is watched with it."""
    found = [_real(root)]
    for pattern in patterns:
        fixed: list[str] = []
        for part in pattern.split("/"):
            if any(c in part for c in "*?["):  # glob's wildcards
                break
            fixed.append(part)
        base = _real(root / "/".join(fixed))
        while not base.is_dir() and base != base.parent:  # a file, or not there yet
            base = base.parent
        found.append(base)
    kept: list[Path] = []
    # Outer folders first (they take in those inside them), the spec's first among equals.
    for folder in sorted(set(found), key=lambda p: (len(p.parts), p != found[0], str(p))):
        if not any(folder.is_relative_to(k) for k in kept):
            kept.append(folder)
    return tuple(kept)


def _relevant(spec: Path, batch: Collection[Path], known: _Known) -> tuple[str, ...]:
    """The changed files in ``batch`` that can change the plan, named for people."""
    real = _real(spec)
    names = []
    for changed in sorted({_real(p) for p in batch}):
        if _is_relevant(real, changed, known):
            names.append(_shown(changed, real.parent))
    return tuple(names)


def _is_relevant(spec: Path, path: Path, known: _Known) -> bool:
    if path == spec or path in known.read:
        return True
    if STATE_DIR in path.parts or path in known.written:
        return False  # the preview, caches, the run lock; outputs: lapsefile's own writes
    return path.suffix.lower() in PHOTO_TYPES  # a photo a glob may now match, or lose


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def watchfiles_source(stop: threading.Event | None = None,
                      debounce_ms: int = 300) -> ChangeSource:
    """Changes as watchfiles reports them (inotify, FSEvents, ...): batches of paths, one per
    burst of writes (``debounce_ms``: an editor's save or a card copy is one batch). Ends when
    ``stop`` is set; Ctrl-C raises KeyboardInterrupt out of it."""
    import watchfiles  # only the watch command needs it

    def source(roots: tuple[Path, ...]) -> Iterator[Collection[Path]]:
        for batch in watchfiles.watch(*roots, debounce=debounce_ms, stop_event=stop,
                                      rust_timeout=1000):
            yield {Path(path) for _change, path in batch}

    return source
