"""The backend registry: built-ins, unknown names, and a plug-in found through the
``lapsefile.backends`` entry-point group of a (fake, but really installed) distribution."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest

from lapsefile.backends import get_backend, registry
from lapsefile.backends.registry import BackendEntry, UnknownBackend
from lapsefile.cli.main import cli
from lapsefile.errors import LapsefileError
from lapsefile.runner import prepare, run_project
from lapsefile.status import status

from ..support import write_photo

PLUGIN = "lapsefile_fake_plugin"
PLUGIN_CODE = '''
import hashlib

from lapsefile.backends.registry import BackendEntry
from lapsefile.plan.fingerprint import digest

ENTRY = BackendEntry(name="fake", backend="lapsefile_fake_plugin:FakeBackend",
                     steps="lapsefile_fake_plugin:build_steps", engine_revision=7,
                     music_types=(".wav",), summary="writes a text file per output")
NOT_AN_ENTRY = "a string"
MISNAMED = BackendEntry(name="other", backend="x:Y", steps="x:z", engine_revision=1)
BROKEN = BackendEntry(name="broken", backend="lapsefile_no_such_module:Backend",
                      steps="lapsefile_fake_plugin:build_steps", engine_revision=1)


def build_steps(project, output, basis, previous):
    step_id = f"{output.name}/write"
    return [dict(id=step_id, action="render", resource=output.path, after=[],
                 fingerprint=digest([basis.fingerprint, step_id]))]


class FakeBackend:
    name = "fake"

    def check(self, ctx, steps):
        pass

    def execute(self, ctx, steps):
        for step in steps:
            target = ctx.project.spec.root / step.resource
            target.parent.mkdir(parents=True, exist_ok=True)
            data = f"{len(ctx.project.frames)} photos\\n".encode()
            target.write_bytes(data)
            yield step, {"artifact": {"path": step.resource, "size": len(data),
                                      "sha256": hashlib.sha256(data).hexdigest()}}

    def report(self, ctx):
        return {}
'''
ENTRY_POINTS = """\
[lapsefile.backends]
fake = lapsefile_fake_plugin:ENTRY
not-an-entry = lapsefile_fake_plugin:NOT_AN_ENTRY
misnamed = lapsefile_fake_plugin:MISNAMED
broken = lapsefile_fake_plugin:BROKEN
local = lapsefile_fake_plugin:ENTRY
"""


def install_plugin(site: Path) -> Path:
    """A distribution on disk as pip would leave it: the module and its .dist-info."""
    site.mkdir(parents=True, exist_ok=True)
    (site / f"{PLUGIN}.py").write_text(PLUGIN_CODE, encoding="utf-8")
    info = site / f"{PLUGIN}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: lapsefile-fake-plugin\n"
                                   "Version: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(ENTRY_POINTS, encoding="utf-8")
    return site


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    site = install_plugin(tmp_path / "site")
    monkeypatch.syspath_prepend(str(site))
    yield site
    sys.modules.pop(PLUGIN, None)


@pytest.fixture
def project(tmp_path):
    for i in range(1, 4):
        write_photo(tmp_path / "project" / "photos" / f"IMG_{i}.jpg")
    spec = tmp_path / "project" / "lapse.yaml"
    spec.write_text("version: 1\nframes: 'photos/*.jpg'\ntiming: {fps: 6}\n"
                    "outputs:\n  - {path: out/a.mp4, size: '32x18'}\n")
    return spec


def test_the_built_in_backends():
    assert registry.names()[:2] == ("local", "nemo")
    for name in ("local", "nemo"):
        entry = registry.get(name)
        assert entry.name == name and entry.engine_revision >= 1
        assert get_backend(name).name == name
        assert callable(entry.step_builder())
    assert ".flac" in registry.get("local").music_types
    assert ".flac" not in registry.get("nemo").music_types


def test_the_cli_offers_the_registry_names():
    option = next(p for p in cli.commands["plan"].params if p.name == "backend")
    assert isinstance(option.type, click.Choice)
    assert tuple(option.type.choices) == registry.names()


def test_an_unknown_name_lists_the_known_ones():
    with pytest.raises(UnknownBackend) as caught:
        registry.get("nemovideo")
    assert str(caught.value) == "unknown backend 'nemovideo'; choose one of local, nemo"
    assert isinstance(caught.value, LapsefileError) and isinstance(caught.value, ValueError)
    with pytest.raises(UnknownBackend, match="choose one of local, nemo"):
        get_backend("nemovideo")


def test_prepare_refuses_an_unknown_backend_before_reading_the_spec(tmp_path):
    with pytest.raises(UnknownBackend, match="unknown backend 'cloud'"):
        prepare(tmp_path / "missing.yaml", backend="cloud")


def test_the_lookup_function_is_the_one_place_entry_points_are_read(monkeypatch):
    import importlib.metadata

    point = importlib.metadata.EntryPoint(name="shadow", value="lapsefile.backends.registry:X",
                                          group=registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda: [point])
    assert registry.names() == ("local", "nemo", "shadow")


def test_a_plugin_is_found_listed_and_loaded(plugin):
    names = registry.names()
    assert names[:2] == ("local", "nemo")
    assert {"fake", "broken", "misnamed", "not-an-entry"} <= set(names)
    assert names.count("local") == 1  # a built-in name is never taken over
    assert registry.get("local").backend == "lapsefile.backends.local:LocalBackend"
    entry = registry.get("fake")
    assert isinstance(entry, BackendEntry) and entry.engine_revision == 7
    assert get_backend("fake").name == "fake"
    with pytest.raises(UnknownBackend, match="choose one of local, nemo, broken, fake"):
        registry.get("fak")


@pytest.mark.parametrize("name, words", [
    ("not-an-entry", "must name a lapsefile.backends.registry.BackendEntry"),
    ("misnamed", "with name='misnamed'"),
])
def test_a_plugin_that_is_not_an_entry_is_a_clear_error(plugin, name, words):
    with pytest.raises(LapsefileError, match=words):
        registry.get(name)


def test_a_plugin_whose_class_cannot_be_imported_is_a_clear_error(plugin):
    with pytest.raises(LapsefileError, match="backend 'broken': cannot import "
                                             "lapsefile_no_such_module:Backend"):
        get_backend("broken")


def test_a_plugin_plans_runs_and_reports_status(plugin, project):
    plan = prepare(project, backend="fake").plan
    assert plan.backend == "fake" and [s.id for s in plan.steps] == ["a/write"]
    summary = run_project(project, backend="fake")
    assert summary.executed == ["a/write"]
    assert (project.parent / "out" / "a.mp4").read_text() == "3 photos\n"
    (row,) = status(project, backend="fake").outputs
    assert (row.backend, row.state) == ("fake", "up to date")
    assert prepare(project).plan.steps[0].reason.details == ("backend fake -> local",)


def test_the_engine_revision_is_part_of_the_fingerprint(plugin, project, monkeypatch):
    before = prepare(project, backend="fake").plan.steps[0].fingerprint
    bumped = dataclasses.replace(registry.get("fake"), engine_revision=8)
    monkeypatch.setattr(sys.modules[PLUGIN], "ENTRY", bumped)
    assert prepare(project, backend="fake").plan.steps[0].fingerprint != before


def test_the_installed_command_offers_and_runs_the_plugin(tmp_path, project):
    site = install_plugin(tmp_path / "site")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(site), str(Path(__file__).resolve().parents[2])])}
    shown = subprocess.run([sys.executable, "-m", "lapsefile", "plan", "--help"], env=env,
                           capture_output=True, text=True, check=True)
    assert "fake" in shown.stdout
    planned = subprocess.run([sys.executable, "-m", "lapsefile", "plan", str(project),
                              "--backend", "fake", "--json"], env=env, capture_output=True,
                             text=True)
    assert planned.returncode == 0, planned.stderr
    assert json.loads(planned.stdout)["backend"] == "fake"


def test_validate_and_planning_do_not_import_the_http_client(project):
    code = textwrap.dedent(f"""
        import sys
        from click.testing import CliRunner
        from lapsefile.cli.main import cli
        for args in (["validate"], ["plan", "--backend", "nemo"]):
            result = CliRunner().invoke(cli, [*args, {str(project)!r}])
            assert result.exit_code == 0, result.output
        assert "httpx" not in sys.modules, "httpx was imported"
    """)
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_spec_spells_exactly_the_built_in_names() -> None:
    """`backend:` in lapse.yaml admits the built-in backends, no more and no fewer: the
    schema's enum and the model's type say the registry's names."""
    import typing

    from lapsefile.backends.registry import BUILTIN
    from lapsefile.spec.model import BackendName
    from lapsefile.spec.schema_file import walk_properties

    node = next(p.schema for p in walk_properties() if p.path == ("backend",))
    built_in = [entry.name for entry in BUILTIN]
    assert node["enum"] == built_in
    assert list(typing.get_args(BackendName)) == built_in

