"""The instruction texts a plan needs (:class:`PlanTexts`), rendered before planning.

Beside ``instructions.py``, which renders them: a plan for a backend that sends no
instructions (and ``validate`` of it) imports neither the wording nor its records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

from ..backends import registry

if TYPE_CHECKING:
    from ..project.model import Project
    from .instructions import Instruction, Wording


class PlanTexts(NamedTuple):
    """The instruction texts a plan needs, rendered before planning: each output's
    instructions (output name -> in sending order) and the renderer of edit sentences."""

    instructions: Mapping[str, tuple[Instruction, ...]]
    wording: Wording | None  # None for a backend that sends no instructions

    @classmethod
    def load(cls, project: Project, backend: str) -> PlanTexts:
        """Render every output's instructions, once, if ``backend`` sends any."""
        if not registry.get(backend).instructed:  # only they need the texts
            return cls({}, None)
        from .instructions import Wording

        wording = Wording(project)
        return cls({o.name: wording.instructions(o) for o in project.spec.outputs}, wording)
