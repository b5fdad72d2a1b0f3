"""The library behind ``validate``: each spec checked, its problems as data.

``check_specs`` never stops at the first broken spec: a pre-commit hook run over ten specs
reports all ten. With ``schema_only`` a spec is checked alone (keys, values, `${VAR}`s,
positions), without the photos and files it names, which a repository often does not hold.

A verdict is kept while everything it was derived from holds (``check_cache.py``): an
unchanged project is answered without the spec's model, the project or the planner being
imported, so this module imports them only for a fresh check.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import check_cache
from .disk_looks import Looks
from .errors import Diagnostic, SpecError

if TYPE_CHECKING:
    from .runner import Prepared


@dataclass(frozen=True)
class SpecCheck:
    """One spec's verdict: its problems (errors and warnings), and for a full check of a
    valid spec what it makes (``photos``, ``fps``, ``duration``, ``hold``, ``outputs``)."""

    path: str
    diagnostics: tuple[Diagnostic, ...] = ()
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)

    def to_dict(self) -> dict[str, Any]:
        return {"spec": self.path, "valid": self.valid, **self.summary,
                "diagnostics": [d.to_dict() for d in self.diagnostics]}


def check_spec(path: str | os.PathLike[str], *, schema_only: bool = False) -> SpecCheck:
    """Check one spec (or answer from its kept verdict); a SpecError becomes the verdict,
    other errors are raised."""
    from .spec import display_path  # the name messages give the spec: part of the key

    shown = os.fspath(path)
    attempt = check_cache.begin(path, display_path(Path(path)), schema_only)
    if attempt is not None:
        kept = check_cache.lookup(attempt)
        if kept is not None:
            return SpecCheck(shown, kept.diagnostics, kept.summary)
        with check_cache.watching(attempt):
            verdict, prepared, keep = _fresh(path, schema_only, attempt)
        if keep:
            check_cache.save(attempt, check_cache.Kept(verdict.diagnostics, verdict.summary),
                             prepared)
        return verdict
    return _fresh(path, schema_only, None)[0]


def _fresh(path: str | os.PathLike[str], schema_only: bool,
           attempt: check_cache.Attempt | None) -> tuple[SpecCheck, Prepared | None, bool]:
    """The check itself: the verdict, what a full check planned, and whether the verdict may
    be kept (a failure found after the spec was read depends on more than ``check_cache``
    proves: not kept)."""
    shown = os.fspath(path)
    looks = attempt.looks if attempt is not None else Looks()
    if schema_only:
        from .spec import load_spec_with_warnings

        try:
            spec, warnings = load_spec_with_warnings(path, disk=False, looks=looks)
        except SpecError as exc:
            return SpecCheck(shown, tuple(exc.diagnostics)), None, True
        return SpecCheck(shown, tuple(warnings), {"outputs": [o.name for o in spec.outputs]}), \
            None, True
    from .runner import prepare  # the full check only: `--schema-only` stays light

    try:
        prepared = prepare(path, looks=looks)
    except SpecError as exc:
        # A spec that is wrong depends on what ``looks`` noted; a failure found after it was
        # read (the photos, the fonts, the plan) on more than the cache proves: not kept.
        return SpecCheck(shown, tuple(exc.diagnostics)), None, not looks.spec_valid
    timing, spec = prepared.project.timing, prepared.project.spec
    return SpecCheck(shown, tuple(prepared.warnings), {
        "photos": timing.photo_count, "fps": timing.fps, "duration": timing.duration,
        "hold": timing.hold, "outputs": [o.name for o in spec.outputs]}), prepared, True


def check_specs(paths: Iterable[str | os.PathLike[str]], *, schema_only: bool = False
                ) -> list[SpecCheck]:
    """Every spec's verdict, in order."""
    return [check_spec(path, schema_only=schema_only) for path in paths]
