"""``lapsefile preview`` and ``lapsefile watch``: looking at a project before rendering it."""

from __future__ import annotations

import click

from .boundary import LapsefileCommand
from .options import BACKEND_OPT, JSON_OPT, SPEC_ARG, json_mode


@click.command(cls=LapsefileCommand)
@SPEC_ARG
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Folder for the pictures (default .lapsefile/preview/ beside the spec).")
@click.option("--every", type=click.IntRange(min=1), default=None, metavar="N",
              help="Every Nth photo on the contact sheet (default: at most 60 photos).")
@JSON_OPT
def preview(spec: str, out_dir: str | None, every: int | None, as_json: bool) -> None:
    """Look before rendering: a contact sheet, a brightness plot and a poster frame.

    \b
    Examples:
      lapsefile preview
      lapsefile preview --every 10 --out /tmp/look
    """
    from ..preview import preview as make_preview
    from . import output as out

    json_mode(as_json)
    result = make_preview(spec, out_dir, every)
    if as_json:
        out.echo_json(result.to_dict())
        return
    out.echo(out.preview_text(result))


@click.command(cls=LapsefileCommand)
@SPEC_ARG
@BACKEND_OPT
def watch(spec: str, backend: str | None) -> None:
    """Re-plan and redraw a draft preview on every save of SPEC or change to its photos.

    Says what changed and what a run would redo, then rewrites the preview's contact sheet,
    brightness plot and poster (.lapsefile/preview/); the outputs and the lock are never
    touched. A spec with errors is reported and the watch goes on. Ctrl-C stops it.

    \b
    Examples:
      lapsefile watch
      lapsefile watch projects/dawn/lapse.yaml --backend nemo
    """
    from ..watching import watch as watch_spec
    from ..watching import watchfiles_source
    from . import output as out

    out.echo(f"watching {spec} and its photos; Ctrl-C to stop", err=True)
    watch_spec(spec, watchfiles_source(), lambda cycle: out.echo(out.watch_text(cycle, spec)),
               backend=backend)
