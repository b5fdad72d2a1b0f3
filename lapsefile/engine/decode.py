"""Photos ffmpeg cannot read (TIFF, HEIC, RAW), decoded once into PNGs that the render reads.

A decoded photo is kept in ``<spec folder>/.lapsefile/cache/decoded/`` under the sha256 of
the source file and the size it was decoded to (``<sha256>-<w>x<h>-v<N>.png``), so a second
render of the same photos for the same output size decodes nothing: developing a RAW costs
seconds, reading the PNG back milliseconds. A changed photo has another hash; another output
size another name. The folder is a cache: deleting it costs time only.

Why an 8-bit RGB PNG: the render turns every photo into 8-bit yuv420p in its first filters
(``pipeline._group_input``), so a 16-bit intermediate would carry bits that are dropped two
filters later; PNG is lossless, so the intermediate adds no loss of its own (a JPEG would be
a second lossy generation of the same picture), Pillow writes it and every ffmpeg reads it.
It is stored at the size the render needs (not the sensor's), which keeps it small and fast
to read; fast zlib settings (level 1) because it is written once per photo and size.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

from .. import decoders
from ..atomic import atomic_file
from ..errors import RenderError
from ..paths import ensure_state_dir
from ..project.statcache import sha256_file
from ..spec.model import Fit
from .filters import working_size

CACHE = ("cache", "decoded")  # under the state folder
VERSION = 1  # bump when the decoding recipe changes: older decoded files are not used
PNG_LEVEL = 1

# Photos decoded (not found in the cache) by this process: tests and benchmarks read it.
decoded_count = 0
_counting = threading.Lock()

_fallback: Path | None = None


def cache_folder(root: Path | None) -> Path:
    """Where decoded photos are kept: the project's cache, or (a read-only project, or no
    project) a temporary folder removed when the process ends."""
    global _fallback
    if root is not None:
        try:
            return ensure_state_dir(root, *CACHE)
        except OSError:
            pass
    if _fallback is None:
        _fallback = Path(tempfile.mkdtemp(prefix="lapsefile-decoded-"))
        atexit.register(shutil.rmtree, _fallback, True)
    return _fallback


def target_size(path: Path, canvases: Sequence[tuple[int, int, Fit]] = ()) -> tuple[int, int]:
    """The size ``path`` is decoded to: the render's working size for ``canvases`` (as
    ``filters.working_size`` decides it for any photo), never larger than the photo itself;
    the photo's own size without canvases."""
    try:
        width, height = decoders.upright_size(path)
    except FileNotFoundError:
        raise RenderError(f"photo not found: {path}") from None
    except decoders.DecodeError as exc:
        raise RenderError(f"the photo {path} {exc}") from None
    if not canvases:
        return width, height
    fit_w, fit_h = working_size((width, height), canvases)
    return min(width, fit_w), min(height, fit_h)


def decoded_copy(path: Path, size: tuple[int, int], folder: Path) -> Path:
    """The PNG of ``path`` decoded to ``size`` (upright), from the cache or decoded now."""
    global decoded_count
    try:
        digest = sha256_file(path)
    except FileNotFoundError:
        raise RenderError(f"photo not found: {path}") from None
    dest = folder / f"{digest}-{size[0]}x{size[1]}-v{VERSION}.png"
    if dest.is_file():
        return dest
    try:
        image = decoders.decode(path, size)
    except decoders.DecodeError as exc:
        raise RenderError(f"the photo {path} {exc}") from None
    # Atomic: the cache is trusted by name, so a half-written PNG must never get that name.
    with atomic_file(dest) as fh:
        image.save(fh, "PNG", compress_level=PNG_LEVEL)
    with _counting:  # photos decode in threads (photos.group_photos)
        decoded_count += 1
    return dest
