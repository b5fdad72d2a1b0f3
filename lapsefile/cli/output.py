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
from ..plan.step_ids import output_of  # plain strings: light
from ..terminal import json_safe, printable
from .progress import LiveLines

if TYPE_CHECKING:  # imported by the commands that need them: start-up stays light
    from ..checking import SpecCheck
    from ..made import OutputMade
    from ..plan.model import Plan, Step
    from ..preview import Preview
    from ..scaffold import Scaffold
    from ..status import FailedStatus, StatusReport
    from ..watching import Cycle

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


def seconds_text(seconds: float) -> str:
    """0.42 -> "0.4 s", 75 -> "1 min 15 s"."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def bytes_text(size: int) -> str:
    """1234567 -> "1.2 MB" (decimal units, as file managers show them)."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def made_text(outputs: Iterable[OutputMade]) -> str:
    """The closing summary: per output its file, duration, size, file size and how long it
    took to make; a size or duration not read from the file is marked "planned"."""
    lines = []
    for made in outputs:
        size = bytes_text(made.bytes) if made.bytes is not None else "missing"
        planned = "" if made.probed else " (planned)"
        took = f", made in {seconds_text(made.seconds)}" if made.seconds is not None else ""
        lines.append(f"  {made.output}: {made.path}  {made.duration:g} s, "
                     f"{made.width}x{made.height}{planned}, {size}{took}")
    return "\n".join(lines)


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
    """Renders events for people on stderr: step lines, and one live line per step in
    progress (a bar with ETA, and what a cloud wait waits for): see ``cli/progress.py``."""

    def __init__(self, stream: TextIO | None = None, verbose: bool = True):
        self.stream = stream or sys.stderr
        self.verbose = verbose
        self.tty = self.stream.isatty()
        self._live = LiveLines(self.stream, self.tty)
        self._started: dict[str, float] = {}
        self._finished: dict[str, str] = {}  # key -> the label it finished with
        self._bars: dict[str, tuple[str, float, str]] = {}  # key -> label, fraction, ETA
        self._waits: dict[str, str] = {}  # key -> what it waits for, until the bar moves

    def __call__(self, event: Event) -> None:
        handler = getattr(self, f"_on_{event.kind}", None)
        if handler:
            handler(event)

    def _write(self, text: str) -> None:
        self._live.write(text)

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
        key = e.step or "heartbeat"
        if key in self._finished:
            return
        self._waits[key] = f"{what}{f' ({elapsed:.0f} s)' if elapsed else ''}..."
        self._show(key, e)

    def _on_progress(self, e: Event) -> None:
        label = str(e.data.get("label") or e.step or "")
        key = e.step or label  # one line per step: per output, however many run at once
        done, total = float(e.data.get("done", 0)), float(e.data.get("total") or 0)
        if self._finished.get(key, label) != label:  # the step's next piece of work
            del self._finished[key]
            self._started.pop(key, None)
        start = self._started.setdefault(key, time.monotonic())
        if total <= 0 or key in self._finished:
            return
        fraction = min(max(done / total, 0.0), 1.0)
        if fraction >= 1.0:
            self._finished[key] = label
        elapsed = time.monotonic() - start
        eta = elapsed * (1 - fraction) / fraction if fraction > 0.01 else None
        eta_text = f" ETA {int(eta // 60)}:{int(eta % 60):02d}" if eta is not None else ""
        self._bars[key] = (label, fraction, eta_text)
        self._waits.pop(key, None)  # it moved: no longer only waiting
        self._show(key, e, final=fraction >= 1.0)

    def _show(self, key: str, e: Event, final: bool = False) -> None:
        """The live line of ``key``: its bar, or while it waits, its percentage and what it
        waits for (short: a line is cut at the terminal's width); named by its output
        unless the label already says it."""
        wait = self._waits.get(key)
        text = wait or ""
        if key in self._bars:
            label, fraction, eta_text = self._bars[key]
            text = (f"{label} {fraction * 100:.0f}%, {wait}" if wait else
                    f"{label} [{'#' * int(fraction * 24):<24}] {fraction * 100:5.1f}%{eta_text}")
        output = output_of(e.step) if e.step else ""
        named = not output or output in text.split()
        self._live.update(key, f"  {'' if named else output + ': '}{text}", final)


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


def init_text(made: Scaffold) -> str:
    """What ``init`` wrote and what it read in the photos."""
    proposal = made.proposal
    lines = [f"wrote {made.spec}: {proposal.photos} photos in {proposal.folder}/, "
             f"{proposal.duration:g} s at {proposal.fps} fps"]
    lines += [text for text in (proposal.speed_sentence(), proposal.sort_sentence()) if text]
    if made.schema_kept:
        lines.append(f"kept the existing {made.schema} (the spec's schema line names it); "
                     f"`lapsefile schema > {made.schema}` or --force replaces it")
    else:
        lines.append(f"wrote {made.schema}: the spec's first line points editors at it")
    return "\n".join(lines)


MAX_WATCH_STEPS = 10  # step lines per cycle: a watch prints on every save, briefly


def watch_text(cycle: Cycle, spec_name: str) -> str:
    """One cycle of ``watch``: what set it off, what changed, what a run would redo, the
    preview; or the spec's errors and that the watch goes on."""
    when = time.strftime("%H:%M:%S")
    trigger = ", ".join(cycle.trigger[:3]) + (f" and {len(cycle.trigger) - 3} more"
                                              if len(cycle.trigger) > 3 else "")
    lines = [f"[{when}] {trigger + ' changed' if trigger else spec_name}"]
    if cycle.errors:
        errors = sum(1 for d in cycle.errors if d.severity == "error")
        lines += [diagnostics_text(cycle.errors),
                  f"{errors} error(s) in {spec_name}; still watching: fix it and save"]
        return "\n".join(lines)
    if cycle.error is not None or cycle.plan is None:
        lines.append(f"error: {cycle.error}; still watching")
        return "\n".join(lines)
    if cycle.warnings:
        lines.append(diagnostics_text(cycle.warnings))
    lines += [f"  changed: {name}: {', '.join(found[:6])}"
              + (f" and {len(found) - 6} more" if len(found) > 6 else "")
              for name, found in cycle.changes.items()]
    lines += _watch_plan_lines(cycle.plan)
    if cycle.preview is not None:
        shown = cycle.preview
        lines.append(f"  draft preview: {shown.contact_sheet}, {shown.luminance_plot.name}, "
                     f"{shown.poster.name} ({cycle.seconds:.1f} s)")
    return "\n".join(lines)


def _watch_plan_lines(plan: Plan) -> list[str]:
    needed = plan.needed
    if not needed:
        return ["  a run would do nothing: everything is up to date"]
    lines = [f"  a run would do {len(needed)} of {len(plan.steps)} step(s):"]
    lines += [f"    {step.id}: {step.reason}" for step in needed[:MAX_WATCH_STEPS]]
    if len(needed) > MAX_WATCH_STEPS:
        lines.append(f"    ... and {len(needed) - MAX_WATCH_STEPS} more (lapsefile plan)")
    return lines
