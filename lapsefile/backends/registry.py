"""The one registry of backends: each name, what runs it, how it is planned, what it accepts.

Every backend is a :class:`BackendEntry`. The built-in ones (``local``, ``nemo``) are listed in
:data:`BUILTIN`; others are discovered through the ``lapsefile.backends`` entry-point group.
Nothing is imported until it is needed: the backend class and the step builder are dotted
paths (``"package.module:attribute"``), so ``lapsefile validate`` never imports ffmpeg
wrappers or the HTTP client, and listing names never imports a plug-in.

A third-party backend is a distribution that declares an entry point whose name is the
backend's name and whose object is a :class:`BackendEntry` with that same name::

    # pyproject.toml of the plug-in
    [project.entry-points."lapsefile.backends"]
    mybackend = "my_package.lapsefile_plugin:ENTRY"

    # my_package/lapsefile_plugin.py
    from lapsefile.backends.registry import BackendEntry
    ENTRY = BackendEntry(name="mybackend", backend="my_package.backend:MyBackend",
                         steps="my_package.steps:build_steps", engine_revision=1,
                         music_types=(".mp3", ".wav"))

``backend`` names a class following :class:`lapsefile.backends.base.Backend` (created with no
arguments); ``steps`` names a :data:`StepBuilder`. Built-in names win over entry points with
the same name. The spec's schema only admits the built-in names in ``backend:``, so a plug-in
is chosen with ``--backend`` (``prepare(..., backend=...)``) until the schema learns of it.

This module is a leaf of plain data: the planner reads it (the step builder and the engine
revision), the runner loads backends through it, the CLI lists its names.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import LapsefileError
from ..spec.model import AUDIO_TYPES
from ..spec.semantic import LOCAL_ONLY_AUDIO_TYPES

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from ..lock.records import OutputRecord
    from ..plan.planner import OutputBasis
    from ..project.model import Project
    from ..spec.model import Output
    from .base import Backend

ENTRY_POINT_GROUP = "lapsefile.backends"

#: ``builder(project, output, basis, previous) -> [raw step dict, ...]``: the steps that make
#: one output, in order. ``previous`` is the output's entry in the lock, an ``OutputRecord``
#: (``lock/records.py``), or None; each raw step
#: has ``id``, ``action``, ``resource``, ``fingerprint``, ``after`` (ids it depends on) and
#: optionally ``batch``, ``params``, ``instruction`` (see ``plan/model.py``'s ``Step``).
StepBuilder = Callable[["Project", "Output", "OutputBasis", "OutputRecord | None"],
                       "list[dict[str, Any]]"]


class UnknownBackend(LapsefileError, ValueError):
    """A backend name that is neither built in nor installed as a plug-in."""


@dataclass(frozen=True)
class BackendEntry:
    """Everything lapsefile knows about one backend.

    ``engine_revision`` goes into every output's fingerprint: bump it when the meaning of a
    setting changes for this backend, so outputs it made are re-made. ``music_types`` are the
    audio file suffixes it can use. ``instructed``: its outputs are made by sending
    instructions, so its plans carry their rendered texts (and fingerprints hash them).
    ``own_fonts``: text is drawn by the backend with fonts of its own, so lapsefile's checks of
    the spec's fonts (glyphs, fallbacks) do not apply.
    """

    name: str
    backend: str  # "module:Class" of the Backend, imported on first use
    steps: str  # "module:function", the planner's StepBuilder for this backend
    engine_revision: int
    music_types: tuple[str, ...] = ()
    summary: str = ""
    instructed: bool = False
    own_fonts: bool = False

    def load(self) -> Backend:
        """A new instance of the backend (imports its module now)."""
        cls = _import(self.backend, self.name)
        backend: Backend = cls()
        return backend

    def step_builder(self) -> StepBuilder:
        builder: StepBuilder = _import(self.steps, self.name)
        return builder


BUILTIN: tuple[BackendEntry, ...] = (
    BackendEntry(
        name="local", backend="lapsefile.backends.local:LocalBackend",
        # revision 2: a centred blend window, loops restart at music.start with a crossfade
        # revision 3: quality: draft keeps the output's size (it was half)
        # revision 4: H.264 without VBV limits (other bytes, the same picture)
        # revision 5: JPEGs no longer decoded at half size (-lowres 1): full size is faster
        # revision 6: big JPEGs decoded by lapsefile at 1/8 to 4/8 size (engine/feed.py)
        steps="lapsefile.plan.planner:local_steps", engine_revision=6,
        music_types=AUDIO_TYPES + LOCAL_ONLY_AUDIO_TYPES,
        summary="render with ffmpeg on this machine"),
    BackendEntry(
        # revision 2: per-step fingerprints, edits in place
        name="nemo", backend="lapsefile.backends.nemo:NemoBackend",
        steps="lapsefile.plan.planner:nemo_steps", engine_revision=2,
        music_types=AUDIO_TYPES, instructed=True, own_fonts=True,
        summary="edit and export through the NemoVideo cloud API"),
)
_BUILTIN = {entry.name: entry for entry in BUILTIN}


def entry_points() -> list[EntryPoint]:
    """The installed ``lapsefile.backends`` entry points (the one place they are looked up;
    tests replace this function to register a plug-in without installing one)."""
    import importlib.metadata  # a dozen milliseconds: only when a name is not built in

    return list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))


def names() -> tuple[str, ...]:
    """Every backend name: the built-in ones first, then installed plug-ins, sorted. Reads
    entry-point names only; no plug-in is imported."""
    extra = sorted({ep.name for ep in entry_points()} - set(_BUILTIN))
    return (*_BUILTIN, *extra)


def get(name: str) -> BackendEntry:
    """The entry named ``name``; raises :class:`UnknownBackend` listing the known names."""
    if name in _BUILTIN:
        return _BUILTIN[name]  # no entry-point scan for the common case
    found = [ep for ep in entry_points() if ep.name == name]
    if not found:
        raise UnknownBackend(f"unknown backend {name!r}; choose one of {', '.join(names())}")
    point = found[0]
    try:
        entry = point.load()
    except Exception as exc:  # noqa: BLE001 - a broken plug-in is the user's to fix, not a bug
        raise LapsefileError(f"backend {name!r} could not be loaded from {point.value}: "
                             f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(entry, BackendEntry) or entry.name != name:
        raise LapsefileError(
            f"the entry point {name} = {point.value!r} (group {ENTRY_POINT_GROUP}) must name "
            f"a lapsefile.backends.registry.BackendEntry with name={name!r}")
    return entry


def _import(dotted: str, backend: str) -> Any:
    module_name, _, attribute = dotted.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in attribute.split(".") if attribute else ():
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        if module_name.split(".")[0] == "lapsefile":
            raise  # our own code failing to import is a bug, for the boundary's crash log
        raise LapsefileError(f"backend {backend!r}: cannot import {dotted}: {exc}") from exc
    return obj
