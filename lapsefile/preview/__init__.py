"""``lapsefile preview``: see the timelapse before rendering it.

Three files, written to ``.lapsefile/preview/`` beside the spec (or ``out``): a contact sheet
of every Nth photo in the order the video shows them, with its number and capture time; a plot
of each photo's brightness before and after the look's smoothing, with a flicker score; and a
poster frame (the middle photo fitted to the first output's frame). Photos are decoded small
(JPEG DCT scaling) in threads, and each one's thumbnail and brightness are cached by its
content hash (``thumbs.py``), so a second preview reads no photo again.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..paths import ensure_state_dir
from ..runner import prepare
from .brightness import flicker_score, smoothed
from .drawing import contact_sheet, luminance_plot, poster
from .thumbs import Thumbs

if TYPE_CHECKING:
    from ..project.model import Project

FOLDER = "preview"  # under the state folder, unless told otherwise
MAX_TILES = 60


@dataclass(frozen=True)
class Preview:
    """What ``preview`` wrote and found."""

    contact_sheet: Path
    luminance_plot: Path
    poster: Path
    photos: int
    shown: int  # photos on the contact sheet
    every: int
    flicker_before: float
    flicker_after: float
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {"contact_sheet": str(self.contact_sheet),
                "luminance_plot": str(self.luminance_plot), "poster": str(self.poster),
                "photos": self.photos, "shown": self.shown, "every": self.every,
                "flicker_before": round(self.flicker_before, 3),
                "flicker_after": round(self.flicker_after, 3), "seconds": round(self.seconds, 3)}


def preview(spec_path: str | os.PathLike[str], out: str | os.PathLike[str] | None = None,
            every: int | None = None) -> Preview:
    """Write the preview of the spec at ``spec_path``; nothing is rendered."""
    started = time.perf_counter()
    return preview_project(prepare(spec_path).project, out, every, started)


def preview_project(project: Project, out: str | os.PathLike[str] | None = None,
                    every: int | None = None, started: float | None = None) -> Preview:
    """Write the preview of ``project``, a spec prepared already (``watch`` plans each change
    once); its time counts from ``started`` (default: now)."""
    started = time.perf_counter() if started is None else started
    folder = Path(out) if out else ensure_state_dir(project.root, FOLDER)
    folder.mkdir(parents=True, exist_ok=True)
    frames = project.frames
    every = every or max(1, -(-len(frames) // MAX_TILES))  # ceil: at most MAX_TILES tiles
    thumbs = Thumbs(project.root)
    levels = thumbs.levels(frames)  # every photo: the plot needs them all
    tiles = [(i + 1, frames[i], thumbs.image(frames[i])) for i in range(0, len(frames), every)]
    after = smoothed(project.spec.look, levels)
    output = project.spec.outputs[0]
    middle = frames[len(frames) // 2]
    written = (
        contact_sheet(tiles, folder / "contact-sheet.png"),
        luminance_plot(levels, after, folder / "luminance.png"),
        poster(middle.path, (output.width, output.height), output.fit, folder / "poster.jpg"),
    )
    thumbs.save()
    return Preview(*written, photos=len(frames), shown=len(tiles), every=every,
                   flicker_before=flicker_score(levels), flicker_after=flicker_score(after),
                   seconds=time.perf_counter() - started)
