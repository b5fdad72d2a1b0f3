"""What an overlay kind is, independent of any backend: the shared half of every overlay.

A kind (``title.py``, ``timestamp.py``, ``logo.py``) is one :class:`OverlayKind`: how to find
its items in the spec, the files an item reads, and its cloud instruction parameters. Which of
them an output shows, and under which key, is decided in one place: :func:`lapsefile.overlays.
shown_overlays`. The local engine's filter chains live beside the engine, one module per kind
in ``lapsefile/engine/overlays/``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from ..spec.model import Spec


class OverlayKind(NamedTuple):
    """A kind of overlay (titles, timestamp, logo): where the spec holds it and what each
    of its items reads, uploads and states in its instruction."""

    name: str  # "title": the instruction kind, its template (<lang>/title.j2), the key's stem
    setting: str  # its key under `overlays:` in lapse.yaml and in the fingerprint ("titles")
    many: bool  # a list in the spec: keys are numbered among the output's shown ones
    items: Callable[[Spec], Sequence[Any]]  # its items in spec order (empty when absent)
    files: Callable[[Any], tuple[str, ...]]  # files a local render of an item reads (spec-relative)
    uploads: Callable[[Any], tuple[str, ...]]  # files a cloud session needs for an item
    params: Callable[[Any, float], dict[str, Any]]  # (item, video duration) -> instruction params
    capture_times: bool = False  # what it draws depends on the photos' capture times

    @property
    def spec_root(self) -> str:
        return f"overlays.{self.setting}"


class Overlay(NamedTuple):
    """One overlay an output shows."""

    definition: OverlayKind
    key: str  # stable within an output: "title-1", "title-2", "timestamp", "logo"
    spec_path: str  # where it is written: "overlays.titles[2]", "overlays.logo"
    item: Any  # the spec's Title, Timestamp or Logo

    @property
    def kind(self) -> str:
        return self.definition.name

    @property
    def files(self) -> tuple[str, ...]:
        return self.definition.files(self.item)

    @property
    def uploads(self) -> tuple[str, ...]:
        return self.definition.uploads(self.item)

    def params(self, duration: float) -> dict[str, Any]:
        """The numbers of its cloud instruction (``duration``: the video's, in seconds)."""
        return self.definition.params(self.item, duration)


def pct(fraction: float) -> float:
    """A fraction as the percentage instructions state: 0.35 -> 35.0."""
    return round(fraction * 100, 1)
