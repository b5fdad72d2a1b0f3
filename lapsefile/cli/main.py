"""The command line: parse, call the library, render text or JSON, map errors to exit codes.

Exit codes: 0 success, 1 user or remote error (clear message, no traceback), 2 usage error,
3 internal error (a crash log is written and named), 130 interrupted.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..errors import LapsefileError, SpecError
from ..events import Emit, Event
from ..runner import prepare, run_project
from ..scaffold import scaffold
from ..spec.model import BackendName
from . import output as out

SPEC_ARG = click.argument("spec", default="lapse.yaml", type=click.Path(dir_okay=False))
JSON_OPT = click.option("--json", "as_json", is_flag=True, help="Print data as JSON.")
# click.Choice passes one of these names or None: the commands take it as a BackendName.
BACKEND_OPT = click.option("--backend", type=click.Choice(["local", "nemo"]), default=None,
                           help="Override the spec's backend.")
API_OPT = click.option("--api-url", envvar="NEMO_API_URL", default=None,
                       help="Cloud API base URL (env NEMO_API_URL); e.g. a local emulator.")


class LapsefileGroup(click.Group):
    """The single error boundary: every command's failures are mapped here."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LapsefileError as exc:
            _report_error(ctx, exc)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted; the lock holds every finished step, run again to resume",
                       err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception:  # noqa: BLE001 - the boundary for bugs: log, don't dump on users
            log = _write_crash_log()
            click.echo(f"internal error: lapsefile crashed; details are in {log}. Please "
                       "report it with that file.", err=True)
            ctx.exit(3)


def _report_error(ctx: click.Context, exc: LapsefileError) -> None:
    if ctx.meta.get("json"):
        # One line: after `run --json` events it is the last record of an NDJSON stream.
        click.echo(json.dumps(exc.to_dict(), ensure_ascii=False, default=str))
    if isinstance(exc, SpecError):
        click.echo(out.diagnostics_text(exc.diagnostics), err=True)
        errors = sum(1 for d in exc.diagnostics if d.severity == "error")
        click.echo(f"{errors} error(s); nothing was run", err=True)
    else:
        click.echo(f"error: {exc}", err=True)


def _write_crash_log() -> str:
    fd, path = tempfile.mkstemp(prefix="lapsefile-crash-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(f"lapsefile {__version__}, python {sys.version}\n{time.ctime()}\n")
        fh.write(" ".join(sys.argv) + "\n\n")
        traceback.print_exc(file=fh)
    return path


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
        click.echo(out.diagnostics_text(warnings), err=True)


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
    click.echo(f"wrote {target}: {proposal.photos} photos in {proposal.folder}/, "
               f"{proposal.duration:g} s at {proposal.fps} fps")
    click.echo(f"next: lapsefile run {target}", err=True)


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
    click.echo(f"{spec}: valid. {timing.photo_count} photos, {timing.duration:g} s at "
               f"{timing.fps:g} fps ({timing.hold:.4g} s per photo), "
               f"{len(project.spec.outputs)} output(s)")


@cli.command()
@SPEC_ARG
@JSON_OPT
@BACKEND_OPT
@click.option("--force", is_flag=True, help="Plan as if every (selected) output must be redone.")
@click.option("--only", multiple=True, metavar="OUTPUT", help="Only this output (repeatable).")
def plan(spec: str, as_json: bool, backend: BackendName | None, force: bool,
         only: tuple[str, ...]) -> None:
    """Show the steps a run would take, and why."""
    _json_mode(as_json)
    prepared = prepare(spec, backend=backend, force=force, only=only or None)
    if as_json:
        out.echo_json({**prepared.plan.to_dict(),
                       "warnings": [w.to_dict() for w in prepared.warnings]})
        return
    _print_warnings(prepared.warnings, as_json)
    click.echo(out.plan_text(prepared.plan, spec))


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
def run(spec: str, backend: BackendName | None, locked: bool, force: bool, dry_run: bool,
        only: tuple[str, ...], as_json: bool, quiet: bool, api_url: str | None,
        ffmpeg: str | None, instruction_timeout: float | None,
        render_timeout: float | None) -> None:
    """Make every output of SPEC, skipping what the lock shows is done."""
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
        click.echo(out.plan_text(summary.plan, spec))
    elif not quiet:
        click.echo("up to date: nothing to do" if summary.up_to_date
                   else f"done: {len(summary.executed)} step(s) run", err=True)
        if summary.report:
            click.echo(out.report_text(summary.report), err=True)


@cli.command()
@SPEC_ARG
@JSON_OPT
@BACKEND_OPT
@click.option("--remote", is_flag=True, help="Also show each cloud session's timeline.")
@API_OPT
def status(spec: str, as_json: bool, backend: BackendName | None, remote: bool,
           api_url: str | None) -> None:
    """Compare SPEC with its lock: what is up to date, what changed."""
    _json_mode(as_json)
    prepared = prepare(spec, backend=backend)
    rows = _status_rows(prepared)
    if remote:
        from ..backends.nemo import timeline_summary

        options = {"api_url": api_url} if api_url else {}
        for row in rows:
            sid = row.get("session_id")
            row["instructions"] = _verdicts(prepared.lock.outputs.get(row["output"], {}))
            try:
                row["timeline"] = timeline_summary(sid, options) if sid else None
            except LapsefileError as exc:
                # One lost session or an unreachable service must not hide the local status.
                first = (str(exc).splitlines() or [type(exc).__name__])[0]
                row["timeline"] = f"timeline unavailable: {first}"
    if as_json:
        out.echo_json({"outputs": rows})
        return
    for row in rows:
        click.echo(f"{row['output']}: {row['state']} ({row['path']}, backend {row['backend']})")
        for detail in row["details"]:
            click.echo(f"    {detail}")
        if row.get("timeline"):
            click.echo(f"    {row['timeline']}")
        for item in row.get("instructions", []):
            why = f": {'; '.join(item['unverified'])}" if item["unverified"] else ""
            click.echo(f"    instruction {item['key']}: {item['verdict']}{why}")
    lock = prepared.lock
    for orphan in sorted(set(lock.outputs) - {r["output"] for r in rows}):
        click.echo(f"{orphan}: in the lock but no longer in the spec (removed at the next run)")


def _verdicts(recorded: dict[str, Any]) -> list[dict[str, Any]]:
    """Each cloud instruction's verdict from the lock: confirmed, unverifiable or missing."""
    found = []
    for record in recorded.get("steps", {}).values():
        removed = record.get("mode") == "remove" and record.get("instruction") == "confirmed"
        if record.get("key") and "instruction" in record and not removed:
            found.append({"key": record["key"], "mode": record.get("mode", "add"),
                          "verdict": record.get("verdict") or (
                              "not checked yet" if record.get("instruction") != "confirmed"
                              else "confirmed"),
                          "unverified": record.get("unverified", [])})
    return found


def _status_rows(prepared: Any) -> list[dict[str, Any]]:
    rows = []
    for output in prepared.project.spec.outputs:
        steps = prepared.plan.for_output(output.name)
        needed = [s for s in steps if s.needed]
        recorded = prepared.lock.outputs.get(output.name, {})
        session = recorded.get("steps", {}).get(f"{output.name}/session", {})
        rows.append({
            "output": output.name, "path": output.path, "backend": prepared.plan.backend,
            "state": "up to date" if not needed else ("not made yet" if not recorded
                                                       else "out of date"),
            "details": [f"{s.id}: {s.reason}" for s in needed],
            "artifact": next((r.get("artifact") for r in recorded.get("steps", {}).values()
                              if r.get("artifact")), None),
            "session_id": session.get("session_id"),
        })
    return rows


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
