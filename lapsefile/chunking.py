"""Where an output's frames are cut into chunks (``render: {chunks: auto | N}``).

A chunk is a run of whole keyframe intervals encoded on its own and joined to the others by
stream copy (``engine/chunks.py``). The cut is a pure function of the video (its frame count,
rate and codec) and the spec's setting, never of the machine: ``auto`` does not look at the
cores, so a laptop and a cluster cut a video alike and make the same bytes with the same
ffmpeg; the cores only decide how many chunks are encoded at once. One chunk means the
ordinary single-process render, so videos that resolve to one chunk (every video under
:data:`AUTO_WHOLE_SECONDS` with ``auto``) keep their bytes and fingerprints.

Only codecs whose chunks join by stream copy into the output's container are cut: H.264 and
H.265 (MP4, MOV), ProRes (MOV, every frame a keyframe). A GIF's palette is computed over the
whole clip and its rate differs from the output's; VP9 and AV1 would join too, but their
encoders' keyframe and alt-ref placement has not been checked at seams: they stay whole.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

JOINABLE_CODECS = ("h264", "h265", "prores")
KEYFRAME_SECONDS = 2  # the one keyframe interval: every encoder's -g (engine/encode.py) and
# the cuts between chunks (so a chunk always starts on a keyframe the whole render has too)
AUTO_CHUNK_SECONDS = 30  # auto: about one chunk per this much video
AUTO_WHOLE_SECONDS = 60  # auto: shorter videos are one chunk


@dataclass(frozen=True)
class Window:
    """The frames ``[start, end)`` of an output that one chunk encodes, and the first photo
    its render is fed (0: the whole sequence, as a look on the photo sequence needs)."""

    start: int
    end: int
    first_photo: int = 0

    @property
    def frames(self) -> int:
        return self.end - self.start


def keyframe_interval(fps: float) -> int:
    """Frames between two keyframes: two seconds' worth, as the encoders are told."""
    return max(1, round(fps * KEYFRAME_SECONDS))


def chunk_count(frames: int, fps: float, codec: str, chunks: int | str) -> int:
    """How many chunks an output of ``frames`` frames at ``fps`` is cut into."""
    if codec not in JOINABLE_CODECS or frames <= 0:
        return 1
    intervals = math.ceil(frames / keyframe_interval(fps))
    if chunks == "auto":
        seconds = frames / fps
        wanted = 1 if seconds < AUTO_WHOLE_SECONDS else math.ceil(seconds / AUTO_CHUNK_SECONDS)
    else:
        wanted = int(chunks)
    return max(1, min(wanted, intervals))


def chunk_ranges(frames: int, fps: float, codec: str,
                 chunks: int | str) -> tuple[tuple[int, int], ...]:
    """The chunks' frame ranges ``[start, end)``: contiguous, covering ``0..frames`` exactly,
    each starting on a keyframe interval, as even in length as the intervals allow."""
    count = chunk_count(frames, fps, codec, chunks)
    interval = keyframe_interval(fps)
    intervals = math.ceil(frames / interval)
    cuts = [min(frames, (i * intervals // count) * interval) for i in range(count)] + [frames]
    return tuple((cuts[i], cuts[i + 1]) for i in range(count))
