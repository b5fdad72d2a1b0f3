"""Overlays (titles, the timestamp, the logo): the one place that decides what an output shows.

:func:`shown_overlays` is the only code that applies an overlay's ``outputs:`` filter. Every
consumer asks it: the fingerprint (``plan/fingerprint.py``), the cloud instructions
(``plan/instructions.py``) and their reasons (``plan/cloud_steps.py``), the local render job
(``backends/local.py``) and the cloud uploads (``backends/nemo/upload_step.py``).

This package imports only ``spec``: both ``plan`` and ``engine`` may import it.
"""

from __future__ import annotations

from typing import Any

from ..spec.model import Spec, shows
from . import logo, timestamp, title
from .base import Overlay, OverlayKind, pct

__all__ = ["KINDS", "Overlay", "OverlayKind", "concerns", "pct", "reads", "settings",
           "shown_overlays", "uploads", "uses_capture_times"]

# Every overlay kind, in the order an output shows them: drawn in this order by the engine
# (so text is under the logo), sent in this order as instructions.
KINDS: tuple[OverlayKind, ...] = (title.KIND, timestamp.KIND, logo.KIND)


def shown_overlays(spec: Spec, output_name: str) -> list[Overlay]:
    """The overlays ``output_name`` shows, in :data:`KINDS` order then spec order.

    Keys: a kind written once is keyed by its name (``timestamp``, ``logo``); a listed kind is
    numbered from 1 among the items this output shows (``title-1`` is the output's first
    shown title, wherever it is in the spec). Spec paths use the spec's own index.
    """
    shown: list[Overlay] = []
    for kind in KINDS:
        number = 0
        for index, item in enumerate(kind.items(spec)):
            if not shows(item.outputs, output_name):
                continue
            number += 1
            if kind.many:
                key, path = f"{kind.name}-{number}", f"{kind.spec_root}[{index}]"
            else:
                key, path = kind.name, kind.spec_root
            shown.append(Overlay(kind, key, path, item))
    return shown


def reads(spec: Spec, output_name: str) -> list[str]:
    """The files (relative to the spec) a render of the output reads besides the photos:
    each shown overlay's (fonts, the logo), then the music; each once, in that order."""
    used = [f for overlay in shown_overlays(spec, output_name) for f in overlay.files]
    if spec.music:
        used.append(spec.music.file)
    return list(dict.fromkeys(used))


def uploads(spec: Spec, output_name: str) -> list[str]:
    """The files a cloud session of the output needs besides the photos: the shown overlays'
    (the logo), then the music."""
    wanted = [f for overlay in shown_overlays(spec, output_name) for f in overlay.uploads]
    if spec.music:
        wanted.append(spec.music.file)
    return wanted


def settings(spec: Spec, output_name: str) -> dict[str, Any]:
    """The shown overlays as the fingerprint records them: ``{"titles": [Title, ...],
    "timestamp": Timestamp | None, "logo": Logo | None}``."""
    shown = shown_overlays(spec, output_name)
    result: dict[str, Any] = {}
    for kind in KINDS:
        items = [o.item for o in shown if o.definition is kind]
        result[kind.setting] = items if kind.many else (items[0] if items else None)
    return result


def uses_capture_times(spec: Spec, output_name: str) -> bool:
    """Whether the output shows something drawn from the photos' capture times."""
    return any(o.definition.capture_times for o in shown_overlays(spec, output_name))


def concerns(spec: Spec, output_name: str, key: str, kind: str) -> tuple[str, ...] | None:
    """The spec path an overlay instruction ``key`` of ``kind`` is about (the kind's root, such
    as ``overlays.titles``, when the output no longer shows it); None when ``kind`` is not an
    overlay kind."""
    for overlay in shown_overlays(spec, output_name):
        if overlay.key == key and overlay.kind == kind:
            return (overlay.spec_path,)
    for definition in KINDS:
        if definition.name == kind:
            return (definition.spec_root,)
    return None
