"""Titles in the local engine: one drawtext each, shown from start to end (exclusive)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ...spec.model import Title
from ..filters import opt
from ..workdir import Workdir
from .base import EngineOverlay, Stage
from .text import drawtext, fade_alpha, font, window


def title_filter(title: Title, index: int, duration: float, canvas: tuple[int, int],
                 work: Workdir, resolve: Callable[[str], Path]) -> str:
    """A drawtext showing ``title`` from its start to its end (exclusive), with fades."""
    start = max(0.0, title.start)
    end = duration if title.end is None else min(title.end, duration)
    name = work.write(f"title-{index}.txt", title.text)
    extra = [f"textfile={name}", f"enable={opt(window(start, end))}"]
    alpha = fade_alpha(start, end, title.fade_in, title.fade_out)
    if alpha:
        extra.append(f"alpha={opt(alpha)}")
    return drawtext(title.style, canvas, font(title.style, resolve, [title.text]), [title.text],
                    work, extra)


def _chain(title: Title, number: int, stage: Stage) -> None:
    if not title.text.strip():
        return  # nothing to draw (its number stays taken: work file names do not shift)
    stage.draw([title_filter(title, stage.index * 100 + number, stage.duration, stage.canvas,
                             stage.work, stage.resolve)])


ENGINE = EngineOverlay(name="title", job_field="titles", chain=_chain,
                       features=lambda title: {"drawtext"})
