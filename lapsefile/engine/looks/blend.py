"""Blend: each photo mixed with its neighbours, in a window centred on it (ffmpeg tmix).

tmix mixes a frame with the frames *before* it, which would make the video lag behind the
photos and never show the last photo alone. So the window is centred: ``blend: N`` mixes photo
i with the ``N // 2`` photos on each side (an even N gives the two outermost half a weight, so
the window keeps its length and stays centred: ``blend: 4`` is 1/2, 1, 1, 1, 1/2). tmix is
made to look ahead by feeding it ``N // 2`` copies of the last photo after the end and
dropping its first ``N // 2`` frames; the looks come before the timing, which numbers frames
afresh. Near the ends the window narrows symmetrically (photo 1 is the mean of photos 0..2,
photo 0 itself), so every frame stays centred on its photo and the video starts on the first
photo and ends on the last. The narrowing is done by changing tmix's weights (sendcmd) for
those frames.

tmix has a fast path when all its weights are equal which keeps a running sum and goes wrong
once the weights change; a leading weight 0 (one frame more, never counted) keeps it off.
"""

from __future__ import annotations

from ..filters import opt
from ..job import RenderJob
from . import EngineLook, LookStage


def _kernel(size: int, reach: int) -> list[float]:
    """The weights from offset -k to +k (k = size // 2) of a window narrowed to ``reach``
    photos on each side."""
    half = size // 2
    weights = []
    for offset in range(-half, half + 1):
        if reach < half:
            weights.append(1.0 if abs(offset) <= reach else 0.0)
        else:  # the full window: an even size weighs its two ends half
            weights.append(0.5 if size % 2 == 0 and abs(offset) == half else 1.0)
    return weights


def _weights(kernel: list[float]) -> str:
    return "|".join(["0", *(f"{w:g}" for w in kernel)])  # the leading 0: see the docstring


def _filters(size: int, stage: LookStage) -> list[str]:
    photos = len(stage.job.frames)
    half = size // 2
    if size < 2 or photos < 2:
        return []
    name = f"tmix@blend{stage.chain}"  # sendcmd sends to the first filter of a name
    full = _weights(_kernel(size, half))
    commands = []
    current = full
    for centre in range(photos):
        weights = _weights(_kernel(size, min(half, centre, photos - 1 - centre)))
        if weights != current:  # a command holds until the next one
            frame = centre + half  # tmix's frame whose window is centred on this photo
            commands.append(f"{frame}-{frame + 1} {name} weights {weights}")
            current = weights
    return [f"tpad=stop={half}:stop_mode=clone", "settb=1", "setpts=N",
            f"sendcmd=c={opt(';'.join(commands))}",
            f"{name}=frames={2 * half + 2}:weights={full}",
            f"trim=start_frame={half}"]


def _features(size: int, job: RenderJob) -> set[str]:
    return {"tmix", "sendcmd", "tpad", "trim"} if size > 1 and len(job.frames) > 1 else set()


def _brightness(size: int, levels: list[float]) -> list[float]:
    """Each photo's brightness mixed with its neighbours' by the window's weights."""
    half, last = size // 2, len(levels) - 1
    out = []
    for i in range(len(levels)):
        kernel = _kernel(size, min(half, i, last - i))
        pairs = [(w, levels[i + offset]) for offset, w in zip(range(-half, half + 1), kernel)
                 if w and 0 <= i + offset <= last]
        out.append(sum(w * v for w, v in pairs) / sum(w for w, _ in pairs))
    return out


ENGINE = EngineLook("blend", _filters, _features, brightness=_brightness)
