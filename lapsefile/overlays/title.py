"""Titles: text shown from ``start`` to ``end`` with fades (``overlays.titles[]``)."""

from __future__ import annotations

from typing import Any

from ..spec.model import Spec, Title
from .base import OverlayKind, pct


def _items(spec: Spec) -> tuple[Title, ...]:
    return spec.titles


def _files(title: Title) -> tuple[str, ...]:
    return (title.style.font,) if title.style.font else ()


def _uploads(title: Title) -> tuple[str, ...]:
    return ()  # the service draws text with its own fonts


def _params(title: Title, duration: float) -> dict[str, Any]:
    style = title.style
    return {"text": title.text, "start": title.start,
            "end": duration if title.end is None else title.end,
            "position": style.position, "size_pct": pct(style.size), "color": style.color,
            "box": style.box, "box_color": style.box_color,
            "fade_in": title.fade_in, "fade_out": title.fade_out}


KIND = OverlayKind(name="title", setting="titles", many=True, items=_items, files=_files,
                   uploads=_uploads, params=_params)
