"""Natural-language instructions for the cloud agent, rendered from Jinja2 templates.

The wording is data: one template per instruction kind and language, shipped in
``lapsefile/plan/templates/<language>/<kind>.j2``. A project may override any of them with a
file of the same name in ``<spec folder>/<cloud.templates>/<language>/``. All templates render in
Jinja2's sandbox, because a project's templates are code from whoever wrote the project.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from ..errors import Diagnostic, SpecError
from ..project.model import Project
from ..spec.model import Output, shows

KINDS: tuple[str, ...] = ("timeline", "look", "title", "timestamp", "logo", "music")

ZH_POSITIONS = {"top-left": "左上", "top": "上方", "top-right": "右上", "left": "左侧",
                "center": "中央", "right": "右侧", "bottom-left": "左下", "bottom": "下方",
                "bottom-right": "右下"}


@dataclass(frozen=True)
class Instruction:
    key: str  # stable within an output: "timeline", "look", "title-1", "timestamp", "logo", "music"
    kind: str  # one of KINDS
    text: str
    params: dict[str, Any]  # the numbers the text states, for checking the result


def num(value: float | int) -> str:
    """30 -> "30", 2.5 -> "2.5", 1/24 -> "0.042": short, exact enough to act on."""
    text = f"{float(value):.3f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def clip_name(output: Output) -> str:
    return f"{output.name}-clip.mp4"


def _environment(project: Project) -> SandboxedEnvironment:
    loaders: list[jinja2.BaseLoader] = []
    spec = project.spec
    if spec.cloud.templates:
        loaders.append(jinja2.FileSystemLoader(str(spec.root / spec.cloud.templates)))
    loaders.append(jinja2.PackageLoader("lapsefile.plan", "templates"))
    env = SandboxedEnvironment(loader=jinja2.ChoiceLoader(loaders),
                               undefined=jinja2.StrictUndefined, autoescape=False)
    env.filters["num"] = num
    env.filters["zh_position"] = lambda pos: ZH_POSITIONS.get(pos, pos)
    return env


def _pct(fraction: float) -> float:
    return round(fraction * 100, 1)


def instruction_params(project: Project, output: Output) -> list[tuple[str, str, dict[str, Any]]]:
    """(key, kind, params) for each instruction an output needs, in the order they are sent."""
    spec, timing = project.spec, project.timing
    base = {"photos": timing.photo_count, "duration": timing.duration, "fps": timing.fps,
            "hold": timing.hold, "width": output.width, "height": output.height,
            "aspect": output.aspect, "fit": output.fit, "strategy": spec.cloud.upload,
            "clip_name": clip_name(output)}
    items: list[tuple[str, str, dict[str, Any]]] = [("timeline", "timeline", base)]
    look = spec.look
    if spec.cloud.upload == "frames" and (look.deflicker or look.blend > 1 or look.interpolate):
        items.append(("look", "look", {"deflicker": look.deflicker, "blend": look.blend,
                                       "interpolate": look.interpolate}))
    shown = [t for t in spec.titles if shows(t.outputs, output.name)]
    for n, title in enumerate(shown, start=1):
        style = title.style
        items.append((f"title-{n}", "title", {
            "text": title.text, "start": title.start,
            "end": timing.duration if title.end is None else title.end,
            "position": style.position, "size_pct": _pct(style.size), "color": style.color,
            "box": style.box, "box_color": style.box_color,
            "fade_in": title.fade_in, "fade_out": title.fade_out}))
    stamp = spec.timestamp
    if stamp and shows(stamp.outputs, output.name):
        items.append(("timestamp", "timestamp", {
            "format": stamp.format, "position": stamp.style.position,
            "size_pct": _pct(stamp.style.size), "color": stamp.style.color}))
    logo = spec.logo
    if logo and shows(logo.outputs, output.name):
        items.append(("logo", "logo", {
            "filename": PurePosixPath(logo.file).name, "position": logo.position,
            "scale_pct": _pct(logo.scale), "opacity_pct": _pct(logo.opacity)}))
    music = spec.music
    if music:
        items.append(("music", "music", {
            "filename": PurePosixPath(music.file).name, "volume_pct": _pct(music.volume),
            "start": music.start, "fade_in": music.fade_in, "fade_out": music.fade_out,
            "fit": music.fit, "duration": timing.duration}))
    return items


def render_instructions(project: Project, output: Output) -> list[Instruction]:
    """The instructions for ``output`` in the spec's language, in sending order."""
    env = _environment(project)
    language = project.spec.cloud.language
    rendered = []
    for key, kind, params in instruction_params(project, output):
        name = f"{language}/{kind}.j2"
        try:
            text = env.get_template(name).render(**params)
        except jinja2.TemplateError as exc:
            where = getattr(exc, "filename", None) or name
            line = getattr(exc, "lineno", None)
            raise SpecError([Diagnostic(
                f"instruction template {where}{f' line {line}' if line else ''} failed: {exc}",
                path="cloud.templates", location=project.spec.where("cloud", "templates"),
                hint="fix the template, or remove it to use the built-in wording")]) from None
        rendered.append(Instruction(key, kind, " ".join(text.split()) if language == "en"
                                    else "".join(text.split("\n")).strip(), params))
    return rendered
