"""lapse.yaml: load, expand ``${VAR}``, validate, normalize and check, reporting every problem.

    spec = load_spec("lapse.yaml")                        # raises SpecError with all errors
    spec, warnings = load_spec_with_warnings("lapse.yaml")  # warnings that did not stop it

Locations name the file as given when it is relative, relative to the working directory when
it lies below it, and absolute otherwise, so messages are stable and clickable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Diagnostic, Location, SpecError
from .schema_file import SUPPORTED_VERSION, schema, schema_text

if TYPE_CHECKING:
    from ..disk_looks import Looks
    from .document import Document
    from .model import Spec
    from .normalize import Parts
    from .paths import DocPath

__all__ = ["load_spec", "load_spec_with_warnings", "schema", "schema_text", "SUPPORTED_VERSION",
           "Spec", "SpecError", "Diagnostic"]


def __getattr__(name: str) -> Any:
    """``Spec`` on first use: the model's many dataclasses take longer to build than
    `lapsefile schema` takes to run (PEP 562)."""
    if name == "Spec":
        from .model import Spec

        return Spec
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_spec(path: str | os.PathLike[str], env: Mapping[str, str] | None = None) -> Spec:
    """The normalized spec at ``path``; raises :class:`SpecError` listing every error."""
    return load_spec_with_warnings(path, env)[0]


def load_spec_with_warnings(path: str | os.PathLike[str], env: Mapping[str, str] | None = None,
                            *, disk: bool = True, looks: Looks | None = None
                            ) -> tuple[Spec, list[Diagnostic]]:
    """The spec and the warnings that did not stop loading (sorted by position). ``disk=False``
    checks the spec alone: files it names (music, logo, fonts, templates) are not looked for,
    as in a git checkout without the photos and media. ``looks`` notes every path the checks
    looked at on the disk (``disk_looks.py``)."""
    # Imported here, not with the package: YAML, jsonschema and the checks are for loading,
    # and importing `spec.model` or `spec.envvars` alone must stay light (start-up).
    from . import checked
    from .envvars import expand_document, referenced
    from .normalize import Normalizer
    from .semantic import SemanticChecker

    given = Path(path)
    absolute = Path(os.path.abspath(given))
    label = display_path(given)
    text = _read(absolute, label)
    # A spec read before from this very text: no YAML, and (below) no schema check of data
    # that passed it then (checked.py).
    known = checked.load(absolute, text, label)
    document, diagnostics = (known.document, []) if known else _parse(text, label)
    read_clean = not diagnostics  # a reading that warned is not kept (its warnings with it)
    if not isinstance(document.data, dict):
        raise SpecError(diagnostics + [Diagnostic(
            "the top level must be a mapping of keys such as version, frames and outputs",
            location=document.values.get(()), hint="start with `version: 1`")])
    data, expansion, failed = expand_document(document, os.environ if env is None else env)
    if looks is not None:
        looks.variables |= referenced(document.data)
    _refuse_newer_version(data, document)
    digest = checked.data_digest(data) if not failed else None
    schema_problems: list[Diagnostic] = []
    broken: set[DocPath] = set()
    if not (known and digest is not None and digest == known.checked):
        from .validate import check_schema

        schema_problems, broken = check_schema(data, document, failed)
    normalizer = Normalizer(data, document, broken | failed)
    parts = normalizer.run()
    checker = SemanticChecker(parts, data, document, absolute.parent, display_path, disk, looks)
    diagnostics += expansion + schema_problems + normalizer.diagnostics + checker.run()
    if not parts.complete or any(d.severity == "error" for d in diagnostics):
        raise SpecError(diagnostics)
    if read_clean and digest is not None and not schema_problems and not (
            known and digest == known.checked):
        checked.save(absolute, text, label, document, digest)
    spec = _build(absolute, parts, document, data)
    if looks is not None:
        looks.spec_valid = True
    return spec, sorted(diagnostics, key=Diagnostic.sort_key)


def _parse(text: str, label: str) -> tuple[Document, list[Diagnostic]]:
    """The document YAML reads from ``text``; SpecError when there is none."""
    from .loader import parse_yaml

    document, diagnostics = parse_yaml(text, label)
    if document is None:
        raise SpecError(diagnostics)
    return document, diagnostics


def display_path(path: Path) -> str:
    """How a file is named in messages: as given if relative, else relative to cwd if below it."""
    if not path.is_absolute():
        return os.path.normpath(path)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _read(path: Path, label: str) -> str:
    from .document import MAX_BYTES, too_large

    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)  # no more: a huge file is refused, not held in memory
        if len(raw) > MAX_BYTES:
            raise SpecError([too_large(label, path.stat().st_size)])
    except FileNotFoundError:
        raise SpecError([Diagnostic(f"{label} does not exist",
                                    hint="create one with `lapsefile init`, or pass the path "
                                         "of your lapse.yaml")]) from None
    except IsADirectoryError:
        raise SpecError([Diagnostic(f"{label} is a folder; give the lapse.yaml inside it",
                                    hint=f"for example {os.path.join(label, 'lapse.yaml')}")]) \
            from None
    except OSError as exc:
        raise SpecError([Diagnostic(f"cannot read {label}: {exc.strerror}")]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SpecError([Diagnostic("the file is not UTF-8 text", hint="save it as UTF-8",
                                    location=Location(label, line, col))]) from None


def _refuse_newer_version(data: dict[str, Any], document: Document) -> None:
    """A newer format is reported alone: its other "errors" are most likely new features."""
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > SUPPORTED_VERSION:
        raise SpecError([Diagnostic(
            f"this file is written for lapsefile format {version}; this lapsefile reads "
            f"format {SUPPORTED_VERSION}", path="version",
            location=document.values.get(("version",)),
            hint="upgrade lapsefile (for example `pip install --upgrade lapsefile`)")])


def _build(absolute: Path, parts: Parts, document: Document, data: dict[str, Any]) -> Spec:
    from .model import Spec

    assert parts.frames and parts.timing and parts.look is not None and parts.cloud  # complete
    return Spec(
        path=absolute, version=int(data["version"]), frames=parts.frames, timing=parts.timing,
        look=parts.look, titles=tuple(title for _, title in sorted(parts.titles.items())),
        timestamp=parts.timestamp, logo=parts.logo, music=parts.music,
        outputs=tuple(output for _, output in sorted(parts.outputs.items())),
        backend=parts.backend,  # type: ignore[arg-type]
        cloud=parts.cloud, motion=parts.motion, render=parts.render,
        locations=dict(document.values), raw=data)
