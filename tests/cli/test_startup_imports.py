"""Start-up stays light: a command imports only what it uses (issue 13, targets 1 and 2).

Each check runs the real command in a fresh interpreter with ``-X importtime``, which lists
every module the process imported, and fails on a heavy one: a top-level import of the runner
in ``cli/main.py``, of jsonschema in ``spec/``, or of a library's package in a light module
would each make ``--version`` or ``schema`` pay for it again. ``validate`` and a no-op ``run``
of an unchanged project read the spec from the validation cache (``spec/checked.py``) and the
photos from the last resolve (``project/snapshot.py``): neither YAML nor jsonschema, nor any
decoder, template engine or font reader, is imported, and ``validate`` takes no run lock. A
``validate`` of a project at rest is answered from its kept verdict (``check_cache.py``),
without the spec's model, the project's or the planner's modules.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from lapsefile import __version__
from lapsefile.backends import registry
from lapsefile.cli.main import cli

# Libraries that take tens of milliseconds to import, and lapsefile's layers that pull them in.
HEAVY = ("jsonschema", "referencing", "httpx", "jinja2", "PIL", "numpy", "rawpy", "pillow_heif",
         "starlette", "uvicorn", "fontTools", "filelock", "watchfiles", "lapsefile.runner",
         "lapsefile.checking", "lapsefile.backends", "lapsefile.engine", "lapsefile.plan.planner",
         "lapsefile.status", "lapsefile.scaffold")
# The spec alone is read and checked against the schema (`checking` is validate's library):
# jsonschema is its whole point.
SCHEMA_ONLY_ALLOWED = ("jsonschema", "referencing", "lapsefile.checking")

# What reading an unchanged spec, and planning it, need not import (beside HEAVY).
READERS = ("yaml", "jsonschema", "referencing", "lapsefile.spec.loader",
           "lapsefile.spec.validate")
# The full check is a plan: its library and the layers it runs are its point.
PLANNING = ("lapsefile.runner", "lapsefile.checking", "lapsefile.backends", "lapsefile.engine",
            "lapsefile.plan.planner")
# What a verdict kept for an unchanged project (check_cache.py) is answered without: the
# spec's model and checks, the project's model, the planner, and writing files (tempfile).
CHECKING = ("lapsefile.spec.model", "lapsefile.spec.normalize", "lapsefile.spec.semantic",
            "lapsefile.project.model", "lapsefile.project.resolve", "lapsefile.project.snapshot",
            "lapsefile.plan.model", "lapsefile.lock", "lapsefile.overlays", "tempfile")

# What ``validate`` checked afresh (the first after an edit: no kept verdict) plans without:
# running (the backends' contract, the run lock), tempfile (its one cache write makes its own
# temp file: tempfile brings shutil, random, bz2 and lzma), starting a process (fontconfig,
# ffmpeg: only for text or music), reading fonts (a spec without text), the cloud's steps,
# words and the camera's rules (a local spec without `motion:`), inspecting photos it already
# knows, the ascii codec (atomic.py reads the umask as bytes).
FRESH_UNUSED = ("tempfile", "shutil", "subprocess", "random", "unicodedata", "encodings.ascii",
                "lapsefile.backends.base", "lapsefile.lock.runlock", "lapsefile.oslock",
                "lapsefile.engine.glyphs", "lapsefile.plan.cloud_steps",
                "lapsefile.plan.instructions", "lapsefile.motion", "lapsefile.project.integrity",
                "lapsefile.project.formats")

SPEC = """version: 1
frames: {include: ["photos/*.jpg"]}
timing: {fps: 24}
outputs:
  - {path: out/a.mp4, size: 1280x720}
"""


def imported_modules(args: list[str], cwd: Path,
                     env: dict[str, str] | None = None) -> set[str]:
    """Every module ``python -m lapsefile ARGS`` imported, read from ``-X importtime``."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "lapsefile", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
            if line.startswith("import time:") and "[us]" not in line}


def heavy_among(modules: set[str], allowed: tuple[str, ...] = (),
                heavy: tuple[str, ...] = HEAVY) -> list[str]:
    """The modules of ``modules`` that are, or are inside, a heavy package not allowed."""
    return sorted(name for name in modules
                  for package in heavy if package not in allowed
                  if name == package or name.startswith(package + "."))


@pytest.fixture
def at_rest(tmp_path: Path) -> Path:
    """A spec and three photos last changed an hour ago (older than the caches' racy
    window, project/files.py), as a project at rest is."""
    from lapsefile.engine.testing import make_frames

    make_frames(tmp_path / "photos", 3)
    (tmp_path / "lapse.yaml").write_text(SPEC, encoding="utf-8")
    hour_ago = time.time_ns() - 3600 * 10**9
    for path in [*(tmp_path / "photos").iterdir(), tmp_path / "photos"]:
        os.utime(path, ns=(hour_ago, hour_ago))
    return tmp_path


@pytest.mark.parametrize("args", [["--version"], ["schema"], ["--help"]],
                         ids=["version", "schema", "help"])
def test_a_light_command_imports_no_heavy_module(args: list[str], tmp_path: Path) -> None:
    modules = imported_modules(args, tmp_path)
    assert "click" in modules and "lapsefile.cli.main" in modules  # the listing is real
    assert heavy_among(modules) == []


def test_validate_schema_only_imports_jsonschema_but_not_the_runner(tmp_path: Path) -> None:
    (tmp_path / "lapse.yaml").write_text(SPEC, encoding="utf-8")
    modules = imported_modules(["validate", "--schema-only", "lapse.yaml"], tmp_path)
    assert "jsonschema" in modules  # the check happened
    assert heavy_among(modules, SCHEMA_ONLY_ALLOWED) == []


@pytest.mark.parametrize("args", [["validate", "--schema-only", "lapse.yaml"],
                                  ["validate", "lapse.yaml"]], ids=["schema-only", "full"])
def test_validate_of_an_unchanged_spec_reads_it_from_the_cache(args: list[str],
                                                                at_rest: Path) -> None:
    first = imported_modules(args, at_rest)
    assert "jsonschema" in first and "yaml" in first  # checked once, for real
    modules = imported_modules(args, at_rest)
    assert "lapsefile.spec.checked" in modules  # the listing is real
    assert heavy_among(modules, (*SCHEMA_ONLY_ALLOWED, *PLANNING),
                       HEAVY + READERS) == []


@pytest.mark.parametrize("args", [["validate", "--schema-only", "lapse.yaml"],
                                  ["validate", "lapse.yaml"]], ids=["schema-only", "full"])
def test_validate_of_an_unchanged_project_is_answered_from_its_kept_verdict(
        args: list[str], at_rest: Path) -> None:
    imported_modules(args, at_rest)  # makes .lapsefile/: the project folder just changed
    hour_ago = time.time_ns() - 3600 * 10**9
    for path in (at_rest, at_rest / "lapse.yaml"):
        os.utime(path, ns=(hour_ago, hour_ago))
    imported_modules(args, at_rest)  # checked at rest: its verdict is kept
    modules = imported_modules(args, at_rest)
    assert "lapsefile.check_cache" in modules  # the listing is real
    assert heavy_among(modules, ("lapsefile.checking",), HEAVY + READERS + CHECKING) == []


def test_validate_checked_afresh_imports_only_what_the_check_uses(at_rest: Path) -> None:
    """Each of FRESH_UNUSED imported at the top of a module the check imports (glyphs.py's
    subprocess, atomic.py's tempfile, the runner's run lock, the planner's wording, ...) fails
    this."""
    imported_modules(["validate", "lapse.yaml"], at_rest)  # the spec and the photos known
    for kept in (at_rest / ".lapsefile" / "cache").glob("check-*.json"):
        kept.unlink()  # the verdict forgotten, as after an edit
    modules = imported_modules(["validate", "lapse.yaml"], at_rest)
    assert "lapsefile.plan.planner" in modules  # checked afresh: planned
    assert "yaml" not in modules  # the spec itself from its cache: only the check is fresh
    assert heavy_among(modules, PLANNING, HEAVY + READERS + FRESH_UNUSED) == []


def test_validate_of_a_spec_with_text_and_music_runs_nothing_the_second_time(
        at_rest: Path) -> None:
    """The font and music answers are kept (engine/verdicts.py): the second validate does
    not start ffmpeg, not even ``-version`` (the binary's identity is its stat)."""
    from lapsefile.engine.ffmpeg import find_ffmpeg
    from lapsefile.engine.testing import make_tone

    real = find_ffmpeg().path
    make_tone(at_rest / "music.wav", 1.0)
    log = at_rest / "ffmpeg-calls.log"
    wrapper = at_rest / "ffmpeg-wrapper"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    (at_rest / "lapse.yaml").write_text(
        SPEC + 'overlays: {titles: [{text: "Dawn"}]}\nmusic: {file: music.wav}\n')
    hour_ago = time.time_ns() - 3600 * 10**9
    for made in (at_rest / "music.wav", wrapper):  # at rest, as an installed ffmpeg is
        os.utime(made, ns=(hour_ago, hour_ago))
    env = {**os.environ, "LAPSEFILE_FFMPEG": str(wrapper)}
    imported_modules(["validate", "lapse.yaml"], at_rest, env)
    assert log.read_text().strip()  # the first one asked ffmpeg about the music
    log.unlink()
    modules = imported_modules(["validate", "lapse.yaml"], at_rest, env)
    assert "lapsefile.engine.preflight" in modules  # the listing is real
    assert not log.exists(), log.read_text()  # the ffmpeg calls it made
    # Nor the renderer's text and overlay modules: the bundled fonts are glyphs.py's facts.
    assert sorted(m for m in modules if m.startswith("lapsefile.engine.overlays")) == []


def test_a_noop_run_of_an_unchanged_project_stays_light(at_rest: Path) -> None:
    imported_modules(["run"], at_rest)  # renders; the caches are written
    modules = imported_modules(["run"], at_rest)
    assert "lapsefile.project.snapshot" in modules and "lapsefile.oslock" in modules
    allowed = ("lapsefile.runner", "lapsefile.backends", "lapsefile.engine",
               "lapsefile.plan.planner")
    assert heavy_among(modules, allowed, HEAVY + READERS) == []
    # Of the engine, only the preflight (no text, no music here: not even their modules).
    assert {m for m in modules if m.startswith("lapsefile.engine")} <= {
        "lapsefile.engine", "lapsefile.engine.preflight", "lapsefile.engine.glyphs",
        "lapsefile.engine.verdicts"}


def test_the_process_ends_without_collecting_what_it_imported(tmp_path: Path) -> None:
    """The collector looks at young objects less often while a command runs, and the
    command's objects are frozen when it ends (cli/main.py): Python's collections would walk
    every module, class and function imported. Removing either fails this; what the command
    printed is whole either way."""
    script = ("import atexit, gc, sys\n"
              "from lapsefile.cli.main import YOUNG_OBJECTS, main\n"
              "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 1000,\n"
              "                              gc.get_threshold()[0] == YOUNG_OBJECTS > 700))\n"
              "sys.argv = ['lapsefile', '--version']\n"
              "main()\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"lapsefile, version {__version__}", "frozen True True"]


def test_every_dataclass_validate_imports_has_a_docstring(at_rest: Path) -> None:
    """Without one, ``@dataclass`` writes the class's ``__doc__`` from ``inspect.signature``
    while the module is imported (about 0.05 ms a class, at every start that imports it). A
    dataclass without a docstring in a module a fresh ``validate`` imports fails this."""
    import dataclasses
    import importlib

    imported_modules(["validate", "lapse.yaml"], at_rest)
    for kept in (at_rest / ".lapsefile" / "cache").glob("check-*.json"):
        kept.unlink()
    modules = sorted(m for m in imported_modules(["validate", "lapse.yaml"], at_rest)
                     if m.startswith("lapsefile."))
    assert "lapsefile.spec.model" in modules  # the listing is real
    undocumented = [
        f"{name}.{cls.__qualname__}" for name in modules
        for cls in vars(importlib.import_module(name)).values()
        if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == name
        and (cls.__doc__ or "").startswith(cls.__name__ + "(")]
    assert undocumented == []


def test_backend_choices_are_the_registry_names_read_when_used(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The names are read when an option is parsed, so a plug-in installed after the CLI
    was imported is offered, and an unknown name is refused with the list."""
    import importlib.metadata

    point = importlib.metadata.EntryPoint(name="later", value="some.module:ENTRY",
                                          group=registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda: [point])
    result = CliRunner().invoke(cli, ["plan", "--backend", "nope"])
    assert result.exit_code == 2
    assert "'local', 'nemo', 'later'" in result.output
    help_text = CliRunner().invoke(cli, ["plan", "--help"]).output
    assert "[local|nemo|later]" in help_text
