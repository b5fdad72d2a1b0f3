"""Output formats: which container an output's file name asks for, and what it can hold.

The container follows from the extension of ``outputs[].path`` (the schema admits only these);
the codec is ``outputs[].codec`` when written, else the container's usual one, read from the
schema's ``x-default-by-container`` on that key (defaults live in the schema). What an encoder
is asked to do with a codec is the engine's (``engine/encode.py``); what may go where is here,
so the spec checks and the engine agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any, NamedTuple, cast

from ..errors import Diagnostic
from .model import Codec, Spec

DEFAULT_BY_CONTAINER = "x-default-by-container"  # schema keyword on outputs[].codec


class Container(NamedTuple):
    """A file type lapsefile writes."""

    name: str  # the extension, without the dot: "mp4", "mov", "webm", "gif"
    muxer: str  # ffmpeg's -f
    codecs: tuple[Codec, ...]  # what it may hold, the usual one first
    audio: bool  # carries the music
    use: str  # what it is for, in messages


CONTAINERS: Mapping[str, Container] = {
    "mp4": Container("mp4", "mp4", ("h264", "h265", "av1"), True, "sharing and playing"),
    "mov": Container("mov", "mov", ("prores",), True, "editing (ProRes 422 HQ)"),
    "webm": Container("webm", "webm", ("vp9", "av1"), True, "the web"),
    "gif": Container("gif", "gif", ("gif",), False, "a short silent loop"),
}

# What the nemo export can make: its render endpoint documents only {"format": "mp4"}, and
# its video is H.264 (the draft states no codec).
CLOUD_CONTAINER, CLOUD_CODEC = "mp4", "h264"


def container_of(path: str | PurePosixPath) -> Container:
    """The container an output path asks for (the schema admits only these extensions)."""
    suffix = PurePosixPath(path).suffix.lower().lstrip(".")
    try:
        return CONTAINERS[suffix]
    except KeyError:
        raise ValueError(f"{path} does not end in "
                         f"{', '.join('.' + name for name in CONTAINERS)}") from None


def default_codec(container: Container) -> Codec:
    """The codec an output of ``container`` gets when it names none (the schema's)."""
    return cast(Codec, _defaults_by_container()[container.name])


@lru_cache(maxsize=1)
def _defaults_by_container() -> Mapping[str, Any]:
    from .schema_file import walk_properties  # here: importing this module stays light

    node = next(p.schema for p in walk_properties() if p.path == ("outputs", "[]", "codec"))
    return dict(node[DEFAULT_BY_CONTAINER])


def codec_problem(container: Container, codec: str) -> tuple[str, str] | None:
    """(message, hint) when ``container`` cannot hold ``codec``; None when it can."""
    if codec in container.codecs:
        return None
    homes = [c.name for c in CONTAINERS.values() if codec in c.codecs]
    return (f"a .{container.name} file cannot hold {codec} video (it holds "
            f"{' or '.join(container.codecs)})",
            f"write `codec: {container.codecs[0]}` (or leave codec out) for .{container.name}"
            + (f", or name the file .{' or .'.join(homes)} to keep {codec}" if homes else ""))


def poster_path(path: str) -> str:
    """Where an output's poster goes: beside it, same name, ``.jpg``."""
    return str(PurePosixPath(path).with_suffix(".jpg"))


def cloud_problem(path: str, codec: str, poster: bool) -> tuple[str, str, str] | None:
    """(key of the output at fault, message, hint) when the nemo export cannot make this
    output; None when it can."""
    container = container_of(path)
    if container.name != CLOUD_CONTAINER:
        return ("path", f"the nemo backend exports .{CLOUD_CONTAINER} only; .{container.name} "
                f"({container.use}) is local-only",
                f"render this output with the local backend, or name it .{CLOUD_CONTAINER}")
    if codec != CLOUD_CODEC:
        return ("codec", f"the nemo backend exports {CLOUD_CODEC} only; {codec} is local-only",
                f"leave codec out (or write `codec: {CLOUD_CODEC}`), or render this output "
                f"with the local backend")
    if poster:
        return ("poster", "a poster is local-only: the nemo backend exports the video alone",
                "leave poster out, or render this output with the local backend")
    return None


def cloud_output_diagnostics(spec: Spec) -> list[Diagnostic]:
    """Each output of ``spec`` the nemo export cannot make, as a local-only error (for a
    backend chosen with ``--backend nemo``, after the loader checked the spec's own)."""
    found = []
    for index, output in enumerate(spec.outputs):
        problem = cloud_problem(output.path, output.codec, output.poster is not None)
        if problem:
            key, message, hint = problem
            found.append(Diagnostic(message, path=f"outputs[{index}].{key}", hint=hint,
                                    location=spec.where("outputs", index, key)))
    return found
