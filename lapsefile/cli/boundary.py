"""The single error boundary: every command's failures become a message and an exit code.

Exit codes: 1 for every ``LapsefileError`` (a clear message, no traceback) and for an
``OSError`` naming a file or a full disk (the environment refused it: said in words by
``errors.storage_error``), 3 for bugs (a crash log is written and named), 130 for interrupts.
``LapsefileGroup`` is the ``lapsefile`` group; its commands are ``LapsefileCommand``s, so a
command invoked on its own (``lapsefile emulator`` run as ``python -c``, a test invoking it
directly) goes through the same boundary.

A command may set, in ``ctx.meta``: ``"json"`` (print the error as one line of JSON on stdout
too) and ``"spec_error_note"`` (the closing line after a ``SpecError``'s diagnostics, in place
of "N error(s); nothing was run").
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

from .. import __version__
from ..errors import LapsefileError, SpecError, is_storage_fault, storage_error
from ..terminal import json_safe

T = TypeVar("T")


def guarded(ctx: click.Context, call: Callable[[], T]) -> T:
    """Run ``call`` (a command's or the group's invoke) and map what escapes it."""
    try:
        return call()
    except LapsefileError as exc:
        _report_error(ctx, exc)
        ctx.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted; the lock holds every finished step, run again to resume",
                   err=True)
        ctx.exit(130)
    except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
        raise
    except OSError as exc:
        if not is_storage_fault(exc):  # not about a file the user can act on: a bug
            _crashed(ctx)
        # A file or folder the environment refused (disk full, a file in a folder's place)
        # where no layer put it into words: still the user's to fix, so exit 1, with the path.
        error = storage_error(exc)
        _report_error(ctx, error)
        ctx.exit(error.exit_code)
    except Exception:  # noqa: BLE001 - the boundary for bugs: log, don't dump on users
        _crashed(ctx)


def _crashed(ctx: click.Context) -> NoReturn:
    """Log the exception being handled and exit 3."""
    log = _write_crash_log()
    click.echo(f"internal error: lapsefile crashed; details are in {log}. Please "
               "report it with that file.", err=True)
    ctx.exit(3)


# Every command answers -h as well as --help, invoked through the group or on its own: click
# keeps a command's help option from the first context it is parsed in, so a command run on
# its own first (a test, ``python -c``) would otherwise answer only --help for ever after.
HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}


class LapsefileCommand(click.Command):
    """A command whose failures go through :func:`guarded`, answering ``-h``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["context_settings"] = {**HELP_OPTIONS, **(kwargs.get("context_settings") or {})}
        super().__init__(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        return guarded(ctx, lambda: super(LapsefileCommand, self).invoke(ctx))


class LapsefileGroup(click.Group):
    """The ``lapsefile`` group: its own failures and its commands' go through :func:`guarded`.

    Commands made with ``@group.command()`` are ``LapsefileCommand``s; a command added with
    ``add_command`` should be one too (``@click.command(cls=LapsefileCommand)``), and if it is
    not, the group's own guard still catches what it raises.
    """

    command_class = LapsefileCommand

    def invoke(self, ctx: click.Context) -> Any:
        return guarded(ctx, lambda: super(LapsefileGroup, self).invoke(ctx))


def _report_error(ctx: click.Context, exc: LapsefileError) -> None:
    from . import output as out  # only when something failed: start-up stays light

    meta = ctx.meta  # shared by a context and its children: what the command set
    if meta.get("json"):
        # One line: after `run --json` events it is the last record of an NDJSON stream.
        click.echo(json_safe(json.dumps(exc.to_dict(), ensure_ascii=False, default=str)))
    if isinstance(exc, SpecError):
        click.echo(out.diagnostics_text(exc.diagnostics), err=True)
        errors = sum(1 for d in exc.diagnostics if d.severity == "error")
        click.echo(meta.get("spec_error_note") or f"{errors} error(s); nothing was run",
                   err=True)
    else:
        out.echo(f"error: {exc}", err=True)  # service texts among them: shown inert


def _write_crash_log() -> str:
    """The crash report, with the values of secret variables blanked (a token may be in an
    argument or in the exception's text)."""
    import tempfile
    import traceback

    from ..spec.envvars import redact  # only when crashing: start-up stays light

    text = (f"lapsefile {__version__}, python {sys.version}\n{time.ctime()}\n"
            + " ".join(sys.argv) + "\n\n" + traceback.format_exc())
    fd, path = tempfile.mkstemp(prefix="lapsefile-crash-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(redact(text, os.environ))
    return path
