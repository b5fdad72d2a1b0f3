"""The logo: an image placed over the video (``overlays.logo``)."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from ..spec.model import Logo, Spec
from .base import OverlayKind, pct


def _items(spec: Spec) -> tuple[Logo, ...]:
    return (spec.logo,) if spec.logo else ()


def _files(logo: Logo) -> tuple[str, ...]:
    return (logo.file,)


def _params(logo: Logo, duration: float) -> dict[str, Any]:
    return {"filename": PurePosixPath(logo.file).name, "position": logo.position,
            "scale_pct": pct(logo.scale), "opacity_pct": pct(logo.opacity)}


KIND = OverlayKind(name="logo", setting="logo", many=False, items=_items, files=_files,
                   uploads=_files, params=_params)
