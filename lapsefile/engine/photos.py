"""The photos of a job as ffmpeg will decode them: size, format, EXIF orientation, groups.

Photos reach ffmpeg through concat-demuxer list files, one per *group*: photos that decode
alike (same image format, same aspect ratio, same EXIF orientation). Within a group only the
size and pixel format may change from file to file; the first filter of the group's chain is
a ``scale`` to a fixed size, which absorbs such changes (the input is opened with
``-reinit_filter 0`` so ffmpeg does not rebuild the graph, which would reset frame counters
and drop frames). Nearly every timelapse is a single group; mixed sets get one input per
group, merged back into display order by timestamp.

ffmpeg's own EXIF handling differs between versions (recent builds rotate JPEGs, older ones
do not, and none do it per file inside a concat list), so it is switched off
(``-noautorotate``) and the orientation read here is applied by explicit filters.

TIFF, HEIC and RAW photos are decoded first (``decode.py``: once, cached by content) into
upright PNGs at the size the render needs, and those PNGs are what the groups list.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from .. import decoders
from ..errors import RenderError
from ..pools import in_order
from . import decode
from .job import RenderJob

MAX_GROUPS = 32
# Photos of at least this many pixels are decoded by several ffmpeg inputs side by side
# (``decoder_count``): ffmpeg's JPEG decoder has no threads of its own, so one input decodes
# on one core while a 1080p render of 24 MP photos spends most of its time decoding. Below
# it a photo decodes in a few milliseconds and another input costs more than it saves.
PARALLEL_MIN_PIXELS = 2_000_000
MAX_DECODERS = 8

# EXIF orientation -> ffmpeg filters that show the stored pixels upright.
ORIENT_FILTERS: dict[int, tuple[str, ...]] = {
    1: (), 2: ("hflip",), 3: ("hflip", "vflip"), 4: ("vflip",),
    5: ("transpose=cclock_flip",), 6: ("transpose=clock",),
    7: ("transpose=clock_flip",), 8: ("transpose=cclock",),
}
_DECODER_FAMILY = {"MPO": "JPEG"}  # multi-picture JPEGs decode with the JPEG decoder


@dataclass(frozen=True)
class Photo:
    path: Path
    width: int  # as stored (before orientation)
    height: int
    kind: str  # "JPEG", "PNG", ... (+ "/animated" for multi-frame files)
    orientation: int  # EXIF 1..8
    mode: str = "RGB"  # Pillow's: "RGB", "L", "CMYK", ... (engine/feed.py decodes some)

    @property
    def swaps_axes(self) -> bool:
        return self.orientation >= 5

    @property
    def upright(self) -> tuple[int, int]:
        return (self.height, self.width) if self.swaps_axes else (self.width, self.height)

    @property
    def key(self) -> tuple[str, Fraction, int]:
        return (self.kind, Fraction(self.width, self.height), self.orientation)


@dataclass(frozen=True)
class Group:
    """Photos that share one ffmpeg input, with their positions in display order."""

    indexes: tuple[int, ...]
    photos: tuple[Photo, ...]

    @property
    def smallest(self) -> tuple[int, int]:
        """Upright size of the smallest photo (they all share one aspect ratio)."""
        return min((p.upright for p in self.photos), key=lambda size: size[0] * size[1])

    @property
    def orientation(self) -> int:
        return self.photos[0].orientation

    @property
    def kind(self) -> str:
        return self.photos[0].kind

    def stored(self, size: tuple[int, int]) -> tuple[int, int]:
        """An upright ``size`` as the photos are stored (before their EXIF orientation)."""
        return (size[1], size[0]) if self.photos[0].swaps_axes else size


def available_cores() -> int:
    """The cores this process may run on (its affinity, not the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


# What developing a photo holds at its peak, per pixel of the photo: LibRaw's buffers for a
# RAW (about 200 MB for 24 MP, by ru_maxrss), the most of any decoder here.
DEVELOP_BYTES_PER_PIXEL = 9
DEVELOP_MEMORY_SHARE = 4  # photos developed at once hold at most 1/4 of the machine's memory


def develop_threads(threads: int, pixels: int) -> int:
    """How many photos of ``pixels`` to develop at once: ``threads``, fewer when so many would
    hold more than a quarter of the machine's memory (eight 45 MP RAWs, about 3 GB, on an
    8 GB laptop: four), at least one."""
    memory = physical_memory()
    if memory is None:
        return threads
    each = max(1, pixels * DEVELOP_BYTES_PER_PIXEL)
    return max(1, min(threads, memory // DEVELOP_MEMORY_SHARE // each))


def physical_memory() -> int | None:
    """The machine's memory in bytes, or None where the system does not say (Windows)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def decoder_count(group: Group) -> int:
    """How many ffmpeg inputs decode ``group``'s photos side by side, each every n-th photo.

    One per core, at most ``MAX_DECODERS``, at least two photos each, for photos of
    ``PARALLEL_MIN_PIXELS`` or more. The video does not depend on it: each photo is decoded
    and scaled by the same filters whichever input reads it, and the parts are merged back
    by display index (``pipeline._group_input``), so the frames and the encoded bytes are
    the same on any machine.
    """
    width, height = group.smallest
    if width * height < PARALLEL_MIN_PIXELS:
        return 1
    return max(1, min(decoder_threads(), len(group.photos) // 2))


def lowres_level(group: Group, need: tuple[int, int]) -> int:
    """ffmpeg's ``-lowres`` for JPEGs that 1/4 or 1/8 of their size still covers with
    ``need`` (upright): the decoder then skips most of the work for photos far larger than
    the video (for photos ``engine/feed.py`` does not decode).

    Never at 1/2 (level 1): ffmpeg's half-size IDCT is plain C where the full-size one is
    SIMD, so it decodes a 24 MP JPEG 18% slower than at full size and the picture is no
    better (``bench/decode_bench.py`` measures both); 1/4 and 1/8 are 30% faster."""
    if group.kind != "JPEG":
        return 0
    width, height = group.smallest
    level = 0
    while level < 3 and (width >> (level + 1)) >= need[0] and (height >> (level + 1)) >= need[1]:
        level += 1
    return level if level >= 2 else 0


def decoder_threads() -> int:
    """How many photos decode at once: one per core, at most ``MAX_DECODERS``."""
    return max(1, min(available_cores(), MAX_DECODERS))


def read_photo(path: Path) -> Photo:
    try:
        with Image.open(path) as im:
            kind = _DECODER_FAMILY.get(im.format or "", im.format or "unknown")
            animated = getattr(im, "n_frames", 1) > 1 and kind != "JPEG"
            orientation = _orientation(im)
            width, height = im.size
            mode = im.mode
    except FileNotFoundError:
        raise RenderError(f"photo not found: {path}") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise RenderError(f"cannot read the photo {path}: {exc}") from None
    if width < 1 or height < 1:
        raise RenderError(f"the photo {path} has no pixels")
    return Photo(path, width, height, kind + ("/animated" if animated else ""), orientation,
                 mode)


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(0x0112, 1)
    except Exception:  # noqa: BLE001 - Pillow raises many types on broken EXIF; the photo is fine
        return 1
    return value if isinstance(value, int) and value in ORIENT_FILTERS else 1


def group_photos(paths: Sequence[Path], jobs: Sequence[RenderJob] = (), threads: int = 0,
                 on_decoded: Callable[[int, int], None] | None = None) -> list[Group]:
    """Photos grouped by how they decode, groups ordered by their first photo. Photos ffmpeg
    cannot read are decoded first, to the size ``jobs``' canvases need (full size without
    ``jobs``), into their project's cache, ``threads`` at once (0: one per core,
    ``decoder_threads``; a chunk, one of several rendered at once, decodes one at a time),
    each reported to ``on_decoded(done, total)``."""
    cache: dict[Path, Photo] = {}
    by_key: dict[tuple[str, Fraction, int], list[int]] = {}
    photos: list[Photo] = []
    readable = _Readable(jobs).files(list(dict.fromkeys(paths)), threads or decoder_threads(),
                                     on_decoded)
    for index, path in enumerate(paths):
        photo = cache.get(path) or cache.setdefault(path, read_photo(readable[path]))
        photos.append(photo)
        by_key.setdefault(photo.key, []).append(index)
    if len(by_key) > MAX_GROUPS:
        raise RenderError(
            f"the {len(paths)} photos come in {len(by_key)} different shapes (format, aspect "
            f"ratio, orientation); lapsefile renders at most {MAX_GROUPS} in one video. Convert "
            f"them to a few common sizes first.")
    # The last photo is listed once more, after the end, as with the concat demuxer's usual
    # convention: filters that look ahead (minterpolate) then see it held, not ending.
    by_key[photos[-1].key].append(len(photos))
    photos.append(photos[-1])
    return [Group(tuple(idx), tuple(photos[i] for i in idx)) for idx in by_key.values()]


class _Readable:
    """The file ffmpeg reads for a photo: the photo, or its decoded copy."""

    def __init__(self, jobs: Sequence[RenderJob]) -> None:
        self._canvases = [(job.canvas.width, job.canvas.height, job.canvas.fit)
                          for job in jobs]
        self._root = jobs[0].root if jobs else None

    def files(self, paths: Sequence[Path], threads: int,
              on_decoded: Callable[[int, int], None] | None = None) -> dict[Path, Path]:
        """Each of ``paths`` (distinct) and the file ffmpeg reads for it; those to decode
        decoded ``threads`` at once, in threads of this process: LibRaw, libheif, Pillow and
        zlib release the GIL (six 6 MP DNGs took 2.3 s against 3.3 s one at a time on 2
        cores). Each 24 MP RAW in flight holds about 200 MB. ``on_decoded(done, total)``
        hears of each photo decoded (or found in the cache), in order, in this thread."""
        found = dict(zip(paths, paths))
        todo = [path for path in paths if decoders.needs_decoding(path)]
        if not todo:
            return found
        folder = decode.cache_folder(self._root)  # made here, before threads share it
        threads = min(develop_threads(threads, _pixels(todo[0])), len(todo))
        with ThreadPoolExecutor(threads, thread_name_prefix="lapsefile-develop") as pool:
            decoded = in_order(pool, lambda path: self._decoded(path, folder), todo,
                               ahead=threads)
            for done, (path, readable) in enumerate(zip(todo, decoded), 1):
                found[path] = readable
                if on_decoded is not None:
                    on_decoded(done, len(todo))
        return found

    def _decoded(self, path: Path, folder: Path) -> Path:
        # The canvases' full working size, drafts too (only JPEGs decode smaller for them):
        # the real render then reuses a draft's decode.
        size = decode.target_size(path, self._canvases)
        return decode.decoded_copy(path, size, folder)


def _pixels(path: Path) -> int:
    """A photo's pixels from its header (a timelapse's photos share a size: the first one's
    stands for all), 0 when it cannot be read (its decoding says why)."""
    try:
        width, height = decoders.upright_size(path)
    except (OSError, decoders.DecodeError):
        return 0
    return width * height


def concat_list(group: Group, part: int = 0, parts: int = 1) -> str:
    """A concat-demuxer script for ``group``, or for its photos ``part``, ``part + parts``,
    ... when ``parts`` inputs share its decoding: each photo once, at its display index
    (less the first listed one's) in seconds.

    The timestamps only need to keep display order when groups or parts are interleaved; the
    exact timing is set later from the frame count, so no ``duration`` rounding can creep in.
    """
    indexes, photos = group.indexes[part::parts], group.photos[part::parts]
    lines = ["ffconcat version 1.0"]
    for position, (index, photo) in enumerate(zip(indexes, photos)):
        following = indexes[position + 1] if position + 1 < len(indexes) else None
        lines.append(f"file {quote_concat_path(photo.path)}")
        if photo.kind.endswith("/animated"):
            lines.append("outpoint 0.001")  # only the first frame of an animation
        lines.append(f"duration {(following - index) if following is not None else 1}")
    return "\n".join(lines) + "\n"


def quote_concat_path(path: Path) -> str:
    """``path`` quoted for a concat script: inside '...' only the quote itself is special."""
    text = os.path.abspath(path)  # no resolve(): a few syscalls a photo, and symlinks open
    if "\n" in text or "\r" in text:
        raise RenderError(f"ffmpeg cannot read a file whose name contains a line break: "
                          f"{text!r}; rename it")
    return "'file:" + text.replace("'", "'\\''") + "'"
