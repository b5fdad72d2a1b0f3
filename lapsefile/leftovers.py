"""What runs killed outright left behind, removed before the next run's work.

SIGKILL runs no cleanup: render temps, render work folders and chunk folders that no run
will join (an output gone from the spec, now rendered whole or made) stay on disk. The runner
calls this under the run lock, so no live run writes them, and only when the plan has work:
it is imported then, so a no-op run stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .backends.local_chunks import chunks_of, remove_unused_chunk_folders
from .engine.render import remove_stale_render_files
from .engine.workdir import remove_stale_workdirs

if TYPE_CHECKING:
    from .runner import Prepared


def remove_what_killed_runs_left(prepared: Prepared) -> None:
    """Remove the render temps and work folders of killed runs, and the chunk folders that no
    run will join (left by a killed run or by a spec that changed). Under the run lock."""
    root = prepared.project.spec.root
    remove_stale_render_files(root / o.path for o in prepared.project.spec.outputs)
    remove_stale_workdirs()
    remove_unused_chunk_folders(root, _chunk_folders_in_use(prepared))


def _chunk_folders_in_use(prepared: Prepared) -> set[str]:
    """The outputs whose chunk folders may still serve: every output of the spec, but those
    this plan renders whole or has done already. An output the plan leaves out (``--only``)
    keeps its chunks for the run that renders it."""
    planned = {s.output for s in prepared.plan.steps}
    chunking = {s.output for s in prepared.plan.needed if chunks_of(s) > 1}
    return {o.name for o in prepared.project.spec.outputs
            if o.name not in planned or o.name in chunking}
