"""``lapsefile credits``: the NemoVideo credit balance (never shows the token)."""

from __future__ import annotations

import json
from typing import Any

import click

from .boundary import LapsefileCommand


@click.command(cls=LapsefileCommand)
@click.option("--json", "as_json", is_flag=True, help="Print the balance as JSON.")
@click.option("--api-url", envvar="NEMO_API_URL", default=None,
              help="Cloud API base URL (env NEMO_API_URL); e.g. a local emulator.")
@click.pass_context
def credits(ctx: click.Context, as_json: bool, api_url: str | None) -> None:
    """Show the NemoVideo credits: available, frozen by running jobs, total.

    \b
    Example:
      lapsefile credits --json
    """
    from ..backends.nemo import credits as fetch_credits
    from . import output as out

    ctx.meta["json"] = as_json  # a failure is printed by the boundary, as JSON too
    balance = fetch_credits({"api_url": api_url} if api_url else {})
    if as_json:
        click.echo(json.dumps(balance, indent=2, sort_keys=True))
    else:
        out.echo(credits_text(balance))  # the register URL comes from the service


def credits_text(balance: dict[str, Any]) -> str:
    lines = [f"available: {balance['available']:g} credits (frozen: {balance['frozen']:g}, "
             f"total: {balance['total']:g})"]
    if balance.get("anonymous"):
        lines.append("account: anonymous (credits are tied to this machine's client id)")
        if balance.get("register_url"):
            lines.append(f"register to keep them and get more: {balance['register_url']}")
    else:
        lines.append("account: registered (token from NEMO_TOKEN); top up on nemovideo.com")
    return "\n".join(lines)
