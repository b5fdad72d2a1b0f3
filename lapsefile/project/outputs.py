"""Where the outputs will be written, checked against the disk before anything is hashed.

Three kinds of problems, each found now rather than after minutes of rendering (or never):

- impossible paths: the output is a folder, or a file stands where its folder must be made;
- outputs that are a file the project reads (the spec, the lock, a photo, the music, the logo,
  a font, a template): compared by file identity, so a symlink or a hard link joining the two
  is seen through. Writing the video there would destroy the input;
- outputs written where a ``frames.include`` pattern matches them: the next run would take
  the video for a photo (and refuse it, or worse). Found through symlinked folders too, by
  comparing the output's real folder with the real folders of the matched photos.

Containment in the project folder and two outputs writing one file are spec checks
(``spec/semantic.py``); photos are only known here, after the globs are resolved.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import glob
import os
import re
from collections.abc import Mapping
from pathlib import Path

from ..errors import Diagnostic
from ..spec.formats import poster_path
from ..spec.model import Output, Spec
from .files import Identity, identity, relpath

_SEPARATORS = re.compile(r"[\\/]+" if os.altsep else r"/+")
_Key = Identity | str


def output_diagnostics(spec: Spec, photos: Mapping[str, _Key]) -> list[Diagnostic]:
    """Every output path the disk makes impossible, destructive or self-feeding; ``photos``:
    the matched photos' paths and identities (``files.identity``)."""
    found = []
    inputs = _read_files(spec, photos)
    folders = _photo_folders(spec.root, photos)
    for i, output in enumerate(spec.outputs):
        target = spec.root / output.path
        problem = (_impossible(spec, output, target) or _overwrites(output, target, inputs)
                   or _feeds_back(spec, output, target, folders))
        if problem:
            message, hint = problem
            found.append(Diagnostic(message, hint=hint, path=f"outputs[{i}].path",
                                    location=spec.where("outputs", i, "path")))
        elif output.poster is not None:  # the JPEG beside it: as much a file written
            still = dataclasses.replace(output, path=poster_path(output.path))
            target = spec.root / still.path
            problem = (_impossible(spec, still, target) or _overwrites(still, target, inputs)
                       or _feeds_back(spec, still, target, folders))
            if problem:
                message, hint = problem
                found.append(Diagnostic(f"its poster: {message.replace('the video', 'it')}",
                                        hint=hint, path=f"outputs[{i}].poster",
                                        location=spec.where("outputs", i, "poster")))
    return found


def _impossible(spec: Spec, output: Output, target: Path) -> tuple[str, str] | None:
    if target.is_dir():
        return (f"{output.path} is a folder, so the video cannot be written there",
                "choose a file name ending in .mp4")
    blocker = next((p for p in target.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        return (f"{relpath(blocker, spec.root)} is a file, so the folder for {output.path} "
                "cannot be made", "choose another folder for the output")
    return None


def _keys(path: Path, st: os.stat_result | None = None) -> list[_Key]:
    """How ``path`` is recognised: its file identity when it exists, else its real path (a
    file not made yet, such as the lock before the first run, may be a symlink's target)."""
    if st is None:
        try:
            st = os.stat(path)
        except OSError:
            return [os.path.realpath(path)]
    return [identity(st, path)]


def _read_files(spec: Spec, photos: Mapping[str, _Key]) -> dict[_Key, str]:
    """What the project reads, by identity -> how to name it in a message."""
    root = spec.root
    named: list[tuple[str, str]] = [
        (relpath(spec.path, root), "the spec"),
        # lock.lockfile.lock_path_for's rule (project/ does not import lock/)
        (relpath(spec.path.with_suffix(".lock"), root), "the lock file"),
    ]
    if spec.music:
        named.append((spec.music.file, "the music file"))
    if spec.logo:
        named.append((spec.logo.file, "the logo"))
    fonts = [t.style.font for t in spec.titles]
    fonts.append(spec.timestamp.style.font if spec.timestamp else None)
    named += [(font, "the font") for font in dict.fromkeys(fonts) if font]
    if spec.cloud.templates:
        folder = root / spec.cloud.templates
        # <language>/<kind>.j2, and <language>/edit|remove/<kind>.j2: what the loader reads.
        for pattern in ("*/*.j2", "*/*/*.j2"):
            named += [(relpath(folder / name, root), "the template")
                      for name in sorted(glob.glob(pattern, root_dir=folder))]
    inputs: dict[_Key, str] = {}
    for rel, ident in photos.items():
        inputs[ident] = f"the photo {rel}"
    for rel, what in named:
        for key in _keys(root / rel):
            inputs.setdefault(key, f"{what} {rel}")
    return inputs


def _overwrites(output: Output, target: Path, inputs: Mapping[_Key, str]
                ) -> tuple[str, str] | None:
    for key in _keys(target):
        what = inputs.get(key)
        if what is not None:
            return (f"{output.path} is the same file as {what} (joined by a symlink or a hard "
                    "link), so writing the video would overwrite it",
                    "choose another output path, or remove the link that joins them")
    return None


def _photo_folders(root: Path, photos: Mapping[str, _Key]) -> dict[str, list[str]]:
    """Real folder -> the folders (as the globs reached them) holding matched photos."""
    folders: dict[str, list[str]] = {}
    # Relative paths are spelled with "/" (files.relpath); partition is dirname, faster.
    for lexical in sorted({rel.rpartition("/")[0] for rel in photos}):
        real = os.path.realpath(os.path.join(root, lexical))
        folders.setdefault(real, []).append(lexical)
    return folders


def _feeds_back(spec: Spec, output: Output, target: Path, folders: Mapping[str, list[str]]
                ) -> tuple[str, str] | None:
    """An include pattern (not excluded) matches the output: by its own path, or by the path
    under which the glob reaches its real folder (the folders that hold matched photos)."""
    landing = os.path.realpath(target.parent)
    name = target.name
    own = os.path.normpath(output.path).replace(os.sep, "/")
    candidates = [own] + [f"{lexical}/{name}" if lexical else name
                          for lexical in folders.get(landing, ())]
    for seen_as in dict.fromkeys(candidates):
        matching = [i for i, pattern in enumerate(spec.frames.include)
                    if _glob_matches(spec.root, pattern, seen_as)]
        if matching and not any(_glob_matches(spec.root, pattern, seen_as)
                                for pattern in spec.frames.exclude):
            i = matching[0]
            via = "" if seen_as == own else f" (as {seen_as})"
            return (f"{output.path} would be written among the photos{via}, where "
                    f"frames.include[{i}] {spec.frames.include[i]!r} matches it: the next run "
                    "would read the video as a photo",
                    "write the output to its own folder (such as out/), or narrow the "
                    "pattern (such as *.jpg)")
    return None


def _glob_matches(root: Path, pattern: str, rel: str) -> bool:
    """Whether glob would yield ``rel`` (relative to ``root``) for ``pattern``: ``*`` and
    ``?`` within one name, ``**`` for any number of folders, hidden names only for a pattern
    part that starts with a dot."""
    if _SEPARATORS.split(pattern)[-1] in (".", ".."):
        return False  # "photos/." names a folder, never the output file
    if os.path.isabs(pattern):
        rel = os.path.normpath(os.path.join(root, rel))
    # A ".." in the pattern stays a name that no normalized path has: such a pattern is
    # never said to match (a missed warning, never a wrong refusal).
    parts = _segments(pattern)
    if parts and parts[-1] == "**":
        parts.append("*")  # "photos/**": every file below, as resolve's walk reads it
    return _match(parts, _segments(rel))


def _segments(path: str) -> list[str]:
    drive, rest = os.path.splitdrive(path)
    parts = [p for p in _SEPARATORS.split(rest) if p and p != "."]
    return [drive + os.sep, *parts] if os.path.isabs(path) else parts


def _match(parts: list[str], names: list[str]) -> bool:
    if not parts:
        return not names
    head, rest = parts[0], parts[1:]
    if head == "**":
        # zero folders, or one more (not a hidden one) and still inside the **
        return _match(rest, names) or (len(names) > 1 and not names[0].startswith(".")
                                       and _match(parts, names[1:]))
    if not names or (names[0].startswith(".") and not head.startswith(".")):
        return False
    return fnmatch.fnmatch(names[0], head) and _match(rest, names[1:])
