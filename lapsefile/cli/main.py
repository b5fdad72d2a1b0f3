"""The command line: parse, call the library, render text or JSON, map errors to exit codes.

Exit codes: 0 success, 1 user or remote error (clear message, no traceback), 2 usage error,
3 internal error (a crash log is written and named), 130 interrupted.
"""

from __future__ import annotations

import signal
from pathlib import Path

import click

from .. import __version__
from ..backends import registry
from ..events import Emit, Event
from ..runner import prepare, run_project
from ..scaffold import scaffold
from ..status import status as status_of
from . import output as out
from .boundary import LapsefileCommand, LapsefileGroup

__all__ = ["cli", "main", "LapsefileCommand", "LapsefileGroup"]

SPEC_ARG = click.argument("spec", default="lapse.yaml", type=click.Path(dir_okay=False))
JSON_OPT = click.option("--json", "as_json", is_flag=True, help="Print data as JSON.")
# The registry's names: the built-in backends and any installed plug-in.
BACKEND_OPT = click.option("--backend", type=click.Choice(registry.names()), default=None,
                           help="Override the spec's backend.")
API_OPT = click.option("--api-url", envvar="NEMO_API_URL", default=None,
                       help="Cloud API base URL (env NEMO_API_URL); e.g. a local emulator.")


def _json_mode(as_json: bool) -> None:
    click.get_current_context().meta["json"] = as_json


def _sink(as_json: bool, quiet: bool, verbose: bool = True) -> Emit:
    if as_json:
        return out.JsonLines()
    if quiet:
        return out.quiet
    return out.EventPrinter(verbose=verbose)


def _print_warnings(warnings: list, as_json: bool) -> None:
    if warnings and not as_json:
        out.echo(out.diagnostics_text(warnings), err=True)


@click.group(cls=LapsefileGroup)
@click.version_option(__version__, prog_name="lapsefile")
def cli() -> None:
    """Turn a folder of sequential photos into a timelapse video, from a lapse.yaml."""


@cli.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False, exists=True))
@click.option("--force", is_flag=True, help="Replace an existing lapse.yaml.")
def init(folder: str, force: bool) -> None:
    """Write a starting lapse.yaml for the photos in FOLDER."""
    target, proposal = scaffold(Path(folder), overwrite=force)
    out.echo(f"wrote {target}: {proposal.photos} photos in {proposal.folder}/, "
             f"{proposal.duration:g} s at {proposal.fps} fps")
    out.echo(f"next: lapsefile run {target}", err=True)


@cli.command()
@SPEC_ARG
@JSON_OPT
def validate(spec: str, as_json: bool) -> None:
    """Check SPEC and the files it points at; print every problem at once."""
    _json_mode(as_json)
    prepared = prepare(spec)
    project, timing = prepared.project, prepared.project.timing
    if as_json:
        out.echo_json({"valid": True, "photos": timing.photo_count, "fps": timing.fps,
                       "duration": timing.duration, "hold": timing.hold,
                       "outputs": [o.name for o in project.spec.outputs],
                       "warnings": [w.to_dict() for w in prepared.warnings]})
        return
    _print_warnings(prepared.warnings, as_json)
    out.echo(f"{spec}: valid. {timing.photo_count} photos, {timing.duration:g} s at "
             f"{timing.fps:g} fps ({timing.hold:.4g} s per photo), "
             f"{len(project.spec.outputs)} output(s)")


@cli.command()
@SPEC_ARG
@JSON_OPT
@BACKEND_OPT
@click.option("--force", is_flag=True, help="Plan as if every (selected) output must be redone.")
@click.option("--only", multiple=True, metavar="OUTPUT", help="Only this output (repeatable).")
def plan(spec: str, as_json: bool, backend: str | None, force: bool,
         only: tuple[str, ...]) -> None:
    """Show the steps a run would take, and why."""
    _json_mode(as_json)
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
@click.option("--only", multiple=True, metavar="OUTPUT", help="Only this output (repeatable).")
@JSON_OPT
@click.option("--quiet", "-q", is_flag=True, help="No progress; errors only.")
@API_OPT
@click.option("--ffmpeg", envvar="LAPSEFILE_FFMPEG", default=None,
              help="ffmpeg binary to use (env LAPSEFILE_FFMPEG).")
@click.option("--instruction-timeout", type=click.FloatRange(min=1), default=None,
              metavar="SECONDS", help="Cloud: longest wait for one instruction (default 300).")
@click.option("--render-timeout", type=click.FloatRange(min=1), default=None,
              metavar="SECONDS", help="Cloud: longest wait for one export (default 900).")
def run(spec: str, backend: str | None, locked: bool, force: bool, dry_run: bool,
        only: tuple[str, ...], as_json: bool, quiet: bool, api_url: str | None,
        ffmpeg: str | None, instruction_timeout: float | None,
        render_timeout: float | None) -> None:
    """Make every output of SPEC, skipping what the lock shows is done."""
    if locked and force:
        # Contradictory options are a usage error (click's exit 2), found before any work.
        raise click.UsageError("--locked and --force cannot be used together: --locked "
                               "fails unless the lock is up to date, --force redoes outputs "
                               "that are; drop one of them")
    _json_mode(as_json)
    given = {"api_url": api_url, "ffmpeg": ffmpeg, "instruction_timeout": instruction_timeout,
             "render_timeout": render_timeout}
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
        out.echo("up to date: nothing to do" if summary.up_to_date
                 else f"done: {len(summary.executed)} step(s) run", err=True)
        if summary.report:
            out.echo(out.report_text(summary.report), err=True)


@cli.command()
@SPEC_ARG
@JSON_OPT
@BACKEND_OPT
@click.option("--remote", is_flag=True, help="Also show each cloud session's timeline.")
@API_OPT
def status(spec: str, as_json: bool, backend: str | None, remote: bool,
           api_url: str | None) -> None:
    """Compare SPEC with its lock: what is up to date, what changed."""
    _json_mode(as_json)
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
    """Print the JSON Schema of lapse.yaml."""
    from ..spec import schema_text

    click.echo(schema_text(), nl=False)


def _register_cloud_commands() -> None:
    # Defined beside the code they drive; imported here so `lapsefile --help` lists them.
    from .emulator_cmd import emulator
    from .nemo_cmds import credits

    cli.add_command(credits)
    cli.add_command(emulator)


_register_cloud_commands()


def _stop_on_terminate(signum: int, frame: object) -> None:
    # SIGTERM (a closed terminal, a CI timeout, `kill`) must take the Ctrl-C path, which stops
    # ffmpeg and removes its temp file; by default Python would die and leave ffmpeg running.
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGTERM, _stop_on_terminate)
    cli(prog_name="lapsefile")


if __name__ == "__main__":
    main()
