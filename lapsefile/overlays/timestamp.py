"""The timestamp: each photo's capture time, formatted (``overlays.timestamp``)."""

from __future__ import annotations

from typing import Any

from ..spec.model import Spec, Timestamp
from .base import OverlayKind, pct


def _items(spec: Spec) -> tuple[Timestamp, ...]:
    return (spec.timestamp,) if spec.timestamp else ()


def _files(stamp: Timestamp) -> tuple[str, ...]:
    return (stamp.style.font,) if stamp.style.font else ()


def _uploads(stamp: Timestamp) -> tuple[str, ...]:
    return ()  # the service draws text with its own fonts


def _params(stamp: Timestamp, duration: float) -> dict[str, Any]:
    return {"format": stamp.format, "position": stamp.style.position,
            "size_pct": pct(stamp.style.size), "color": stamp.style.color}


KIND = OverlayKind(name="timestamp", setting="timestamp", many=False, items=_items,
                   files=_files, uploads=_uploads, params=_params, capture_times=True)
