"""The limits a template renders under: what it may build, how long it may loop and run.

Jinja2's sandbox stops templates reaching Python's internals; it does not stop them exhausting
the machine (``{{ "x" * 10**9 }}``, a macro that calls itself, a loop of a billion steps).
:class:`BoundedSandbox` bounds whatever a template builds (strings, lists, numbers, loops,
output, time) far above what an instruction needs (a sentence or two) and far below what hurts.
``template_env`` builds environments of it and turns its errors into spec errors.
"""

from __future__ import annotations

import copy
import functools
import re
import string
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import SandboxedEnvironment

VALUE_CAP = 20_000  # characters (or items) of the output, and of any value a template builds
RANGE_CAP = 10_000  # items in one range(); Jinja's own limit is 100,000
ITERATION_CAP = 10_000  # loop steps in one render, all loops together (nesting multiplies)
EMITTED_CAP = 200_000  # characters of {{ ... }} output in one render, macro bodies included
INT_BITS_CAP = 10_000  # about 3,000 digits: no instruction states a bigger number
TIME_CAP = 2.0  # seconds for one render
TEMPLATE_BYTES_CAP = 8 * 1024  # a template file; its text can repeat in loops: keep it small


class TemplateLimitError(SecurityError):
    """A template tried to build something too big, or ran too long."""


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

    def __init__(self, loader: jinja2.BaseLoader, project_root: Path | None = None,
                 filters: Mapping[str, Callable[..., Any]] | None = None):
        super().__init__(loader=loader, undefined=jinja2.StrictUndefined, autoescape=False)
        self.project_root = project_root
        self.finalize = self._count_output
        self.globals["range"] = self.bounded_range
        self.globals.pop("lipsum", None)  # builds n paragraphs of filler: no use in a sentence
        self.filters.update(filters or {})  # before wrapping: every filter is bounded
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
