"""Small decodes of the photos, cached by content hash: the thumbnail and its brightness.

JPEGs are decoded at 1/2 to 1/8 size by the decoder itself (Pillow's ``draft``, libjpeg's
DCT scaling): a 24 MP photo costs a few milliseconds. The cache is
``.lapsefile/cache/thumbs/<sha256>.jpg`` plus one JSON of brightness by hash.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image, ImageOps, ImageStat

from ..atomic import write_atomic
from ..decoders import decode, needs_decoding, upright_size
from ..paths import CACHE_DIR, state_dir
from ..project.model import InputFile

EDGE = 160  # a thumbnail's longer side, in pixels
CACHE = (CACHE_DIR, "thumbs")


class Thumbs:
    def __init__(self, root: Path):
        self.folder = state_dir(root).joinpath(*CACHE)
        self.index_path = self.folder / "brightness.json"
        try:
            self.brightness: dict[str, float] = json.loads(self.index_path.read_text("utf-8"))
        except (OSError, ValueError):
            self.brightness = {}
        self.changed = False

    def levels(self, frames: Sequence[InputFile]) -> list[float]:
        """Each photo's mean brightness (0-255), decoding only those not cached."""
        unread = [f for f in frames if f.sha256 not in self.brightness]
        if unread:
            self.folder.mkdir(parents=True, exist_ok=True)
            with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
                for frame, level in zip(unread, pool.map(self._make, unread)):
                    self.brightness[frame.sha256] = level
            self.changed = True
        return [self.brightness[f.sha256] for f in frames]

    def image(self, frame: InputFile) -> Image.Image:
        path = self._thumb(frame)
        if not path.is_file():
            self._make(frame)
        with Image.open(path) as image:
            return image.convert("RGB")

    def save(self) -> None:
        if self.changed:
            write_atomic(self.index_path, json.dumps(self.brightness).encode("utf-8"))

    def _thumb(self, frame: InputFile) -> Path:
        return self.folder / f"{frame.sha256}.jpg"

    def _make(self, frame: InputFile) -> float:
        """Decode small, upright; write the thumbnail; return its brightness."""
        small = _decode_small(frame.path)
        buffer = _jpeg(small)
        write_atomic(self._thumb(frame), buffer)
        return float(ImageStat.Stat(small.convert("L")).mean[0])


def _decode_small(path: Path) -> Image.Image:
    """The photo upright, its longer side :data:`EDGE`: JPEGs decoded at a fraction of their
    size by libjpeg, RAW developed at half size (``decoders``), others read and shrunk."""
    if needs_decoding(path):
        width, height = upright_size(path)
        scale = EDGE / max(width, height)
        return decode(path, (max(1, round(width * scale)), max(1, round(height * scale))))
    with Image.open(path) as image:
        image.draft("RGB", (EDGE, EDGE))  # JPEG: decode at a fraction of full size
        small = ImageOps.exif_transpose(image.convert("RGB"))
    small.thumbnail((EDGE, EDGE))
    return small


def _jpeg(image: Image.Image) -> bytes:
    import io

    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
