"""Big JPEGs decoded by lapsefile at the size the video needs, fed to ffmpeg as raw frames.

A 1080p render of 24 MP photos spends most of its time decoding: ffmpeg's JPEG decoder
makes every one of the 24 million pixels, and the scale after it throws nine in ten away.
libjpeg-turbo (through simplejpeg) decodes at M/8 of the size instead (DCT scaling: each 8x8
block's inverse transform makes M x M pixels, a proper low-pass, not a skipped pixel), in
threads of this process (the decoder releases the GIL), one photo each, so the photos decode
on every core while ffmpeg scales, filters and encodes. The frames reach ffmpeg's standard
input as ``rgb24``, in display order, all of one size; the group's filters are the same as
for a file input (``pipeline._group_input``), starting with the scale to the working size.

Only 1/8 to 4/8 are used: libjpeg-turbo's 3/8 inverse DCT is plain C yet still far less work
than the full-size SIMD one on 24 MP, while 5/8 to 7/8 cost more than decoding at full size
(``bench/decode_bench.py`` has the figures). A group is fed when its photos are JPEGs of at
least ``photos.PARALLEL_MIN_PIXELS`` that one of those sizes still covers; anything else
(PNGs, small photos, CMYK JPEGs, the high preset's full-size decoding, photos of several
shapes in one video) stays an ffmpeg file input.

The frames do not depend on the machine: the same scale for every photo of the group, the
same libjpeg-turbo, whatever the number of threads; photos of the group larger than its
smallest are decoded at their own eighth and resized to the frame size by Pillow.
"""

from __future__ import annotations

import math
import os
import queue
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import RenderError
from ..pools import in_order
from . import photos
from .photos import Group, decoder_threads

# Eighths of the stored size libjpeg-turbo decodes faster than full size (see above).
EIGHTHS = (1, 2, 3, 4)
FEEDABLE_MODES = ("RGB", "L")  # YCbCr and greyscale JPEGs; CMYK ones stay with ffmpeg
STDIN = "pipe:0"


@dataclass(frozen=True)
class Feed:
    """A group's photos as ``rgb24`` frames of ``size`` (stored orientation), in order."""

    paths: tuple[Path, ...]
    size: tuple[int, int]
    eighths: int
    # photos decoded at once; 0: one per core (``photos.decoder_threads``). A chunk is one of
    # several rendered at once, about one per core, so it decodes one photo at a time.
    threads: int = 0

    def input_options(self) -> list[str]:
        """ffmpeg's options for the standard-input stream of these frames (the rate is
        arbitrary: the timing filters number the frames)."""
        width, height = self.size
        return ["-f", "rawvideo", "-pix_fmt", "rgb24", "-video_size", f"{width}x{height}",
                "-framerate", "25"]

    def write_to(self, stream: IO[bytes]) -> None:
        """Decode every photo and write its frame to ``stream`` in order; return quietly if
        ffmpeg stops reading (it has all it needs, or failed: its exit code tells)."""
        threads = self.threads or decoder_threads()
        buffers = _Buffers(self.size[0] * self.size[1] * 3)
        with ThreadPoolExecutor(threads, thread_name_prefix="lapsefile-decode") as pool:
            # One decode queued beyond those running, so no thread waits for the writer; not for
            # a chunk's (``threads`` set): the chunks beside it keep the cores busy, and each
            # frame held is 10 MB at 1080p.
            frames = in_order(pool, lambda path: self._decode(path, buffers), self.paths,
                              ahead=threads + (0 if self.threads else 1))
            try:
                for frame_buffer, frame in frames:
                    stream.write(frame)
                    if frame_buffer is not None:  # written: a decode may re-use it
                        buffers.frames.put(frame_buffer)
            except BrokenPipeError:
                pass
            finally:
                frames.close()  # cancels the decodes not started

    def _decode(self, path: Path, buffers: _Buffers) -> tuple[bytearray | None, memoryview]:
        """One photo's frame, decoded into a re-used buffer (None: a resized copy)."""
        import simplejpeg  # imported here: only renders of big JPEGs need it

        width, height = self.size
        file_buffer = buffers.take_file_buffer()
        try:
            view = file_buffer.read(path)
            if simplejpeg.decode_jpeg_header(view, min_height=height,
                                             min_width=width)[:2] != (height, width):
                return None, _resized(simplejpeg.decode_jpeg(view, "RGB", min_height=height,
                                                             min_width=width, strict=False),
                                      self.size)
            frame_buffer = buffers.take_frame()
            pixels = simplejpeg.decode_jpeg(view, "RGB", min_height=height, min_width=width,
                                            buffer=frame_buffer, strict=False)
            return frame_buffer, memoryview(pixels).cast("B")
        except FileNotFoundError:
            raise RenderError(f"photo not found: {path}") from None
        except (OSError, ValueError) as exc:  # simplejpeg reports a broken JPEG as ValueError
            raise RenderError(f"cannot decode the photo {path}: {exc}") from None
        finally:
            buffers.file_buffers.put(file_buffer)


class _Buffers:
    """Buffers re-used photo after photo: the files' bytes (one per decoding thread) and the
    frames (one per frame decoded and not yet written). Fresh ones (7 MB read and 10 MB
    decoded for a 24 MP photo into 1080p) cost page faults, and, made and freed by several
    threads, leave the heap fragmented."""

    def __init__(self, frame_bytes: int) -> None:
        self.frame_bytes = frame_bytes
        self.frames: queue.SimpleQueue[bytearray] = queue.SimpleQueue()
        self.file_buffers: queue.SimpleQueue[_FileBuffer] = queue.SimpleQueue()

    def take_frame(self) -> bytearray:
        try:
            return self.frames.get_nowait()
        except queue.Empty:
            return bytearray(self.frame_bytes)

    def take_file_buffer(self) -> _FileBuffer:
        try:
            return self.file_buffers.get_nowait()
        except queue.Empty:
            return _FileBuffer()


class _FileBuffer:
    """Where a photo's file is read, grown to the largest file read so far."""

    def __init__(self) -> None:
        self.data = bytearray()

    def read(self, path: Path) -> memoryview:
        with open(path, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            if len(self.data) < size:
                self.data = bytearray(size)
            view = memoryview(self.data)[:size]
            return view[:file.readinto(view)]


def _resized(pixels: Any, size: tuple[int, int]) -> memoryview:
    """A photo larger than the group's smallest, decoded at its own eighth, made the frame
    size (the same aspect ratio: only the size differs)."""
    from PIL import Image

    image = Image.fromarray(pixels, "RGB").resize(size, Image.Resampling.BICUBIC)
    return memoryview(image.tobytes())


def scaled_size(size: tuple[int, int], eighths: int) -> tuple[int, int]:
    """libjpeg-turbo's size for a photo of ``size`` decoded at ``eighths``/8 (rounded up)."""
    return math.ceil(size[0] * eighths / 8), math.ceil(size[1] * eighths / 8)


def plan(group: Group, need: tuple[int, int], groups: int, reduced: bool, threads: int = 0
         ) -> Feed | None:
    """The feed for ``group`` when the video needs ``need`` (stored orientation) from it, or
    None when ffmpeg should read the files: not the only group, not JPEGs of the feedable
    colour modes, smaller than ``PARALLEL_MIN_PIXELS``, reduced decoding off (``reduced``),
    or no eighth up to 4/8 covering ``need``."""
    if groups != 1 or group.kind != "JPEG" or not reduced:
        return None
    if any(p.mode not in FEEDABLE_MODES for p in group.photos):
        return None
    smallest = min(group.photos, key=lambda p: p.width * p.height)
    stored = (smallest.width, smallest.height)
    if stored[0] * stored[1] < photos.PARALLEL_MIN_PIXELS:
        return None
    for eighths in EIGHTHS:
        size = scaled_size(stored, eighths)
        if size[0] >= need[0] and size[1] >= need[1]:
            return Feed(tuple(p.path for p in group.photos), size, eighths, threads)
    return None
