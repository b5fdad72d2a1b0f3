"""First passes of two-pass look options (stabilization): run once, cached by what they saw.

A two-pass option (``EngineLook.analysis``) analyses the photo sequence before the render
reads the result. The analysis depends on the photos and on what comes before it in the
graph (decoding size, orientation, earlier look options), not on titles, music, encoding or
the output's size after the look, so it is cached under a key made of exactly those: the
first pass's own arguments (``pipeline.build_analysis``, which stops at the analysis), the
photo lists it reads, each photo's size and modification time, and the ffmpeg build. A title
change re-renders but does not re-analyse. The cache is ``.lapsefile/cache/looks/`` beside
the spec; a project folder that cannot be written to only loses the cache.

An option whose filters read a file derived from its analysis (``EngineLook.derive``: the
exposure gains as a sendcmd script) has it written next, cached analysis or not; a later
option's first pass, which sees those filters, is keyed by the derived files too.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from ..atomic import write_atomic
from ..paths import CACHE_DIR, ensure_state_dir
from . import pipeline
from .ffmpeg import Ffmpeg, run_ffmpeg
from .job import RenderJob
from .looks import LookStage, analysis_file, derived_file, engine, two_pass
from .photos import Group
from .workdir import Workdir

CACHE = (CACHE_DIR, "looks")  # under the state folder


def prepare(jobs: Sequence[RenderJob], groups: Sequence[Group], work: Workdir,
            ffmpeg: Ffmpeg) -> None:
    """Put every analysis the batch's render reads into ``work``: from the cache, or by
    running the option's first pass (in the look's order: a later option's first pass sees
    the earlier options applied, so their analyses must be there first)."""
    lead = jobs[0]
    chains = pipeline.look_chains(jobs, groups)
    for option in two_pass(lead):
        args = pipeline.build_analysis(jobs, groups, work, option)
        key = _key(option, args.shown, work, lead, ffmpeg)
        names = [analysis_file(option, chain) for chain in range(chains)]
        cache = _cache_folder(lead.root)
        cached = [cache / f"{key}-{name}" for name in names] if cache else []
        if cached and all(path.is_file() for path in cached):
            for path, name in zip(cached, names):
                shutil.copyfile(path, work.path / name)
        else:
            run_ffmpeg(ffmpeg, ["-y", "-loglevel", "error", "-xerror", *args.real],
                       cwd=work.path, what=f"ffmpeg failed to analyse the photos for "
                                           f"look.{option}", feed=args.feed)
            for path, name in zip(cached, names):
                if (work.path / name).is_file():  # not when there was nothing to analyse
                    write_atomic(path, (work.path / name).read_bytes())
        _derive(option, jobs, chains, work)


def _derive(option: str, jobs: Sequence[RenderJob], chains: int, work: Workdir) -> None:
    """Write what ``option`` derives from each sequence's analysis, if it derives anything."""
    derive = engine(option).derive
    if derive is None:
        return
    for chain in range(chains):
        analysis = work.path / analysis_file(option, chain)
        if not analysis.is_file():  # nothing was analysed: the filters read nothing either
            continue
        stage = LookStage(jobs[chain] if chains > 1 else jobs[0], chain)
        value = stage.job.look[option]
        work.write(derived_file(option, chain), derive(value, stage, analysis.read_bytes()))


def _key(option: str, shown_args: Sequence[str], work: Workdir, job: RenderJob,
         ffmpeg: Ffmpeg) -> str:
    digest = hashlib.sha256()
    for part in (option, ffmpeg.version, *shown_args):
        digest.update(part.encode("utf-8") + b"\0")
    for name in sorted(os.listdir(work.path)):  # the photo lists and derived files they name
        if name.endswith((".ffconcat", ".derived")):
            digest.update(name.encode("utf-8") + b"\0" + (work.path / name).read_bytes())
    for frame in job.frames:
        st = os.stat(frame)
        digest.update(f"{st.st_size}:{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


def _cache_folder(root: Path) -> Path | None:
    try:
        return ensure_state_dir(root, *CACHE)
    except OSError:
        return None  # a read-only project: analyse every time
