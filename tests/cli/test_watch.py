"""`lapsefile watch`: every save re-plans and redraws the draft preview; a bad save is reported
and the watch goes on. Driven by a scripted change source over real files (and once by
watchfiles itself)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from lapsefile import watching
from lapsefile.cli.main import cli
from lapsefile.errors import LapsefileError
from lapsefile.watching import Cycle, watch, watch_roots

from ..support import write_photo

SPEC = """\
version: 1
frames: photos/*.jpg
outputs:
  - {{path: out/a.mp4, size: 64x64, fit: {fit}}}
"""


class Script:
    """A change source that makes each change on disk, then reports its batch, in order;
    called again (new folders to watch), it goes on with the script."""

    def __init__(self, *edits: Callable[[], Iterable[Path]]):
        self._edits = iter(edits)
        self.roots: list[tuple[Path, ...]] = []

    def __call__(self, roots: tuple[Path, ...]) -> Iterator[set[Path]]:
        self.roots.append(roots)
        for edit in self._edits:
            yield set(edit())


def _project(root: Path, photos: int = 4) -> Path:
    for i in range(1, photos + 1):
        write_photo(root / "photos" / f"IMG_{i}.jpg", shade=40 * i, size=(32, 16))
    spec = root / "lapse.yaml"
    spec.write_text(SPEC.format(fit="cover"))
    return spec


def _write(path: Path, text: str) -> Callable[[], list[Path]]:
    def edit() -> list[Path]:
        path.write_text(text)
        return [path]
    return edit


def _run(spec: Path, source: Script) -> list[Cycle]:
    cycles: list[Cycle] = []
    watch(spec, source, cycles.append)
    return cycles


def test_a_saved_spec_is_replanned_and_its_preview_redrawn(tmp_path):
    spec = _project(tmp_path)
    posters: list[bytes] = []

    def edit() -> list[Path]:
        posters.append((tmp_path / ".lapsefile" / "preview" / "poster.jpg").read_bytes())
        spec.write_text(SPEC.format(fit="contain"))  # the wide photos get bars: a new poster
        return [spec]

    first, second = _run(spec, Script(edit))
    assert first.ok and first.trigger == () and first.changes == {}
    assert [s.reason.kind for s in first.plan.steps] == ["new"]
    assert second.ok and second.trigger == ("lapse.yaml",)
    assert "output.fit" in second.changes["a"]
    assert second.preview is not None and second.preview.poster.read_bytes() != posters[0]
    assert not (tmp_path / "out").exists() and not (tmp_path / "lapse.lock").exists()


def test_each_cycle_plans_the_project_once(tmp_path, monkeypatch):
    # Fault: the preview plans the spec again after the cycle planned it (a second resolve of
    # every photo per save: a tenth of a second at 10,000 photos).
    import lapsefile.preview as preview_module
    import lapsefile.runner as runner

    spec = _project(tmp_path)
    planned: list[Path] = []
    real_prepare = runner.prepare

    def counted(path, *args, **kwargs):
        planned.append(Path(path))
        return real_prepare(path, *args, **kwargs)

    monkeypatch.setattr(runner, "prepare", counted)
    monkeypatch.setattr(preview_module, "prepare", counted)
    cycles = _run(spec, Script(_write(spec, SPEC.format(fit="contain"))))
    assert [c.ok for c in cycles] == [True, True] and len(planned) == 2
    assert all(c.preview is not None for c in cycles)


def test_a_broken_save_is_reported_and_the_watch_goes_on(tmp_path):
    spec = _project(tmp_path)
    cycles = _run(spec, Script(_write(spec, SPEC.format(fit="squash")),
                               _write(spec, SPEC.format(fit="contain"))))
    assert [c.ok for c in cycles] == [True, False, True]
    broken = cycles[1]
    assert broken.errors and broken.plan is None and broken.preview is None
    assert any("squash" in str(d) and d.location is not None and d.location.line == 4
               for d in broken.errors)
    # Compared with the last good cycle: the fix is what changed.
    assert "output.fit" in cycles[2].changes["a"]


def test_only_changes_that_can_change_the_plan_start_a_cycle(tmp_path):
    spec = _project(tmp_path)
    new_photo = tmp_path / "photos" / "IMG_5.jpg"

    def lapsefiles_own() -> list[Path]:
        (tmp_path / "notes.txt").write_text("not a photo")
        return [tmp_path / ".lapsefile" / "preview" / "poster.jpg", tmp_path / "out" / "a.mp4",
                tmp_path / "out" / "a.jpg", tmp_path / "notes.txt"]

    def add_photo() -> list[Path]:
        write_photo(new_photo, size=(32, 16))
        return [new_photo]

    cycles = _run(spec, Script(lapsefiles_own, add_photo))
    assert len(cycles) == 2
    assert cycles[1].trigger == ("photos/IMG_5.jpg",)
    assert cycles[1].changes["a"] == ("timing.duration", "files: 1 new")  # one more photo
    assert cycles[1].preview is not None and cycles[1].preview.photos == 5


def test_photos_moved_outside_the_spec_folder_are_watched_there(tmp_path):
    spec = _project(tmp_path / "project")
    elsewhere = tmp_path / "card"
    write_photo(elsewhere / "DSC_1.jpg", size=(32, 16))
    source = Script(_write(spec, SPEC.format(fit="cover").replace("photos/*.jpg",
                                                                  "../card/*.jpg")))
    cycles = _run(spec, source)
    assert cycles[-1].ok and cycles[-1].preview is not None and cycles[-1].preview.photos == 1
    assert source.roots == [(spec.parent.resolve(),),
                            (spec.parent.resolve(), elsewhere.resolve())]


def test_the_watched_folders_are_the_spec_folder_and_glob_bases_outside_it(tmp_path):
    root = tmp_path / "p"
    (root / "photos").mkdir(parents=True)
    (tmp_path / "card" / "DCIM").mkdir(parents=True)
    assert watch_roots(root, ["photos/*.jpg", "photos/**/*.png"]) == (root.resolve(),)
    assert watch_roots(root, ["../card/DCIM/*.jpg", "../card/**/*.jpg"]) == (
        root.resolve(), (tmp_path / "card").resolve())


def test_a_missing_spec_is_refused_before_watching(tmp_path):
    with pytest.raises(LapsefileError, match="no such spec file"):
        watch(tmp_path / "lapse.yaml", Script(), lambda cycle: None)


def _interrupted(script: Script) -> Callable[..., Callable[[tuple[Path, ...]], Iterator]]:
    def source(*args: object, **kwargs: object) -> Callable[[tuple[Path, ...]], Iterator]:
        def changes(roots: tuple[Path, ...]) -> Iterator[set[Path]]:
            yield from script(roots)
            raise KeyboardInterrupt  # Ctrl-C, as watchfiles raises it
        return changes
    return source


def test_the_command_prints_each_cycle_and_ctrl_c_exits_130(tmp_path, monkeypatch):
    spec = _project(tmp_path)
    script = Script(_write(spec, "version: 1\nframes: [\n"),
                    _write(spec, SPEC.format(fit="contain")))
    monkeypatch.setattr(watching, "watchfiles_source", _interrupted(script))
    result = CliRunner().invoke(cli, ["watch", str(spec)])
    assert result.exit_code == 130, result.output
    assert "Traceback" not in result.output
    out = result.output
    assert out.count("draft preview:") == 2 and "contact-sheet.png" in out
    assert "a run would do 1 of 1 step(s):" in out and "a/render: new" in out
    assert "still watching: fix it and save" in out and "lapse.yaml:" in out
    assert "changed: a: output.fit" in out


def test_real_file_events_start_a_cycle(tmp_path):
    """watchfiles over tmp_path: the spec is saved until a cycle reports it (the watcher may
    start just after a save), then the stop event ends the watch."""
    spec = _project(tmp_path)
    stop = threading.Event()
    cycles: list[Cycle] = []
    thread = threading.Thread(target=watch, daemon=True,
                              args=(spec, watching.watchfiles_source(stop, debounce_ms=50),
                                    cycles.append))
    thread.start()
    deadline = time.monotonic() + 30
    fit = "cover"
    while len(cycles) < 2 and time.monotonic() < deadline:
        if cycles:
            fit = "contain" if fit == "cover" else "cover"
            spec.write_text(SPEC.format(fit=fit))
        time.sleep(0.3)
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive(), "the stop event ends the watch"
    assert len(cycles) >= 2 and cycles[1].trigger == ("lapse.yaml",) and cycles[1].ok
