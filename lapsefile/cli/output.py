"""How the CLI shows things: diagnostics, plans and progress as text or JSON.

Data goes to stdout, messages and progress to stderr, so `lapsefile plan --json > plan.json`
and pipes stay clean. Everything printed passes through ``lapsefile.terminal`` (:func:`echo`,
:func:`echo_json`, the event sinks), so escape sequences in a title, a file name or a message
from the service reach the terminal as visible text, never as commands.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TextIO

import click

from ..errors import Diagnostic
from ..events import Event
from ..plan.model import Plan, Step
from ..status import FailedStatus, StatusReport
from ..terminal import json_safe, printable

if TYPE_CHECKING:  # imported by the commands that need them: start-up stays light
    from ..checking import SpecCheck
    from ..preview import Preview

_MARKS = {"up_to_date": "=", "new": "+", "forced": "!", "upstream": "~"}


def echo(text: str, err: bool = False) -> None:
    """Print text for people (stdout, or stderr with ``err``), escape sequences made inert."""
    click.echo(printable(text), err=err)


def echo_json(data: Any) -> None:
    click.echo(json_safe(json.dumps(data, indent=2, ensure_ascii=False, default=str)))


MAX_DIAGNOSTICS = 50  # printed; the rest are counted (`--json` carries them all)


def diagnostics_text(diagnostics: Iterable[Diagnostic], limit: int = MAX_DIAGNOSTICS) -> str:
    """The diagnostics, at most ``limit`` of them, then how many more there are; printable
    as it is (the error boundary prints it without :func:`echo`)."""
    found = list(diagnostics)
    lines = [str(d) for d in found[:limit]]
    if len(found) > limit:
        lines.append(f"... and {len(found) - limit} more (fix these first, or use --json to "
                     "see them all)")
    return printable("\n".join(lines))


def step_line(step: Step, width: int) -> str:
    mark = _MARKS.get(step.reason.kind, "~")
    return f"  {mark} {step.id:<{width}}  {step.resource:<28}  {step.reason}"


def plan_text(plan: Plan, spec_name: str, show_instructions: bool = True) -> str:
    needed = len(plan.needed)
    lines = [f"Plan for {spec_name} (backend {plan.backend}): {len(plan.steps)} step(s), "
             f"{needed} to run" if needed else
             f"Plan for {spec_name} (backend {plan.backend}): everything is up to date"]
    width = max((len(s.id) for s in plan.steps), default=0)
    for step in plan.steps:
        lines.append(step_line(step, width))
        if show_instructions and step.instruction:
            lines.append(f"      \u201c{step.instruction}\u201d")
    lines += [f"  {cost}" for cost in cloud_costs(plan)]
    return "\n".join(lines)


def cloud_costs(plan: Plan) -> list[str]:
    """Per output: which paid instructions a run would send (exports are free)."""
    costs = []
    for output in dict.fromkeys(s.output for s in plan.steps):
        sent = [s for s in plan.for_output(output)
                if s.action == "instruct" and s.needed and s.params.get("mode") != "keep"]
        if not sent:
            continue
        kinds = ", ".join(f"{s.params.get('key')} ({s.params.get('mode', 'add')})" for s in sent)
        costs.append(f"{output}: {len(sent)} paid instruction(s): {kinds}; "
                     "credits per instruction are set by the service, exports are free")
    return costs


def report_text(report: dict[str, Any]) -> str:
    """The backend's closing figures: credits before and after."""
    before, after = report.get("credits_before"), report.get("credits_after")
    if after is None:
        return f"credits: {before:g} before the run (balance after it unavailable)"
    return (f"credits: {before:g} before, {after:g} after "
            f"({report.get('credits_spent', 0):g} spent)")


def status_text(report: StatusReport) -> str:
    """Per output: its state, the steps a run would take, and with --remote the timeline and
    the instructions' verdicts; then outputs only the lock still has."""
    lines = []
    for row in report.outputs:
        lines.append(f"{row.output}: {row.state} ({row.path}, backend {row.backend})")
        lines += [f"    {detail}" for detail in row.details]
        if row.failed is not None:
            lines.append(failed_line(row.failed, row.artifact is not None))
        if row.remote is None:
            continue
        if row.remote.timeline:
            lines.append(f"    {row.remote.timeline}")
        for item in row.remote.instructions:
            why = f": {'; '.join(item.unverified)}" if item.unverified else ""
            lines.append(f"    instruction {item.key}: {item.verdict}{why}")
    lines += [f"{orphan}: in the lock but no longer in the spec (removed at the next run)"
              for orphan in report.orphans]
    return "\n".join(lines)


def failed_line(failed: FailedStatus, has_file: bool) -> str:
    """The last failed attempt, and what the file on disk still is."""
    aim = "these settings" if failed.current else "settings since changed"
    kept = "; the existing file is still the one the recorded settings made" if has_file \
        else ""
    return f"    last attempt ({aim}) failed at {failed.at}: {failed.step}: {failed.error}{kept}"


class EventPrinter:
    """Renders events for people: step lines and a progress bar with ETA on stderr."""

    def __init__(self, stream: TextIO | None = None, verbose: bool = True):
        self.stream = stream or sys.stderr
        self.verbose = verbose
        self.tty = self.stream.isatty()
        self._started: dict[str, float] = {}
        self._finished: set[str] = set()
        self._shown: set[str] = set()  # labels with a line already printed (not on a TTY)
        self._last_line = time.monotonic()
        self._bar_open = False

    def __call__(self, event: Event) -> None:
        handler = getattr(self, f"_on_{event.kind}", None)
        if handler:
            handler(event)

    def _write(self, text: str) -> None:
        if self._bar_open:
            self.stream.write("\n")
            self._bar_open = False
        self.stream.write(printable(text) + "\n")
        self.stream.flush()

    def _on_step_start(self, e: Event) -> None:
        self._write(f"\u25b6 {e.step}: {e.data.get('resource', '')} ({e.data.get('reason', '')})")

    def _on_step_done(self, e: Event) -> None:
        self._write(f"\u2714 {e.step}")

    def _on_step_failed(self, e: Event) -> None:
        self._write(f"\u2718 {e.step}: {e.data.get('error', '')}")

    def _on_step_skip(self, e: Event) -> None:
        if self.verbose:
            self._write(f"= {e.step}: {e.data.get('reason', 'up to date')}")

    def _on_message(self, e: Event) -> None:
        prefix = "agent: " if e.data.get("source") == "agent" else ""
        self._write(f"  {prefix}{e.data.get('text', '')}")

    def _on_warning(self, e: Event) -> None:
        self._write(f"warning: {e.data.get('text', '')}")

    def _on_heartbeat(self, e: Event) -> None:
        elapsed = e.data.get("elapsed")
        what = e.data.get("text") or "still working"
        self._progress_line(f"  {what}{f' ({elapsed:.0f} s)' if elapsed else ''}...")

    def _on_progress(self, e: Event) -> None:
        label = str(e.data.get("label") or e.step or "")
        done, total = float(e.data.get("done", 0)), float(e.data.get("total") or 0)
        start = self._started.setdefault(label, time.monotonic())
        if total <= 0 or label in self._finished:
            return
        fraction = min(max(done / total, 0.0), 1.0)
        if fraction >= 1.0:
            self._finished.add(label)
        elapsed = time.monotonic() - start
        eta = elapsed * (1 - fraction) / fraction if fraction > 0.01 else None
        bar = "#" * int(fraction * 24)
        eta_text = f" ETA {int(eta // 60)}:{int(eta % 60):02d}" if eta is not None else ""
        self._progress_line(f"  {label} [{bar:<24}] {fraction * 100:5.1f}%{eta_text}",
                            label, final=fraction >= 1.0)

    def _progress_line(self, text: str, label: str = "", final: bool = False) -> None:
        now = time.monotonic()
        if self.tty:
            self.stream.write("\r" + printable(text).ljust(78))
            self._bar_open = not final
            if final:
                self.stream.write("\n")
            self.stream.flush()
        elif now - self._last_line >= 5.0 or (final and label in self._shown):
            # Logs and CI get a line every few seconds (and the end of what they saw start),
            # not a carriage-return stream; work that finished quickly stays silent.
            self._last_line = now
            self._shown.add(label)
            self._write(text)


class JsonLines:
    """Newline-delimited JSON events on stdout, for machines."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stdout

    def __call__(self, event: Event) -> None:
        self.stream.write(json_safe(json.dumps(event.to_dict(), ensure_ascii=False,
                                               default=str)) + "\n")
        self.stream.flush()


def quiet(event: Event) -> None:
    """Only failures reach the user; the error boundary prints them."""


def validation_text(check: SpecCheck) -> str:
    """The closing line of one spec's verdict (its problems are printed before it)."""
    summary = check.summary
    if not check.valid:
        errors = sum(1 for d in check.diagnostics if d.severity == "error")
        return f"{check.path}: {errors} error(s)"
    if "photos" not in summary:
        return f"{check.path}: valid (the spec alone), {len(summary['outputs'])} output(s)"
    return (f"{check.path}: valid. {summary['photos']} photos, {summary['duration']:g} s at "
            f"{summary['fps']:g} fps ({summary['hold']:.4g} s per photo), "
            f"{len(summary['outputs'])} output(s)")


def preview_text(result: Preview) -> str:
    """The files a preview wrote, and what it measured."""
    return "\n".join([
        f"contact sheet:   {result.contact_sheet} ({result.shown} of {result.photos} photos, "
        f"every {result.every})",
        f"brightness plot: {result.luminance_plot} (flicker {result.flicker_before:.2f}% as "
        f"shot, {result.flicker_after:.2f}% after the look)",
        f"poster frame:    {result.poster}",
        f"in {result.seconds:.2f} s"])
