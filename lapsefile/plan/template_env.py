"""The Jinja2 environment instruction templates render in, and the limits it enforces.

A project may override the built-in wording with its own templates (``cloud.templates``), and a
project is often someone else's: a cloned repository, an example from the web. So templates are
untrusted code. Jinja2's sandbox already stops them reaching Python's internals; it does not stop
them from exhausting the machine (``{{ "x" * 10**9 }}``, a macro that calls itself, a loop of a
billion steps) or from reading files outside the project through the templates folder. Here the
folder and every template file must stay inside the project; the bounds on whatever a template
builds live in :mod:`.template_limits`. Every failure becomes a
:class:`~lapsefile.errors.SpecError` naming ``cloud.templates``, the file and, when known, the
line.

An environment is meant for one render at a time (lapsefile renders on its main thread), each
through :func:`render_template`, which resets the per-render budgets.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Mapping
from contextlib import closing
from pathlib import Path, PurePosixPath, PureWindowsPath
from types import TracebackType
from typing import Any, cast

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment

from ..errors import Diagnostic, Location, SpecError
from ..spec.model import look_names
from .template_limits import TEMPLATE_BYTES_CAP, VALUE_CAP, BoundedSandbox, TemplateLimitError

PATH = "cloud.templates"
HINT = "fix the template, or remove it to use the built-in wording"


ZH_POSITIONS = {"top-left": "左上", "top": "上方", "top-right": "右上", "left": "左侧",
                "center": "中央", "right": "右侧", "bottom-left": "左下", "bottom": "下方",
                "bottom-right": "右下"}


class TemplateRefused(jinja2.TemplateError):
    """A template file lapsefile will not read (it leads outside the templates folder)."""


# -- filters -------------------------------------------------------------------------------------

def num(value: float | int) -> str:
    """30 -> "30", 2.5 -> "2.5", 1/24 -> "0.042": short, exact enough to act on."""
    text = f"{float(value):.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def zh_position(position: str) -> str:
    """A position keyword ("top-right") in Chinese ("右上"); unknown ones unchanged."""
    return ZH_POSITIONS.get(position, position)


def article(value: float | int) -> str:
    """The article before ``value`` as ``num`` writes it and a person says it: an 8, an 11,
    an 18, an 80, an 800, an 18500 ("eighteen thousand ..."), an 8.5; a 1.5, a 100, a 0.8."""
    text = num(value)
    if text.startswith("-"):
        return "a"  # "minus ..."
    whole = text.split(".")[0]
    if not whole.isdigit():
        return "an" if text == "inf" else "a"  # "an infinite", "a NaN"
    # A number is said group by group of three digits from the left ("eighteen thousand five
    # hundred"), so only the leading group's first word matters.
    lead = int(whole[:len(whole) % 3 or 3])
    if lead >= 100:
        return "an" if lead // 100 == 8 else "a"  # "eight hundred", "one hundred"
    return "an" if lead in (8, 11, 18) or 80 <= lead <= 89 else "a"


# -- the templates folder ------------------------------------------------------------------------

def _refusal(message: str, location: Location | None, hint: str) -> SpecError:
    return SpecError([Diagnostic(message, path=PATH, location=location, hint=hint)])


def templates_folder(spec_root: Path, templates: str, location: Location | None) -> Path:
    """``spec_root / templates`` if it is a folder inside the project, else a SpecError."""
    # Both path flavours, so a spec written on Windows ("..\\wording") is judged the same here.
    flavours = (PurePosixPath(templates), PureWindowsPath(templates))
    if any(p.is_absolute() or p.anchor for p in flavours):
        raise _refusal(f"the templates folder must be inside the project, not an absolute path: "
                       f"{templates}", location,
                       "give a folder relative to the spec's folder, e.g. templates")
    if any(".." in p.parts for p in flavours):
        raise _refusal(f"the templates folder must be inside the project: {templates} climbs out "
                       "of it with ..", location,
                       "give a folder relative to the spec's folder, e.g. templates")
    folder = spec_root / templates
    real, root = folder.resolve(), spec_root.resolve()
    if not real.is_relative_to(root):
        raise _refusal(f"the templates folder {templates} leads outside the project (to {real})",
                       location, "copy the templates into the project instead of linking to them")
    if not real.is_dir():
        raise _refusal(f"templates folder not found: {templates} (looked for {folder})", location,
                       "it holds <language>/<kind>.j2 files; leave it out to use the built-in "
                       "wording")
    return folder


class ConfinedLoader(jinja2.FileSystemLoader):
    """Templates from one folder, refusing files that lead outside it (a symlink to
    ``~/.ssh/id_rsa`` would otherwise be read, and shown in the error or sent to the service)
    and files too big to be an instruction."""

    def __init__(self, folder: Path):
        super().__init__(str(folder))
        self._folder, self._real = folder, folder.resolve()

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        path = self._folder.joinpath(*split_template_path(template))
        if not (path.exists() or path.is_symlink()):
            raise jinja2.TemplateNotFound(template)  # the built-in one is used
        real = path.resolve()
        if not real.is_relative_to(self._real):
            raise TemplateRefused(f"{template} leads outside the templates folder (to {real}); "
                                  "lapsefile does not read it")
        if not real.is_file():
            raise jinja2.TemplateNotFound(template)
        if real.stat().st_size > TEMPLATE_BYTES_CAP:
            raise TemplateRefused(f"{template} is over {TEMPLATE_BYTES_CAP // 1024} KiB, too big "
                                  "for an instruction")
        source = real.read_bytes().decode("utf-8")
        mtime = real.stat().st_mtime
        return source, str(path), lambda: _mtime(real) == mtime


def _mtime(path: Path) -> float | None:
    try:
        return os.path.getmtime(path)
    except OSError:
        return None



def template_environment(spec_root: Path, templates: str | None,
                         location: Location | None) -> SandboxedEnvironment:
    """The environment instruction templates render in: the project's templates folder (if
    any) before the built-in ones, sandboxed and bounded, with the ``num``, ``zh_position``
    and ``a`` filters and the ``look_options()`` function. A folder outside the project, or
    missing, is a SpecError."""
    loaders: list[jinja2.BaseLoader] = []
    if templates:
        loaders.append(ConfinedLoader(templates_folder(spec_root, templates, location)))
    loaders.append(jinja2.PackageLoader("lapsefile.plan", "templates"))
    env = BoundedSandbox(jinja2.ChoiceLoader(loaders), spec_root,
                         filters={"num": num, "zh_position": zh_position, "a": article})
    env.globals["look_options"] = look_options
    return env


@jinja2.pass_context
def look_options(context: jinja2.runtime.Context) -> list[str]:
    """The look options a look template is given (those that are on), in the order they
    apply: ``{% for name in look_options() %}``."""
    return [name for name in look_names() if name in context]


# -- rendering -----------------------------------------------------------------------------------

def render_template(env: SandboxedEnvironment, name: str, params: Mapping[str, Any],
                    location: Location | None) -> str:
    """Template ``name`` rendered with ``params``; any failure (a Jinja error, a limit, a
    recursive macro, anything the template's code raised) is a SpecError naming it."""
    template: jinja2.Template | None = None
    try:
        if isinstance(env, BoundedSandbox):
            env.start_render()
        template = env.get_template(name)
        return _collect(env, template, params)
    except Exception as exc:  # noqa: BLE001 - a template is user code: all its failures are theirs
        raise _failure(env, name, template, exc, location) from None


def _collect(env: SandboxedEnvironment, template: jinja2.Template,
             params: Mapping[str, Any]) -> str:
    """The output, piece by piece, stopping as soon as it is too long (rather than after
    building all of it)."""
    parts: list[str] = []
    length = 0
    # A generator, closed at once if the output is refused half way.
    pieces = cast(Generator[str, None, None], template.generate(dict(params)))
    with closing(pieces):
        for piece in pieces:
            length += len(piece)
            if length > VALUE_CAP:
                raise TemplateLimitError(f"the output is over {VALUE_CAP:,} characters; an "
                                         "instruction is a sentence or two")
            if isinstance(env, BoundedSandbox):
                env.check_time()
            parts.append(piece)
    return "".join(parts)


def _failure(env: SandboxedEnvironment, name: str, template: jinja2.Template | None,
             exc: Exception, location: Location | None) -> SpecError:
    filename = getattr(exc, "filename", None) or (template.filename if template else None)
    line = getattr(exc, "lineno", None) or _template_line(exc.__traceback__, filename)
    where = _display(env, filename, name) + (f" line {line}" if line else "")
    return SpecError([Diagnostic(f"instruction template {where} failed: {_reason(exc)}",
                                 path=PATH, location=location, hint=HINT)])


def _reason(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "it calls itself too deeply (a macro that calls itself?)"
    if isinstance(exc, MemoryError):
        return "it ran out of memory"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"syntax error: {exc.message}"
    if isinstance(exc, (jinja2.TemplateError, OverflowError)):
        return str(getattr(exc, "message", None) or exc)
    return f"{type(exc).__name__}: {exc}"


def _template_line(tb: TracebackType | None, filename: str | None) -> int | None:
    """The innermost line of the template in a traceback (Jinja rewrites its frames to point at
    template lines)."""
    line = None
    while tb is not None and filename:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _display(env: SandboxedEnvironment, filename: str | None, name: str) -> str:
    """``wording/en/title.j2`` for a project's template, ``en/title.j2 (built-in)`` else."""
    root = getattr(env, "project_root", None)
    if filename and root is not None and Path(filename).is_relative_to(root):
        return Path(filename).relative_to(root).as_posix()
    return f"{name} (built-in)"


__all__ = ["PATH", "HINT", "ZH_POSITIONS", "BoundedSandbox", "ConfinedLoader", "TemplateLimitError",
           "TemplateRefused", "article", "num", "render_template", "template_environment",
           "templates_folder", "zh_position"]
