"""The logo in the local engine: the image input scaled, made translucent and overlaid."""

from __future__ import annotations

from ...spec.model import Logo
from ..filters import num, opt, overlay_position
from .base import EngineOverlay, Stage


def logo_chain(logo: Logo, canvas: tuple[int, int]) -> tuple[list[str], str]:
    """(filters for the logo input, overlay filter) for ``logo`` on a ``canvas``."""
    width, height = canvas
    logo_width = max(1, round(logo.scale * width))
    prep = [f"scale={logo_width}:-1:flags=lanczos", "format=rgba"]
    if logo.opacity < 1:
        prep.append(f"colorchannelmixer=aa={num(max(0.0, logo.opacity))}")
    x, y = overlay_position(logo.position, round(logo.margin * height))
    return prep, f"overlay=x={opt(x)}:y={opt(y)}:eof_action=repeat:format=auto"


def _chain(logo: Logo, number: int, stage: Stage) -> None:
    source = stage.open_file("logo", logo.file, ["-noautorotate"])
    prep, place = logo_chain(logo, stage.canvas)
    stage.composite(f"{source}:v", prep, place)


def _features(logo: Logo) -> set[str]:
    return {"overlay", "colorchannelmixer"} if logo.opacity < 1 else {"overlay"}


ENGINE = EngineOverlay(name="logo", job_field="logo", chain=_chain, features=_features)
