"""The Jinja2 environment instruction templates render in, and the limits it enforces.

A project may override the built-in wording with its own templates (``cloud.templates``), and a
project is often someone else's: a cloned repository, an example from the web. So templates are
untrusted code. Jinja2's sandbox already stops them reaching Python's internals; it does not stop
them from exhausting the machine (``{{ "x" * 10**9 }}``, a macro that calls itself, a loop of a
billion steps) or from reading files outside the project through the templates folder. This
module adds both: the folder and every template file must stay inside the project, and whatever a
template builds (strings, lists, numbers, loops, output, time) is bounded far above what an
instruction needs (a sentence or two) and far below what hurts. Every failure becomes a
:class:`~lapsefile.errors.SpecError` naming ``cloud.templates``, the file and, when known, the
line.

An environment is meant for one render at a time (lapsefile renders on its main thread), each
through :func:`render_template`, which resets the per-render budgets.
"""

from __future__ import annotations

import copy
import functools
import os
import re
import string
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextlib import closing
from pathlib import Path, PurePosixPath, PureWindowsPath
from types import ModuleType, TracebackType
from typing import Any, cast

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import SandboxedEnvironment

from ..errors import Diagnostic, Location, SpecError

PATH = "cloud.templates"
HINT = "fix the template, or remove it to use the built-in wording"

VALUE_CAP = 20_000  # characters (or items) of the output, and of any value a template builds
RANGE_CAP = 10_000  # items in one range(); Jinja's own limit is 100,000
ITERATION_CAP = 10_000  # loop steps in one render, all loops together (nesting multiplies)
EMITTED_CAP = 200_000  # characters of {{ ... }} output in one render, macro bodies included
INT_BITS_CAP = 10_000  # about 3,000 digits: no instruction states a bigger number
TIME_CAP = 2.0  # seconds for one render
TEMPLATE_BYTES_CAP = 8 * 1024  # a template file; its text can repeat in loops: keep it small

ZH_POSITIONS = {"top-left": "左上", "top": "上方", "top-right": "右上", "left": "左侧",
                "center": "中央", "right": "右侧", "bottom-left": "左下", "bottom": "下方",
                "bottom-right": "右下"}


class TemplateLimitError(SecurityError):
    """A template tried to build something too big, or ran too long."""


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


# -- sizes ---------------------------------------------------------------------------------------

def _size(value: object, limit: int = VALUE_CAP) -> int:
    """About how many characters ``value`` prints as, counted only until past ``limit`` (so
    judging a huge, shared or cyclic structure costs at most ``limit`` steps)."""
    total, stack = 0, [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, (str, bytes)):
            total += len(item)
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1  # a little over its decimal digits
        elif isinstance(item, (list, tuple, set, frozenset, dict)):
            total += len(item) + 1
            if total <= limit:
                stack.extend(item.items() if isinstance(item, dict) else item)
        else:
            total += 1
    return total


def _too_big(what: str) -> TemplateLimitError:
    return TemplateLimitError(f"{what} would be over {VALUE_CAP:,} characters or items, far more "
                              "than an instruction needs")


def _bounded(value: Any, what: str) -> Any:
    """``value``, unless it is too big to keep (checked after building: for values that can
    grow at most a few times over the cap in one step)."""
    if _size(value) > VALUE_CAP:
        raise _too_big(what)
    return value


def _check_count(count: Any, what: str) -> None:
    """A count that sets a size (a width, a repeat): within the cap."""
    if isinstance(count, int) and count > VALUE_CAP:
        raise _too_big(what)


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_percent_format(fmt: str, args: Any) -> None:
    """``"%999999999s" % x`` builds its padding before any result check could see it."""
    stars = False
    for width, precision in _PERCENT_SPEC.findall(fmt):
        for field in (width, precision):
            stars = stars or field == "*"
            if field.isdigit():
                _check_count(int(field), "a formatted field")
    if stars:
        for arg in args if isinstance(args, tuple) else (args,):
            _check_count(arg, "a formatted field")


def _check_brace_format(fmt: str, args: Iterable[Any]) -> None:
    """The same for ``"{:>999999999}".format(x)`` and widths passed in (``"{:{}}"``)."""
    nested = False
    for _, _, spec, _ in string.Formatter().parse(fmt):
        for digits in re.findall(r"\d+", spec or ""):
            _check_count(int(digits), "a formatted field")
        nested = nested or "{" in (spec or "")
    if nested:
        for arg in args:
            _check_count(arg, "a formatted field")


def _arg(args: tuple[Any, ...], kwargs: Mapping[str, Any], index: int, name: str,
         default: Any) -> Any:
    return args[index] if len(args) > index else kwargs.get(name, default)


def _replaced_size(text: str, old: str, new: str, count: int | None = None) -> int:
    hits = text.count(old) if old else len(text) + 1
    if count is not None and count >= 0:
        hits = min(hits, count)
    return len(text) + hits * len(new)


def _joined_size(separator: str, items: Any) -> int:
    if not isinstance(items, (list, tuple, str, range, set, frozenset, dict)):
        return 0  # not known before joining: the result is checked afterwards
    return _size(list(items)) + len(separator) * len(items)


# The size of what a string method or filter would build, judged before it is built: their
# results can be far bigger than their arguments ("x".center(10**9)).
_Estimate = Callable[[Any, tuple[Any, ...], Mapping[str, Any]], int]

_STR_METHODS: dict[str, _Estimate] = {
    "center": lambda s, a, k: _arg(a, k, 0, "width", 0),
    "ljust": lambda s, a, k: _arg(a, k, 0, "width", 0),
    "rjust": lambda s, a, k: _arg(a, k, 0, "width", 0),
    "zfill": lambda s, a, k: _arg(a, k, 0, "width", 0),
    "expandtabs": lambda s, a, k: len(s) + s.count("\t") * _arg(a, k, 0, "tabsize", 8),
    "replace": lambda s, a, k: _replaced_size(s, a[0], a[1], _arg(a, k, 2, "count", None))
    if len(a) >= 2 else 0,
    "join": lambda s, a, k: _joined_size(s, a[0]) if a else 0,
}

_FILTERS: dict[str, _Estimate] = {
    "center": lambda v, a, k: _arg(a, k, 0, "width", 80),
    "indent": lambda v, a, k: (str(v).count("\n") + 1) * _width(_arg(a, k, 0, "width", 4)),
    "replace": lambda v, a, k: _replaced_size(str(v), str(a[0]), str(a[1]),
                                             _arg(a, k, 2, "count", None)) if len(a) >= 2 else 0,
    "join": lambda v, a, k: _joined_size(str(_arg(a, k, 0, "d", "")), v),
    "batch": lambda v, a, k: _arg(a, k, 0, "linecount", 0),
    "slice": lambda v, a, k: _arg(a, k, 0, "slices", 0),
}


def _width(width: Any) -> int:
    return len(width) if isinstance(width, str) else int(width)


def _estimate(table: Mapping[str, _Estimate], name: str, label: str, value: Any,
              args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    estimate = table.get(name)
    if estimate is not None:
        size = estimate(value, args, kwargs)
        if isinstance(size, int) and size > VALUE_CAP:
            raise _too_big(f"the result of {label}")


# -- the environment -----------------------------------------------------------------------------

class _BoundedCodeGenerator(CodeGenerator):
    """Routes the two constructs the sandbox never sees through the environment: ``~``
    (concatenation, which can double a string each loop step) and ``for`` loops (which can
    nest into billions of steps without calling anything)."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        joined = nodes.Tuple(list(node.nodes), "load", lineno=node.lineno)
        self.visit(_environment_call("bounded_concat", joined, node.lineno), frame)

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        node = copy.copy(node)
        node.iter = _environment_call("bounded_iter", node.iter, node.lineno)
        super().visit_For(node, frame)


def _environment_call(method: str, argument: nodes.Node, lineno: int) -> nodes.Call:
    return nodes.Call(nodes.EnvironmentAttribute(method, lineno=lineno), [argument], [], None,
                      None, lineno=lineno)


class BoundedSandbox(SandboxedEnvironment):
    """A sandbox whose templates cannot build huge values or run for long."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _BoundedCodeGenerator

    def __init__(self, loader: jinja2.BaseLoader, project_root: Path | None = None):
        super().__init__(loader=loader, undefined=jinja2.StrictUndefined, autoescape=False)
        self.project_root = project_root
        self.finalize = self._count_output
        self.globals["range"] = self.bounded_range
        self.globals.pop("lipsum", None)  # builds n paragraphs of filler: no use in a sentence
        self.filters.update({"num": num, "zh_position": zh_position, "a": article})
        self.filters = {name: self._checked_filter(name, f) for name, f in self.filters.items()}
        self.start_render()

    def start_render(self) -> None:
        """Fresh budgets for one render."""
        self._deadline = time.monotonic() + TIME_CAP
        self._iterations = 0
        self._emitted = 0

    def check_time(self) -> None:
        if time.monotonic() > self._deadline:
            raise TemplateLimitError(f"the template ran for over {TIME_CAP:g} s; an instruction "
                                     "takes milliseconds")

    # What templates call (through the code generator or as globals).

    def bounded_range(self, *args: int) -> range:
        numbers = range(*args)
        try:
            too_long = len(numbers) > RANGE_CAP
        except OverflowError:  # longer than a C integer can count
            too_long = True
        if too_long:
            raise TemplateLimitError(f"range() of over {RANGE_CAP:,} numbers")
        return numbers

    def bounded_iter(self, items: Iterable[Any]) -> Iterator[Any]:
        for item in items:
            self._iterations += 1
            if self._iterations > ITERATION_CAP:
                raise TemplateLimitError(f"the template's loops took over {ITERATION_CAP:,} "
                                         "steps")
            self.check_time()
            yield item

    def bounded_concat(self, parts: tuple[Any, ...]) -> str:
        self.check_time()
        return str(_bounded("".join(map(str, parts)), "text joined with ~"))

    def _count_output(self, value: Any) -> Any:
        self._emitted += _size(value, EMITTED_CAP)
        if self._emitted > EMITTED_CAP:
            raise TemplateLimitError(f"the template printed over {EMITTED_CAP:,} characters "
                                     "(macros and loops included)")
        return value

    # The sandbox's own hooks.

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        self.check_time()
        _check_binop(operator, left, right)
        return _bounded(super().call_binop(context, operator, left, right),
                          f"the result of {operator}")

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        self.check_time()
        owner = getattr(obj, "__self__", None)
        if isinstance(owner, str):
            method = getattr(obj, "__name__", "")
            _estimate(_STR_METHODS, method, f".{method}()", owner, args, kwargs)
        if isinstance(obj, LoopContext) and args:  # loop(children) in a recursive loop
            args = (self.bounded_iter(args[0]), *args[1:])
        result = super().call(context, obj, *args, **kwargs)
        if owner is not None and not isinstance(owner, ModuleType):
            _bounded(owner, "a list or dict the template grew")  # list.extend(itself)...
        return _bounded(result, "the result of a call")

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        fmt = value.__self__

        @functools.wraps(wrapper)
        def checked(*args: Any, **kwargs: Any) -> str:
            flat = [*args, *kwargs.values(), *(v for a in args if isinstance(a, Mapping)
                                                for v in a.values())]
            _check_brace_format(fmt, flat)
            return str(_bounded(wrapper(*args, **kwargs), "a formatted string"))

        return checked

    def _checked_filter(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        # Filters marked @pass_context & co. get the context first; the value comes after it.
        skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0

        @functools.wraps(func)  # also copies jinja_pass_arg, so Jinja still passes the context
        def checked(*args: Any, **kwargs: Any) -> Any:
            self.check_time()
            value, rest = (args[skip], args[skip + 1:]) if len(args) > skip else (None, ())
            _estimate(_FILTERS, name, f"|{name}", value, rest, kwargs)
            if name == "format" and isinstance(value, str):
                _check_percent_format(value, rest or tuple(kwargs.values()))
            return _bounded(func(*args, **kwargs), f"the result of |{name}")

        return checked


def _check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse before computing: ``"x" * 10**9`` or ``2 ** 10**9`` cannot be undone by a check
    on the result."""
    if operator == "*":
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and isinstance(count, int) \
                    and count > 0 and _size(seq) * count > VALUE_CAP:
                raise _too_big("a repeated string or list")
        if _is_int(left) and _is_int(right) \
                and left.bit_length() + right.bit_length() > INT_BITS_CAP:
            raise TemplateLimitError("a product of over 3,000 digits")
    elif operator == "**" and _is_int(left) and _is_int(right) and abs(left) > 1 and right > 0:
        if left.bit_length() * right > INT_BITS_CAP:
            raise TemplateLimitError("a power of over 3,000 digits")
    elif operator == "%" and isinstance(left, str):
        _check_percent_format(left, right)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def template_environment(spec_root: Path, templates: str | None,
                         location: Location | None) -> SandboxedEnvironment:
    """The environment instruction templates render in: the project's templates folder (if
    any) before the built-in ones, sandboxed and bounded, with the ``num``, ``zh_position``
    and ``a`` filters. A folder outside the project, or missing, is a SpecError."""
    loaders: list[jinja2.BaseLoader] = []
    if templates:
        loaders.append(ConfinedLoader(templates_folder(spec_root, templates, location)))
    loaders.append(jinja2.PackageLoader("lapsefile.plan", "templates"))
    return BoundedSandbox(jinja2.ChoiceLoader(loaders), spec_root)


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
