"""Chunks for workers that cannot see the project: what a chunk reads, shipped as bytes.

On shared storage a chunk's task names the project's files and the worker reads them there
(``chunks.py``). When a worker cannot see them (:func:`sees` says so, run on every worker
before the first chunk), every task carries what its render reads instead:

- the photos of its frames (every photo under a look on the photo sequence), as ffmpeg reads
  them: a TIFF, HEIC or RAW photo as the decoded PNG the client's cache holds (decoded on the
  client if it is not there yet), so workers need no decoders and cross the network with the
  smaller file;
- the overlays' files: the logo, and each text's font when it is a file (a spec's font, or
  an installed font the engine chose; the bundled fonts come with lapsefile on the worker);
- a two-pass look's analysis and derived files, computed once on the client.

Each file is named by its content (sha256 and its extension) and handed to the executor once
(``Executor.share``: Dask scatters it, to every worker when every chunk reads it), so a photo
crosses the network once per worker that needs it, not once per task. The jobs are rewritten
to name files relative to a root the worker chooses: its private temp folder, where it writes
the files, renders, reads back the chunk and removes the folder. The client writes the chunk
where it would have been (atomically); the bytes are the same as a shared-storage render's,
since nothing the encoder sees depends on where the files lie.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..atomic import write_atomic
from ..errors import RenderError
from ..executors import Executor
from .chunks import ChunkMade, ChunkTask, photo_span, render_chunk
from .job import RenderJob
from .overlays.text import bundled_file
from .photos import group_photos

HEAD_BYTES = 64 * 1024  # how much of a file :func:`sees` compares
UNREAD = "unread"  # a frame outside the chunk's photos: counted, never opened


def probe(root: Path, path: Path) -> tuple[str, str, int, str]:
    """What :func:`sees` is given to compare: the project's root, a file the render reads,
    its size and the sha256 of its first bytes, as the client sees them."""
    return str(root.resolve()), str(path.resolve()), path.stat().st_size, _head(path)


def sees(root: str, path: str, size: int, head: str) -> bool:
    """Run on a worker: whether it sees the client's file at the same path, with the same
    size and first bytes (a folder of the same name elsewhere, or a stale copy, is not it)."""
    try:
        return os.path.isdir(root) and os.path.getsize(path) == size and _head(Path(path)) == head
    except OSError:
        return False


def _head(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read(HEAD_BYTES)).hexdigest()


@dataclass(frozen=True)
class Parcel:
    """A chunk's task for a worker that cannot see the project: its jobs naming files by
    content (relative), the names it reads, and the work folder's look files by name."""

    task: ChunkTask
    reads: tuple[str, ...]
    look: tuple[tuple[str, str], ...] = ()  # (name in the work folder, content name)


class Packer:
    """Builds the parcels of one batch's chunks, reading each file once (when a parcel first
    needs it, so a resumed run reads only what its missing chunks show)."""

    def __init__(self, jobs: Sequence[RenderJob], look_files: Mapping[str, bytes]) -> None:
        lead = jobs[0]
        self._blobs: dict[str, bytes] = {}
        self._names: dict[Path, str] = {}
        groups = group_photos([Path(p) for p in lead.frames], jobs)  # decodes what needs it
        self._readable = {i: photo.path for g in groups
                          for i, photo in zip(g.indexes, g.photos)}
        self._look = tuple((name, self._add(data, name)) for name, data in look_files.items())
        self._jobs = tuple(self._rewrite(job) for job in jobs)

    def parcel(self, task: ChunkTask) -> Parcel:
        """``task`` (of this batch) as its parcel: what its frames and overlays read."""
        lead = task.jobs[0]
        first, last = photo_span(lead, task.window.start, task.window.end)
        shown = [self._name(self._readable[i]) for i in range(first, last + 1)]
        # Only the span is read (chunks.render_chunk): the rest keep their count, not a file.
        frames = tuple(Path(UNREAD) for _ in range(first)) + tuple(map(Path, shown)) + \
            tuple(Path(UNREAD) for _ in range(last + 1, len(lead.frames)))
        jobs = tuple(replace(shipped, frames=frames, poster=job.poster)
                     for shipped, job in zip(self._jobs, task.jobs))
        reads = dict.fromkeys([*shown, *sorted(self._overlay_names()),
                               *(name for _, name in self._look)])
        return Parcel(replace(task, jobs=jobs), tuple(reads), self._look)

    def blob(self, name: str) -> bytes:
        """A file the parcels read, by its content name."""
        return self._blobs[name]

    def _rewrite(self, job: RenderJob) -> RenderJob:
        titles = tuple(replace(t, style=replace(t.style, font=self._font(job, t.style.font)))
                       for t in job.titles)
        timestamp = None if job.timestamp is None else replace(
            job.timestamp, style=replace(job.timestamp.style,
                                         font=self._font(job, job.timestamp.style.font)))
        logo = None if job.logo is None else replace(
            job.logo, file=self._name(job.resolve(job.logo.file)))
        return replace(job, root=Path(), titles=titles, timestamp=timestamp, logo=logo)

    def _font(self, job: RenderJob, font: str | None) -> str | None:
        if font is None or bundled_file(font) is not None:
            return font  # the worker's own copy of lapsefile has it
        return self._name(job.resolve(font))

    def _overlay_names(self) -> set[str]:
        names = {t.style.font for job in self._jobs for t in job.titles}
        names |= {job.timestamp.style.font for job in self._jobs if job.timestamp}
        names |= {job.logo.file for job in self._jobs if job.logo}
        return {n for n in names if n is not None and n in self._blobs}

    def _name(self, path: Path) -> str:
        path = Path(path).resolve()
        if path not in self._names:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise RenderError(f"cannot read {path} to send it to the workers: "
                                  f"{exc.strerror or exc}") from None
            self._names[path] = self._add(data, path.name)
        return self._names[path]

    def _add(self, data: bytes, called: str) -> str:
        name = hashlib.sha256(data).hexdigest()[:40] + Path(called).suffix.lower()
        self._blobs.setdefault(name, data)
        return name


def everywhere(parcels: Sequence[Parcel]) -> set[str]:
    """The names every parcel reads (the overlays' files; every photo under a look): worth
    sending to every worker at once rather than from worker to worker as tasks ask."""
    common = set(parcels[0].reads) if parcels else set()
    for parcel in parcels[1:]:
        common &= set(parcel.reads)
    return common


Shipment = tuple[Parcel, Mapping[str, Any]]  # a parcel and the handles of what it reads


def pack(executor: Executor, jobs: Sequence[RenderJob], tasks: Sequence[ChunkTask],
         look_files: Mapping[str, bytes]) -> list[Shipment]:
    """The tasks of one batch as shipments, their files shared through the executor once:
    to every worker those every chunk reads, the rest to one worker each."""
    packer = Packer(jobs, look_files)
    parcels = [packer.parcel(task) for task in tasks]
    common = everywhere(parcels) if len(parcels) > 1 else set()
    names = dict.fromkeys(name for parcel in parcels for name in parcel.reads)
    handles = {**executor.share({n: packer.blob(n) for n in names if n in common}, True),
               **executor.share({n: packer.blob(n) for n in names if n not in common}, False)}
    return [(parcel, {name: handles[name] for name in parcel.reads}) for parcel in parcels]


def render_shipment(shipment: Shipment) -> ChunkMade:
    """Run on a worker: :func:`render_parcel` of a shipment (the executor's one argument)."""
    return render_parcel(*shipment)


def render_parcel(parcel: Parcel, blobs: Mapping[str, Any]) -> ChunkMade:
    """Run on a worker: write what the parcel reads into a private folder, render the chunk
    there, hand back its bytes; the folder is removed whatever happens."""
    with tempfile.TemporaryDirectory(prefix="lapsefile-shipped-") as folder:
        private = Path(folder)
        for name in parcel.reads:
            (private / name).write_bytes(blobs[name])
        look = {work_name: blobs[name] for work_name, name in parcel.look}
        task = parcel.task
        jobs = tuple(replace(job, root=private,
                             frames=tuple(private / f for f in job.frames))
                     for job in task.jobs)
        out = private / "out"
        local = replace(task, jobs=jobs, files=tuple(out / f.name for f in task.files),
                        posters=tuple(None if p is None else out / p.name
                                      for p in task.posters))
        made = render_chunk(local, look)
        return replace(
            made,
            files=tuple(replace(w, path=final) for w, final in zip(made.files, task.files)),
            posters=tuple(None if w is None or final is None else replace(w, path=final)
                          for w, final in zip(made.posters, task.posters)),
            data=tuple(w.path.read_bytes() for w in made.files),
            poster_data=tuple(None if w is None else w.path.read_bytes()
                              for w in made.posters))


def land(made: ChunkMade) -> ChunkMade:
    """On the client: write a shipped chunk's bytes where it would have been (atomically),
    after checking they are what the worker hashed."""
    for written, data in [*zip(made.files, made.data), *zip(made.posters, made.poster_data)]:
        if written is None or data is None:
            continue
        if hashlib.sha256(data).hexdigest() != written.sha256 or len(data) != written.size:
            raise RenderError(f"chunk {made.index + 1} came back from {made.worker} changed "
                              f"on the way ({written.path.name}): run again")
        written.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(written.path, data)
    return replace(made, data=(), poster_data=())
