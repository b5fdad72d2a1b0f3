"""An unchanged spec is not read with YAML nor checked with jsonschema again, and the cache
never changes a verdict.

Faults reproduced: the cache never used; a changed text, a changed value of a variable the
spec uses, another YAML reader installed, or a damaged cache file trusted; the disk checks
(files the spec names) skipped for a spec read from the cache.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lapsefile.errors import SpecError
from lapsefile.paths import state_dir
from lapsefile.spec import checked, load_spec_with_warnings, loader, validate

SPEC = """version: 1
frames: {include: ["photos/*.jpg"]}
timing:
  fps: ${FPS:-24}
outputs:
  - {path: out/a.mp4, size: 1280x720}
"""
ENV = {"FPS": "24"}


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "lapse.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def cached_files(root: Path) -> list[Path]:
    return sorted((state_dir(root) / "cache").glob("spec-*.json"))


def forbid_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any YAML reading or schema check: the spec must come from the cache."""
    def refuse(*args, **kwargs):
        raise AssertionError("read or checked again")

    monkeypatch.setattr(loader, "parse_yaml", refuse)
    monkeypatch.setattr(validate, "check_schema", refuse)


def test_an_unchanged_spec_is_not_read_again(spec, monkeypatch):
    first, warnings = load_spec_with_warnings(spec, ENV)
    assert len(cached_files(spec.parent)) == 1
    forbid_reading(monkeypatch)
    again, same_warnings = load_spec_with_warnings(spec, {**ENV, "UNUSED": "x"})
    assert again == first and same_warnings == warnings


def test_a_changed_text_is_read_and_checked(spec):
    load_spec_with_warnings(spec, ENV)
    spec.write_text(SPEC.replace("1280x720", "640x360"), encoding="utf-8")
    assert load_spec_with_warnings(spec, ENV)[0].outputs[0].width == 640
    spec.write_text(SPEC.replace("fps: ${FPS:-24}", "fps: -1"), encoding="utf-8")
    with pytest.raises(SpecError, match="timing.fps"):
        load_spec_with_warnings(spec, ENV)


def test_a_changed_value_of_a_used_variable_is_checked(spec):
    assert load_spec_with_warnings(spec, ENV)[0].timing.fps == 24
    with pytest.raises(SpecError, match="timing.fps"):
        load_spec_with_warnings(spec, {"FPS": "-5"})
    assert load_spec_with_warnings(spec, {})[0].timing.fps == 24  # the default, checked


def test_the_disk_is_looked_at_for_a_spec_from_the_cache(spec):
    spec.write_text(SPEC + "music: song.mp3\n", encoding="utf-8")
    load_spec_with_warnings(spec, ENV, disk=False)  # the spec alone: valid, kept
    with pytest.raises(SpecError, match="music file not found: song.mp3"):
        load_spec_with_warnings(spec, ENV)


def test_a_spec_kept_under_another_yaml_reader_is_read_again(spec, monkeypatch, tmp_path):
    # Fault: the YAML reader's and the schema checker's versions are not part of what a kept
    # spec is proved by (a source checkout keeps lapsefile's version across an upgrade). A
    # package of the test's stands for them, reinstalled after the spec was kept.
    site = tmp_path / "site"
    (site / "fakereader").mkdir(parents=True)
    init = site / "fakereader" / "__init__.py"
    init.write_text("VERSION = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(checked, "READERS", (*checked.READERS, "fakereader"))
    first, _ = load_spec_with_warnings(spec, ENV)
    init.write_text("VERSION = 22\n", encoding="utf-8")
    forbid_reading(monkeypatch)
    with pytest.raises(AssertionError, match="read or checked again"):
        load_spec_with_warnings(spec, ENV)


@pytest.mark.parametrize("damage", ["truncated", "other text", "bad position", "not a dict"])
def test_a_damaged_cache_is_read_afresh(spec, damage):
    first, _ = load_spec_with_warnings(spec, ENV)
    (path,) = cached_files(spec.parent)
    text = path.read_text()
    stored = json.loads(text)
    document = stored["document"]
    path.write_text({
        "truncated": text[:len(text) // 2],
        "other text": json.dumps({**stored, "document": {**document, "data": {"version": 9}}}),
        "bad position": json.dumps({**stored, "document": {
            **document, "values": [[["version"], "one", 1]]}}),
        "not a dict": "[]",
    }[damage])
    if damage == "other text":  # stored for this very text, but its data is not the text's
        spec.write_text(SPEC + "\n", encoding="utf-8")
    again, _ = load_spec_with_warnings(spec, ENV)
    assert again.outputs == first.outputs and again.timing == first.timing
    assert all(isinstance(where.line, int) for where in again.locations.values())
