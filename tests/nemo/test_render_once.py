"""Templates are rendered once per instruction in a run: before planning, by the runner, and
never again by the planner or the recorder."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from lapsefile.plan.instructions import Instruction, Wording
from lapsefile.spec.model import Output

from .helpers import Emulator, run, write_project


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Every template render of every Wording, counted by template and by output rendered."""
    seen: Counter[str] = Counter()
    render, instructions = Wording.render, Wording.instructions

    def counted_render(self: Wording, name: str, params: Mapping[str, Any]) -> str:
        seen[name] += 1
        return render(self, name, params)

    def counted_instructions(self: Wording, output: Output) -> tuple[Instruction, ...]:
        seen[f"output {output.name}"] += 1
        return instructions(self, output)

    monkeypatch.setattr(Wording, "render", counted_render)
    monkeypatch.setattr(Wording, "instructions", counted_instructions)
    return seen


def test_a_run_renders_each_instruction_once(emulator: Emulator, tmp_path: Path,
                                             renders: Counter[str]) -> None:
    spec = write_project(tmp_path / "project")
    summary = run(spec, emulator)
    sent = [s for s in summary.plan.steps if s.action == "instruct"]
    assert sent and summary.executed  # it ran, and recorded every step
    outputs = {s.output for s in sent}
    assert {k: v for k, v in renders.items() if k.startswith("output ")} == {
        f"output {name}": 1 for name in outputs}
    # One render per instruction: none while planning (fingerprints, cloud steps) or
    # recording the lock.
    assert sum(v for k, v in renders.items() if not k.startswith("output ")) == len(sent)
    assert all(v == len(outputs) for k, v in renders.items() if not k.startswith("output "))


def test_an_edit_renders_its_sentence_once(emulator: Emulator, tmp_path: Path,
                                           renders: Counter[str]) -> None:
    spec = write_project(tmp_path / "project")
    run(spec, emulator)
    spec.write_text(spec.read_text(encoding="utf-8").replace("Sunset", "Dusk"),
                    encoding="utf-8")
    renders.clear()
    summary = run(spec, emulator)
    edits = [s for s in summary.plan.needed if s.action == "instruct"]
    assert [s.params["mode"] for s in edits] == ["edit"] * len(edits) and edits
    assert renders["en/edit/title.j2"] == len(edits)
