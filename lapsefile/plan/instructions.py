"""Natural-language instructions for the cloud agent, rendered from Jinja2 templates.

The wording is data: one template per instruction kind and language, shipped in
``lapsefile/plan/templates/<language>/<kind>.j2``. A project may override any of them with a
file of the same name in ``<spec folder>/<cloud.templates>/<language>/``. Changes to what a
session already shows use ``<language>/edit/<kind>.j2`` (given ``old``, ``new`` and the
``changed`` keys) and ``<language>/remove/<kind>.j2`` (given ``old``). All templates render in a
bounded sandbox (``template_env.py``): a project's templates are code from whoever wrote it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from .. import looks
from ..overlays import KINDS as OVERLAY_KINDS
from ..overlays import pct as _pct
from ..overlays import shown_overlays
from ..project.model import Project
from ..spec.model import Output

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

# Also ``num`` and ``ZH_POSITIONS``, imported on first use (``__getattr__``).
__all__ = ["KINDS", "Instruction", "Wording", "clip_name", "edit_instruction",
           "instruction_params", "render_instructions"]

# In sending order; the overlay kinds (title, timestamp, logo) come from lapsefile/overlays/.
KINDS: tuple[str, ...] = ("timeline", "look", *(kind.name for kind in OVERLAY_KINDS), "music")


@dataclass(frozen=True)
class Instruction:
    """One instruction of a cloud session, as sent: its key in the output, its kind, its
    words and the numbers they state."""

    key: str  # stable within an output: "timeline", "look", "title-1", "timestamp", "logo", "music"
    kind: str  # one of KINDS
    text: str
    params: dict[str, Any]  # the numbers the text states, for checking the result


def __getattr__(name: str) -> Any:
    """``num`` and ``ZH_POSITIONS`` (the template helpers) on first use: the template
    environment imports Jinja2, which a backend sending no instructions never needs."""
    if name in ("num", "ZH_POSITIONS"):
        from . import template_env

        return getattr(template_env, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def clip_name(output: Output) -> str:
    return f"{output.name}-clip.mp4"


def _environment(project: Project) -> SandboxedEnvironment:
    from .template_env import template_environment  # Jinja2: only a plan that sends words

    spec = project.spec
    return template_environment(spec.root, spec.cloud.templates, spec.where("cloud", "templates"))


def instruction_params(project: Project, output: Output) -> list[tuple[str, str, dict[str, Any]]]:
    """(key, kind, params) for each instruction an output needs, in the order they are sent."""
    spec, timing = project.spec, project.timing_for(output.name)
    base = {"photos": timing.photo_count, "duration": timing.duration, "fps": timing.fps,
            "hold": timing.hold, "width": output.width, "height": output.height,
            "aspect": output.aspect, "fit": output.fit, "strategy": spec.cloud.upload,
            "clip_name": clip_name(output)}
    items: list[tuple[str, str, dict[str, Any]]] = [("timeline", "timeline", base)]
    # A clip is uploaded with its look rendered in; photos get it from the service.
    if spec.cloud.upload == "frames" and spec.look:
        items.append(("look", "look", looks.params(spec.look)))  # lapsefile/looks/<option>.py
    # Each overlay kind states its own numbers (lapsefile/overlays/<kind>.py).
    items += [(overlay.key, overlay.kind, overlay.params(timing.duration))
              for overlay in shown_overlays(spec, output.name)]
    music = spec.music
    if music:
        items.append(("music", "music", {
            "filename": PurePosixPath(music.file).name, "volume_pct": _pct(music.volume),
            "start": music.start, "fade_in": music.fade_in, "fade_out": music.fade_out,
            "fit": music.fit, "duration": timing.duration}))
    return items


class Wording:
    """Renders one project's instruction templates: the environment (the templates folder,
    checked) is made once, each template read on first use through Jinja2's loader.

    Made by ``PlanTexts.load`` (``texts.py``, called by the runner before
    :func:`~lapsefile.plan.planner.make_plan`), which hands it to the planner: planning itself
    reads no files. Edit and removal sentences are rendered while planning, since they depend
    on what the lock says a session shows.
    """

    def __init__(self, project: Project):
        self.project = project
        self._env = _environment(project)

    def instructions(self, output: Output) -> tuple[Instruction, ...]:
        """The instructions for ``output`` in the spec's language, in sending order."""
        language = self.project.spec.cloud.language
        return tuple(Instruction(key, kind, self.render(f"{language}/{kind}.j2", params), params)
                     for key, kind, params in instruction_params(self.project, output))

    def edit(self, instruction: Instruction, old: Mapping[str, Any] | None, *,
             remove: bool = False) -> str | None:
        """The sentence that turns what a session shows (``old``) into ``instruction`` (or
        removes it); None when no number the agent acts on differs."""
        new = instruction.params
        old = dict(old or {})
        if instruction.kind == "look":  # recorded by any version: compared as today's
            old = looks.canonical(old)
        changed = sorted(k for k in new.keys() | old.keys() if new.get(k) != old.get(k))
        if not remove and not changed:
            return None
        folder = "remove" if remove else "edit"
        name = f"{self.project.spec.cloud.language}/{folder}/{instruction.kind}.j2"
        return self.render(name, {**new, "new": new, "old": old, "changed": changed}) or None

    def render(self, name: str, params: Mapping[str, Any]) -> str:
        """Template ``name`` with ``params``, as one line of text."""
        from .template_env import render_template

        spec = self.project.spec
        text = render_template(self._env, name, params, spec.where("cloud", "templates"))
        return " ".join(text.split()) if spec.cloud.language == "en" \
            else "".join(text.split("\n")).strip()


def render_instructions(project: Project, output: Output) -> list[Instruction]:
    """The instructions for ``output``: a one-off (tests, tools); plans use ``PlanTexts``."""
    return list(Wording(project).instructions(output))


def edit_instruction(project: Project, instruction: Instruction, old: Mapping[str, Any] | None,
                     *, remove: bool = False) -> str | None:
    """A one-off :meth:`Wording.edit`."""
    return Wording(project).edit(instruction, old, remove=remove)
