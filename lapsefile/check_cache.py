"""The verdicts of ``validate``, kept so that an unchanged project is answered without reading
it again: no YAML, no schema, not even the spec's model or the planner are imported.

One file per spec and kind of check in ``.lapsefile/cache/`` (``check-<digest>.json``) holds
a verdict (the diagnostics and summary ``validate`` prints) with what it was derived from:

- ``key``: the spec's bytes, the name messages give it, the working directory, the spec's
  absolute and real path, whether the check was of the spec alone (``--schema-only``), this
  format, lapsefile's version, the schema's digest and Python's version;
- ``env``: the environment variables the check read (every ``${VAR}`` the spec references,
  then every secret-named one too, since a value carrying a secret's is refused; those that
  find ffmpeg and fontconfig, and ``TZ``), and a digest of their values (not the values);
- ``files``: every path the check looked at (``disk_looks.Looks``; a full check adds the
  lock, the files it records as made, each output and poster and the folders they go in,
  every asset (music, logo, fonts), the bundled fonts text is checked with and the ffmpeg
  binary that judged the music), and the file of every third-party package the process
  had imported (``disk_looks.imported_packages``: PyYAML, jsonschema, Pillow... upgrading one
  rewrites it), each with its stat, or None when missing; ``real``: each real path the checks
  computed;
- ``frames``: the photos' proof as ``project/snapshot.py`` keeps it (every folder the globs
  read, every photo's stat), checked by the same code (``globbing.unchanged``).

A verdict is used only when all of that holds now. None is kept when the check depended on
what this cannot prove: a process it started (fontconfig asked for a fallback font, ffmpeg
asked about the music: seen through a PEP 578 audit hook, since they are started deep in the
engine), instruction templates (a backend that sends words, a templates folder), photos the
snapshot does not keep (warnings, a racy change), a failure found after the spec was read
(missing photos, a damaged lock, fonts: checked afresh every time), or a noted file, or the
folder holding it, changed within ``project.files.RACY_NS`` of the check's start. A cached
verdict is printed exactly as the fresh one was: same text, same exit status.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .disk_looks import Looks, imported_packages, package_files, rows_hold, stat_row
from .errors import Diagnostic
from .paths import read_cache, write_cache
from .project.files import RACY_NS
from .project.globbing import unchanged
from .spec.checked import schema_digest
from .spec.document import MAX_BYTES
from .spec.envvars import is_secret_name

if TYPE_CHECKING:
    from .runner import Prepared

FORMAT = 2  # bump when what is stored, or how it is derived, changes
# Read by the checks whatever the spec says: where ffmpeg and fontconfig's tools are found
# (``engine/ffmpeg.py``'s own variable is added, by its name there, when ffmpeg judged the
# music), and the zone that local capture times are read in.
_READ_ENV = ("PATH", "IMAGEIO_FFMPEG_EXE", "TZ")
# Events of a process being started (PEP 578), by any of Python's ways.
_PROCESS_EVENTS = frozenset({"subprocess.Popen", "os.system", "os.posix_spawn", "os.spawn",
                             "os.exec", "os.fork", "os.forkpty"})


@dataclass(repr=False, eq=False)  # never compared or printed (start-up)
class Kept:
    """A verdict as ``validate`` prints it: its diagnostics and summary."""

    diagnostics: tuple[Diagnostic, ...]
    summary: dict[str, Any]


@dataclass(repr=False, eq=False)  # never compared or printed (start-up)
class Attempt:
    """One check of one spec, from its start: what the verdict will be kept by."""

    spec: Path  # absolute
    schema_only: bool  # the spec alone (``--schema-only``), or the whole project
    key: str
    started_ns: int
    looks: Looks = field(default_factory=Looks)
    processes: int = 0  # started while it ran (then nothing is kept)


def _cache_name(attempt: Attempt) -> str:
    which = f"{attempt.spec}\0{'schema-only' if attempt.schema_only else 'full'}"
    return f"check-{hashlib.sha256(which.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}.json"


def begin(path: str | os.PathLike[str], label: str, schema_only: bool) -> Attempt | None:
    """What a check of the spec at ``path`` (named ``label`` in messages) is keyed by; None
    when its bytes cannot be read (the check itself says why)."""
    spec = Path(os.path.abspath(path))
    started_ns = time.time_ns()  # before the spec is read: an edit from now on is seen
    try:
        with open(spec, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError:
        return None
    if len(raw) > MAX_BYTES:
        return None  # refused by the check, every time
    parts = [FORMAT, __version__, schema_digest(), sys.version, os.getcwd(), str(spec),
             os.path.realpath(spec), label, schema_only, hashlib.sha256(raw).hexdigest()]
    key = hashlib.sha256(json.dumps(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return Attempt(spec, schema_only, key, started_ns)


def lookup(attempt: Attempt) -> Kept | None:
    """The verdict kept for this very spec while everything it was derived from holds."""
    raw = read_cache(attempt.spec.parent, _cache_name(attempt))
    if raw is None:
        return None
    try:
        stored = json.loads(raw)
        if not isinstance(stored, dict) or stored.get("key") != attempt.key:
            return None
        if stored["env"] != _env_digest(stored["variables"], stored["read_env"], os.environ):
            return None
        if not _disk_holds(stored):
            return None
        verdict = stored["verdict"]
        return Kept(tuple(Diagnostic.from_dict(d) for d in verdict["diagnostics"]),
                    dict(verdict["summary"]))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None  # damaged or hand-edited: checked afresh, and written again


def _disk_holds(stored: dict[str, Any]) -> bool:
    """Every noted file's stat, every real path and the photos' proof as they were kept."""
    if not rows_hold(stored["files"]):
        return False
    if any(os.path.realpath(path) != real for path, real in stored["real"]):
        return False
    frames = stored["frames"]
    return frames is None or unchanged(frames["root"], frames["folders"], frames["paths"],
                                       frames["stats"])


def _env_digest(variables: Iterable[str], read: Iterable[str], env: Mapping[str, str]) -> str:
    """The digest of the values of the spec's ``variables`` and of those lapsefile ``read``;
    when the spec references any variable, of every secret-named one too (``envvars``: a
    value carrying a secret's value is refused)."""
    wanted = set(variables) | set(read)
    if variables:
        wanted |= {name for name in env if is_secret_name(name)}
    values = [[name, env.get(name)] for name in sorted(wanted)]
    return hashlib.sha256(json.dumps(values).encode("utf-8", "surrogatepass")).hexdigest()


# -- watching processes ------------------------------------------------------------------------

_watching: list[Attempt] = []
_hooked = False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event in _PROCESS_EVENTS:
        for attempt in _watching:
            attempt.processes += 1


@contextmanager
def watching(attempt: Attempt) -> Iterator[Attempt]:
    """Count the processes started while the check runs. An audit hook cannot be removed:
    one is added per process, and counts only while a check is watched."""
    global _hooked
    if not _hooked:
        sys.addaudithook(_audit)
        _hooked = True
    _watching.append(attempt)
    try:
        yield attempt
    finally:
        _watching.remove(attempt)


# -- keeping a verdict -------------------------------------------------------------------------

def save(attempt: Attempt, kept: Kept, prepared: Prepared | None = None) -> bool:
    """Keep ``kept``, the verdict of ``attempt`` (``prepared``: what a full check that passed
    planned, whose files it read); False when it cannot be proved later (module docstring)."""
    if attempt.processes:
        return False
    # The spec too: its text is the key, but one saved while it was checked may hold what
    # was not checked (the racy rule below refuses that).
    paths = {str(attempt.spec): None, **attempt.looks.paths,
             **dict.fromkeys(package_files(imported_packages()))}
    variables, read_env = sorted(attempt.looks.variables), list(_READ_ENV)
    frames = None
    if prepared is not None:
        planned = _planned_reads(prepared)
        if planned is None:
            return False
        more, frames, ffmpeg_env = planned
        paths.update(dict.fromkeys(more))
        read_env += ffmpeg_env
    recent = attempt.started_ns - RACY_NS
    files = []
    for path in paths:
        row = stat_row(path)
        if not _settled(path, row, recent):
            return False  # it may change again unseen within this tick of the clock
        files.append([path, row])
    real = list(attempt.looks.real.items())
    if any(os.path.realpath(path) != found for path, found in real):
        return False  # a symlink changed while the check ran
    stored = {"key": attempt.key, "variables": variables, "read_env": read_env,
              "env": _env_digest(variables, read_env, os.environ), "files": files, "real": real,
              "frames": frames, "verdict": {
                  "diagnostics": [d.to_dict() for d in kept.diagnostics],
                  "summary": kept.summary}}
    try:
        data = json.dumps(stored, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return False  # a summary JSON would not give back as it is
    return write_cache(attempt.spec.parent, _cache_name(attempt),
                       data.encode("utf-8", "surrogatepass"))


def _settled(path: str, row: tuple[int, ...] | None, recent: int) -> bool:
    """Whether ``path`` (stat ``row``) and the nearest folder holding it that exists last
    changed before ``recent``: a file made, removed or rewritten while the check ran
    changes one of them."""
    if row is not None and row[1] >= recent:
        return False
    folder = os.path.dirname(path)
    while True:
        above = stat_row(folder)
        if above is not None:
            return above[1] < recent
        parent = os.path.dirname(folder)
        if parent == folder:
            return False
        folder = parent


def _planned_reads(prepared: Prepared
                   ) -> tuple[list[str], dict[str, Any] | None, list[str]] | None:
    """What a full check read besides the spec: the paths, the photos' proof and the
    variable naming ffmpeg (when it judged the music); None when that cannot be proved
    (module docstring)."""
    from .backends import registry
    from .project import snapshot
    from .project.resolve import needs_capture_times

    project, spec = prepared.project, prepared.project.spec
    if registry.get(prepared.plan.backend).instructed or spec.cloud.templates is not None:
        return None  # the instruction templates: files this does not list
    proof = snapshot.proven(spec, needs_capture_times(spec))
    if proof is None:
        return None
    root = str(spec.root)
    paths = [str(prepared.lock.path)]
    paths += [os.path.join(root, f["path"]) for out in prepared.lock.outputs.values()
              for record in out.steps.values() for f in record.files]
    paths += [str(asset.path) for asset in project.assets.values()]
    paths += _output_paths(prepared)
    if spec.titles or spec.timestamp is not None:
        from .engine.glyphs import BUNDLED_FONTS  # text is checked against them first

        paths += [str(font) for font in BUNDLED_FONTS]
    read_env = []
    if spec.music is not None:  # the only question the check asks ffmpeg
        from .engine.ffmpeg import ENV_VAR, locate_ffmpeg
        from .errors import EngineUnavailable

        try:
            paths.append(str(locate_ffmpeg()))
        except EngineUnavailable:
            return None  # whether one is installed later is not a file here
        read_env += [ENV_VAR, "HOME"]  # HOME: a "~/" in the variable's path
    frames = {"root": root, "folders": proof["folders"], "paths": proof["paths"],
              "stats": proof["stats"]}
    return paths, frames, read_env


def _output_paths(prepared: Prepared) -> list[str]:
    """Each output and poster, and the folders they go in up to the project folder (what
    ``project/outputs.py`` looks at: a folder in the file's place, a file in a folder's)."""
    from .spec.formats import poster_path

    spec = prepared.project.spec
    root = spec.root
    found = []
    for output in spec.outputs:
        written = [output.path] + ([poster_path(output.path)] if output.poster else [])
        for relpath in written:
            target = root / relpath
            found.append(str(target))
            for folder in target.parents:
                if folder == root or folder in root.parents:
                    break
                found.append(str(folder))
    return found
