"""The command line: parse, call the library, render text or JSON, map errors to exit codes.

Exit codes: 0 success, 1 user or remote error (clear message, no traceback), 2 usage error,
3 internal error (a crash log is written and named), 130 interrupted.
"""

from __future__ import annotations

import gc
import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import __version__
from ..errors import LapsefileError, SpecError
from ..events import Event
from ..executors import NAMES as EXECUTORS
from ..executors import SCHEDULER_ENV
from .boundary import HELP_OPTIONS, LapsefileCommand, LapsefileGroup
from .options import BACKEND_OPT, JSON_OPT, SPEC_ARG, json_mode

if TYPE_CHECKING:
    from ..events import Emit

# The library behind each command, and `output` (what only commands that print need), are
# imported inside it, so that `--version`, `schema` and completion start in a few hundredths
# of a second (tests/cli/test_startup_imports.py).

__all__ = ["cli", "main", "LapsefileCommand", "LapsefileGroup"]



def _complete_outputs(ctx: click.Context, param: click.Parameter,
                      incomplete: str) -> list[str]:
    """Shell completion of ``--only``: the output names of the spec on the command line (the
    spec alone is read, quietly: a broken spec completes nothing)."""
    from ..spec import load_spec_with_warnings

    try:
        spec, _ = load_spec_with_warnings(ctx.params.get("spec") or "lapse.yaml", disk=False)
    except Exception:  # noqa: BLE001 - completion must never print a traceback into a shell
        return []
    return [o.name for o in spec.outputs if o.name.startswith(incomplete)]


ONLY_OPT = click.option("--only", multiple=True, metavar="OUTPUT",
                        shell_complete=_complete_outputs,
                        help="Only this output (repeatable).")
API_OPT = click.option("--api-url", envvar="NEMO_API_URL", default=None,
                       help="Cloud API base URL (env NEMO_API_URL); e.g. a local emulator.")




def _sink(as_json: bool, quiet: bool, verbose: bool = True) -> Emit:
    from . import output as out

    if as_json:
        return out.JsonLines()
    if quiet:
        return out.quiet
    return out.EventPrinter(verbose=verbose)


def _print_warnings(warnings: list, as_json: bool) -> None:
    from . import output as out

    if warnings and not as_json:
        out.echo(out.diagnostics_text(warnings), err=True)


@click.group(cls=LapsefileGroup, context_settings=HELP_OPTIONS)
@click.version_option(__version__, prog_name="lapsefile")
def cli() -> None:
    """Turn a folder of sequential photos into a timelapse video, from a lapse.yaml.

    \b
    Start:
      lapsefile init photos/      write a lapse.yaml for the photos in photos/
      lapsefile run               make the videos it describes
    """


@cli.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False, exists=True))
@click.option("--force", is_flag=True, help="Replace an existing lapse.yaml.")
def init(folder: str, force: bool) -> None:
    """Write a starting lapse.yaml for the photos in FOLDER.

    \b
    Examples:
      lapsefile init
      lapsefile init ~/Pictures/sunset --force
    """
    from ..scaffold import scaffold
    from . import output as out

    made = scaffold(Path(folder), overwrite=force)
    out.echo(out.init_text(made))
    out.echo(f"next: lapsefile preview {made.spec}, then lapsefile run {made.spec}", err=True)


@cli.command()
@click.argument("specs", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--schema-only", is_flag=True,
              help="Check each spec alone, not the photos and files it names (they are often "
                   "not committed: for pre-commit and CI).")
@JSON_OPT
def validate(specs: tuple[str, ...], schema_only: bool, as_json: bool) -> None:
    """Check SPECS (default lapse.yaml) and the files they point at; print every problem.

    \b
    Examples:
      lapsefile validate
      lapsefile validate projects/*/lapse.yaml --schema-only
    """
    from ..checking import check_specs
    from . import output as out

    json_mode(as_json)
    checks = check_specs(specs or ("lapse.yaml",), schema_only=schema_only)
    if len(checks) == 1 and not checks[0].valid:
        raise SpecError(list(checks[0].diagnostics))  # as one spec always was: the boundary
    if as_json:
        out.echo_json(checks[0].to_dict() if len(checks) == 1 else
                      {"valid": all(c.valid for c in checks),
                       "specs": [c.to_dict() for c in checks]})
    else:
        for check in checks:
            if check.diagnostics:
                out.echo(out.diagnostics_text(list(check.diagnostics)), err=True)
            out.echo(out.validation_text(check), err=not check.valid)
    failed = sum(1 for c in checks if not c.valid)
    if failed:
        raise LapsefileError(f"{failed} of {len(checks)} specs are not valid")


@cli.command()
@SPEC_ARG
@JSON_OPT
@BACKEND_OPT
@click.option("--force", is_flag=True, help="Plan as if every (selected) output must be redone.")
@ONLY_OPT
def plan(spec: str, as_json: bool, backend: str | None, force: bool,
         only: tuple[str, ...]) -> None:
    """Show the steps a run would take, and why.

    \b
    Examples:
      lapsefile plan
      lapsefile plan --only vertical --json
    """
    from ..runner import prepare
    from . import output as out

    json_mode(as_json)
    prepared = prepare(spec, backend=backend, force=force, only=only or None)
    if as_json:
        out.echo_json({**prepared.plan.to_dict(),
                       "warnings": [w.to_dict() for w in prepared.warnings]})
        return
    _print_warnings(prepared.warnings, as_json)
    out.echo(out.plan_text(prepared.plan, spec))


@cli.command()
@SPEC_ARG
@BACKEND_OPT
@click.option("--locked", is_flag=True, help="Fail if the lock is out of date (CI gate).")
@click.option("--force", is_flag=True, help="Redo every selected output even if up to date.")
@click.option("--dry-run", is_flag=True, help="Plan and stop.")
@ONLY_OPT
@JSON_OPT
@click.option("--quiet", "-q", is_flag=True, help="No progress; errors only.")
@API_OPT
@click.option("--ffmpeg", envvar="LAPSEFILE_FFMPEG", default=None,
              help="ffmpeg binary to use (env LAPSEFILE_FFMPEG).")
@click.option("--instruction-timeout", type=click.FloatRange(min=1), default=None,
              metavar="SECONDS", help="Cloud: longest wait for one instruction (default 300).")
@click.option("--render-timeout", type=click.FloatRange(min=1), default=None,
              metavar="SECONDS", help="Cloud: longest wait for one export (default 900).")
@click.option("--executor", type=click.Choice(EXECUTORS), default=None,
              help="Where the chunks of outputs cut by render.chunks are encoded: local (this "
                   "machine's cores, the default) or dask (a Dask cluster).")
@click.option("--scheduler", envvar=SCHEDULER_ENV, default=None, metavar="ADDRESS",
              help=f"With --executor dask: the scheduler, e.g. tcp://host:8786 (env "
                   f"{SCHEDULER_ENV}); without it a LocalCluster runs on this machine.")
@click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
              help="Chunks encoded at once on this machine (default: one per core); with "
                   "--executor dask and no scheduler, the LocalCluster's worker processes.")
@click.option("--draft", is_flag=True,
              help="Render every output as a quick draft (its own size, decoded small, a fast "
                   "preset) into .lapsefile/preview/drafts/, on this machine; the real outputs "
                   "and lapse.lock are not touched.")
def run(spec: str, backend: str | None, locked: bool, force: bool, dry_run: bool,
        only: tuple[str, ...], as_json: bool, quiet: bool, api_url: str | None,
        ffmpeg: str | None, instruction_timeout: float | None,
        render_timeout: float | None, executor: str | None, scheduler: str | None,
        workers: int | None, draft: bool) -> None:
    """Make every output of SPEC, skipping what the lock shows is done.

    \b
    Examples:
      lapsefile run
      lapsefile run --only vertical --force
      lapsefile run --locked          # in CI: fail if anything is out of date
      lapsefile run --backend nemo    # render in the cloud
      lapsefile run --draft           # a quick look: drafts in .lapsefile/preview/drafts/
      lapsefile run --executor dask --scheduler tcp://10.0.0.5:8786
    """
    from ..runner import run_project
    from . import output as out

    if locked and force:
        # Contradictory options are a usage error (click's exit 2), found before any work.
        raise click.UsageError("--locked and --force cannot be used together: --locked "
                               "fails unless the lock is up to date, --force redoes outputs "
                               "that are; drop one of them")
    source = click.get_current_context().get_parameter_source("scheduler")
    if scheduler and source == click.core.ParameterSource.COMMANDLINE and executor != "dask":
        raise click.UsageError("--scheduler names a Dask scheduler: add --executor dask")
    json_mode(as_json)
    if draft:
        _check_draft_options(backend, locked=locked, force=force, dry_run=dry_run)
        _run_drafts(spec, only, as_json, quiet, ffmpeg)
        return
    given = {"api_url": api_url, "ffmpeg": ffmpeg, "instruction_timeout": instruction_timeout,
             "render_timeout": render_timeout, "executor": executor, "scheduler": scheduler,
             "workers": workers}
    options = {k: v for k, v in given.items() if v}
    summary = run_project(spec, backend=backend, force=force, locked=locked, dry_run=dry_run,
                          only=only or None, options=options, emit=_sink(as_json, quiet))
    if as_json:
        out.JsonLines()(Event("summary", None, summary.to_dict()))
        return
    _print_warnings(summary.warnings, as_json)
    if dry_run:
        out.echo(out.plan_text(summary.plan, spec))
    elif not quiet:
        if summary.outputs:
            out.echo(out.made_text(summary.outputs), err=True)
        out.echo("up to date: nothing to do" if summary.up_to_date
                 else f"done: {len(summary.executed)} step(s) run in "
                      f"{out.seconds_text(summary.elapsed)}", err=True)
        if summary.report:
            out.echo(out.report_text(summary.report), err=True)


def _check_draft_options(backend: str | None, **given: bool) -> None:
    """``--draft`` renders locally and records nothing: options about the lock or another
    backend contradict it (a usage error, exit 2, before any work)."""
    if backend and backend != "local":
        # Refused rather than quietly rendered here: the cloud was asked for by name, and a
        # cloud draft would spend credits and need lock records, which drafts never write.
        raise click.UsageError(f"--draft renders on this machine (free, nothing recorded): it "
                               f"cannot be combined with --backend {backend}; drop one of them")
    clashing = [f"--{name.replace('_', '-')}" for name, on in given.items() if on]
    if clashing:
        verb = "means" if len(clashing) == 1 else "mean"
        raise click.UsageError(f"--draft always renders every selected output and records "
                               f"nothing in lapse.lock: {' and '.join(clashing)} {verb} "
                               "nothing with it; drop it")


def _run_drafts(spec: str, only: tuple[str, ...], as_json: bool, quiet: bool,
                ffmpeg: str | None) -> None:
    from ..drafts import run_drafts
    from . import output as out

    made = run_drafts(spec, only=only or None, options={"ffmpeg": ffmpeg} if ffmpeg else {},
                      emit=_sink(as_json, quiet))
    if as_json:
        out.JsonLines()(Event("summary", None, made.to_dict()))
        return
    _print_warnings(made.warnings, as_json)
    if not quiet:
        out.echo(out.made_text(made.outputs), err=True)
        out.echo(f"done: {len(made.outputs)} draft(s) in {out.seconds_text(made.elapsed)} "
                 "(the real outputs and lapse.lock are untouched)", err=True)


@cli.command()
@SPEC_ARG
@JSON_OPT
@BACKEND_OPT
@click.option("--remote", is_flag=True, help="Also show each cloud session's timeline.")
@API_OPT
def status(spec: str, as_json: bool, backend: str | None, remote: bool,
           api_url: str | None) -> None:
    """Compare SPEC with its lock: what is up to date, what changed.

    \b
    Examples:
      lapsefile status
      lapsefile status --remote --backend nemo --json
    """
    from ..status import status as status_of
    from . import output as out

    json_mode(as_json)
    report = status_of(spec, backend=backend, remote=remote,
                       options={"api_url": api_url} if api_url else {})
    if as_json:
        out.echo_json(report.to_dict())
        return
    text = out.status_text(report)
    if text:
        out.echo(text)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of lapse.yaml.

    \b
    Example:
      lapsefile schema > lapse.schema.json
    """
    from ..spec import schema_text

    click.echo(schema_text(), nl=False)


def _register_commands() -> None:
    # Defined in their own modules (main.py holds the core ones); added here so
    # `lapsefile --help` lists them.
    from .emulator_cmd import emulator
    from .nemo_cmds import credits
    from .preview_cmds import preview, watch

    for command in (preview, watch, credits, emulator):
        cli.add_command(command)


_register_commands()


def _stop_on_terminate(signum: int, frame: object) -> None:
    # SIGTERM (a closed terminal, a CI timeout, `kill`) must take the Ctrl-C path, which stops
    # ffmpeg and removes its temp file; by default Python would die and leave ffmpeg running.
    raise KeyboardInterrupt


# Objects allocated before the cyclic garbage collector looks at the young ones (Python's
# default: 700). Most commands end within a fraction of a second, and most of what they
# allocate is the layers they import, alive until the end: at 700 the collector walked those
# again and again (2 ms of a `validate` checked afresh) to free nothing. Garbage in reference
# cycles waits a little longer; everything else is freed at once, as always.
YOUNG_OBJECTS = 10_000


def main() -> None:
    """The ``lapsefile`` command: runs one command, then the process ends."""
    signal.signal(signal.SIGTERM, _stop_on_terminate)
    # numpy (byte searches when hashing, simplejpeg's frames) loads OpenBLAS, which starts a
    # thread per core that spins about 0.1 s before sleeping: 0.05-0.08 s of CPU taken from the
    # hashing or decoding threads starting at that moment. lapsefile multiplies no matrices;
    # the command owns its process, so it says so (a user's own setting wins).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    gc.set_threshold(YOUNG_OBJECTS, *gc.get_threshold()[1:])
    try:
        cli(prog_name="lapsefile")
    finally:
        _ending()


def _ending() -> None:
    """The process ends: the cyclic garbage collector is told to leave alone what exists.

    At exit Python runs full collections over every object still alive: each module, class
    and function lapsefile imported, none of them garbage (10 ms of a `validate` that planned,
    more than its check). Freezing them skips that; the OS takes the memory back. Nothing
    waits on those collections: every file is written and closed by the command that wrote
    it (``atomic.py``), atexit handlers and the flush of stdout and stderr still run, and
    objects outside reference cycles are still released as the modules are torn down.
    """
    gc.freeze()


if __name__ == "__main__":
    main()
