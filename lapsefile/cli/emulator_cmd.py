"""``lapsefile emulator``: serve the NemoVideo API emulator on loopback until Ctrl-C."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import LapsefileError
from .boundary import LapsefileCommand


@click.command(cls=LapsefileCommand)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port to listen on; 0 picks a free one (the URL is printed).")
@click.option("--faults", "faults_file", type=click.Path(dir_okay=False, path_type=Path),
              help="YAML or JSON fault plan: which calls fail, and how.")
@click.option("--sse-shape", type=click.Choice(["typed", "adk"]), default="typed",
              show_default=True, help="Event shape of /run_sse streams.")
@click.option("--render-shape", type=click.Choice(["flat", "wrapped"]), default="flat",
              show_default=True, help="Envelope of the render endpoints.")
@click.option("--upload-shape", type=click.Choice(["files", "uploaded_files"]), default="files",
              show_default=True, help="Upload answers list data.files or data.uploaded_files.")
@click.option("--error-statuses", type=click.Choice(["mapped", "ok"]), default="mapped",
              show_default=True,
              help="Business errors with a matching HTTP status (401, 404, ...) or always 200.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the agent's reproducible randomness.")
@click.option("--silent-close-rate", type=click.FloatRange(0, 1), default=0.3,
              show_default=True, help="Share of edits whose stream closes without any text.")
@click.option("--spurious-rate", type=click.FloatRange(0, 1), default=0.1, show_default=True,
              help='Share of answers followed by a spurious "temporary issue" message.')
@click.option("--partial-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Share of several-part instructions the agent applies only in part.")
@click.option("--approximate-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Share of instructions applied with times a frame off and percentages a "
                   "point off.")
@click.option("--draft-dialect", type=click.Choice(["classic", "camel", "opaque"]),
              default="classic", show_default=True,
              help="How /state spells the draft's segments (opaque: only documented keys).")
@click.option("--heartbeat", type=click.FloatRange(min=0.01), default=2.0, show_default=True,
              help="Seconds between heartbeats while the agent works.")
@click.option("--edit-delay", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="Seconds the agent works on an instruction before acting.")
@click.option("--render-delay", type=click.FloatRange(min=0), default=0.5, show_default=True,
              help="Seconds per export progress step.")
@click.option("--credits", "initial_credits", type=click.IntRange(min=0), default=100,
              show_default=True, help="Credits of each new anonymous user.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Keep uploads and renders here (default: a temp folder removed on exit).")
@click.pass_context
def emulator(ctx: click.Context, host: str, port: int, faults_file: Path | None, sse_shape: str,
             render_shape: str, upload_shape: str, error_statuses: str, seed: int,
             silent_close_rate: float, spurious_rate: float, partial_rate: float,
             approximate_rate: float, draft_dialect: str, heartbeat: float,
             edit_delay: float, render_delay: float, initial_credits: int,
             data_dir: Path | None) -> None:
    """Serve an emulator of the NemoVideo cloud API on HOST:PORT until Ctrl-C.

    The base URL is printed as the first line of standard output. Point lapsefile at it with
    NEMO_API_URL=<url> (or --api-url <url>) and run with --backend nemo. Exports are rendered
    locally with ffmpeg; no credits are spent anywhere.

    \b
    Example:
      lapsefile emulator --port 8765 &
      NEMO_API_URL=http://127.0.0.1:8765 lapsefile run --backend nemo
    """
    _require_server_packages()
    from ..emulator.config import EmulatorConfig
    from ..emulator.faults import FaultPlan
    from ..emulator.server import serve_forever

    # A bad fault plan is a SpecError: the boundary prints its diagnostics, then this.
    ctx.meta["spec_error_note"] = "the fault plan is invalid; the emulator did not start"
    plan = FaultPlan.from_file(faults_file) if faults_file else FaultPlan()
    config = EmulatorConfig(
        host=host, port=port, sse_shape=sse_shape, render_shape=render_shape,  # type: ignore[arg-type]
        upload_shape=upload_shape, error_statuses=error_statuses,  # type: ignore[arg-type]
        seed=seed, silent_close_rate=silent_close_rate, spurious_issue_rate=spurious_rate,
        partial_rate=partial_rate, approximate_rate=approximate_rate,
        draft_dialect=draft_dialect,  # type: ignore[arg-type]
        heartbeat_interval=heartbeat, edit_delay=edit_delay, render_delay=render_delay,
        initial_credits=initial_credits, faults=plan, data_dir=data_dir, log_level="warning")

    def ready(url: str) -> None:
        click.echo(url)
        click.echo(f"NemoVideo API emulator at {url} ({len(plan.rules)} fault rule(s)); use it "
                   f"with NEMO_API_URL={url}. Ctrl-C stops it.", err=True)

    try:
        serve_forever(config, on_ready=ready)
    except OSError as exc:
        raise LapsefileError(f"the emulator could not start on {host}:{port}: {exc}") from exc
    except KeyboardInterrupt:
        # Ctrl-C is how the emulator is meant to stop, not a failure for the boundary.
        click.echo("emulator stopped", err=True)
        ctx.exit(130)
    click.echo("emulator stopped", err=True)


# The web server the emulator runs on is an extra: most users never start it.
SERVER_PACKAGES = ("starlette", "uvicorn", "multipart")


def _require_server_packages() -> None:
    """Stop with the install command when the emulator's extra is missing."""
    import importlib.util

    missing = [name for name in SERVER_PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        raise LapsefileError(
            f"the emulator needs packages that are not installed ({', '.join(missing)}); "
            "install them with: pip install 'lapsefile[emulator]'")
