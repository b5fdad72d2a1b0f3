"""The library behind ``validate``: each spec checked, its problems as data.

``check_specs`` never stops at the first broken spec: a pre-commit hook run over ten specs
reports all ten. With ``schema_only`` a spec is checked alone (keys, values, `${VAR}`s,
positions), without the photos and files it names, which a repository often does not hold.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import Diagnostic, SpecError
from .spec import load_spec_with_warnings


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
    """Check one spec; a SpecError becomes the verdict, other errors are raised."""
    shown = os.fspath(path)
    try:
        if schema_only:
            spec, warnings = load_spec_with_warnings(path, disk=False)
            return SpecCheck(shown, tuple(warnings), {"outputs": [o.name for o in spec.outputs]})
        from .runner import prepare  # the full check only: `--schema-only` stays light

        prepared = prepare(path)
    except SpecError as exc:
        return SpecCheck(shown, tuple(exc.diagnostics))
    timing, spec = prepared.project.timing, prepared.project.spec
    return SpecCheck(shown, tuple(prepared.warnings), {
        "photos": timing.photo_count, "fps": timing.fps, "duration": timing.duration,
        "hold": timing.hold, "outputs": [o.name for o in spec.outputs]})


def check_specs(paths: Iterable[str | os.PathLike[str]], *, schema_only: bool = False
                ) -> list[SpecCheck]:
    """Every spec's verdict, in order."""
    return [check_spec(path, schema_only=schema_only) for path in paths]
