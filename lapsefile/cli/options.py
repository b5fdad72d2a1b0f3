"""Arguments and options several commands share, declared once."""

from __future__ import annotations

import click

SPEC_ARG = click.argument("spec", default="lapse.yaml", type=click.Path(dir_okay=False))
JSON_OPT = click.option("--json", "as_json", is_flag=True, help="Print data as JSON.")


class _BackendChoice(click.Choice):
    """The registry's names (the built-in backends and any installed plug-in), looked up
    when an option is parsed or help is shown, not when the CLI is imported: the registry
    reads the installed entry points, which every command would otherwise pay for."""

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        from ..backends import registry

        return registry.names()

    @choices.setter
    def choices(self, value: object) -> None:
        pass  # always the registry's


BACKEND_OPT = click.option("--backend", type=_BackendChoice(), default=None,
                           help="Override the spec's backend.")


def json_mode(as_json: bool) -> None:
    """Tell the error boundary to report a failure as JSON too (``ctx.meta["json"]``)."""
    click.get_current_context().meta["json"] = as_json
