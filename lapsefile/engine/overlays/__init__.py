"""Titles, the per-photo timestamp and the logo, as filters on the output-rate stream.

One module per overlay kind (``title.py``, ``timestamp.py``, ``logo.py``), each an
:class:`~.base.EngineOverlay` drawing its items on a :class:`~.base.Stage`. The order they are
drawn in is :data:`lapsefile.overlays.KINDS` (text under the logo); which overlays an output
shows was decided when its :class:`~lapsefile.engine.job.RenderJob` was built.
"""

from __future__ import annotations

from typing import Any

from ... import overlays as shared
from ..job import RenderJob
from . import logo, timestamp, title
from .base import EngineOverlay, OpenFile, Stage
from .logo import logo_chain
from .text import DEFAULT_FONT
from .timestamp import first_frames, stamp_filters, stamp_texts
from .title import title_filter

__all__ = ["DEFAULT_FONT", "ENGINE_KINDS", "EngineOverlay", "OpenFile", "Stage", "draw",
           "first_frames", "job_fields", "logo_chain", "required_features", "stamp_filters",
           "stamp_texts", "title_filter"]

_BY_NAME = {e.name: e for e in (title.ENGINE, timestamp.ENGINE, logo.ENGINE)}
if set(_BY_NAME) != {k.name for k in shared.KINDS}:  # pragma: no cover - a developer's slip
    raise ImportError("every kind in lapsefile.overlays.KINDS needs an engine module here, "
                      f"and only those: {sorted(_BY_NAME)}")
# The engine's kinds, in the shared order.
ENGINE_KINDS: tuple[EngineOverlay, ...] = tuple(_BY_NAME[k.name] for k in shared.KINDS)


def draw(stage: Stage) -> str:
    """Every overlay of ``stage.job`` drawn on its video, in order; the result's label."""
    for kind in ENGINE_KINDS:
        for number, item in enumerate(kind.items(stage.job)):
            kind.chain(item, number, stage)
    return stage.finish()


def required_features(job: RenderJob) -> set[str]:
    """The ffmpeg filters the job's overlays need."""
    return {f for kind in ENGINE_KINDS for item in kind.items(job) for f in kind.features(item)}


def job_fields(shown: list[shared.Overlay]) -> dict[str, Any]:
    """The RenderJob fields (``titles``, ``timestamp``, ``logo``) for the overlays an output
    shows (:func:`lapsefile.overlays.shown_overlays`)."""
    fields: dict[str, Any] = {}
    for kind, engine in zip(shared.KINDS, ENGINE_KINDS):
        items = tuple(o.item for o in shown if o.definition is kind)
        fields[engine.job_field] = items if kind.many else (items[0] if items else None)
    return fields
