"""Project templates in the project's own words reach the agent and are carried out."""

from __future__ import annotations

from .helpers import read_lock, run

TITLE = ('Put a caption reading "{{ text }}" on screen between {{ start|num }} and '
         '{{ end|num }} seconds, {{ position }}, {{ size_pct|num }}% tall, in {{ color }}.\n')
EDIT = 'Please rename the caption "{{ old.text }}" so it says "{{ new.text }}".\n'


def test_paraphrased_project_templates_work_end_to_end(emulator, project):
    folder = project.parent / "wording" / "en"
    (folder / "edit").mkdir(parents=True)
    (folder / "title.j2").write_text(TITLE, encoding="utf-8")
    (folder / "edit" / "title.j2").write_text(EDIT, encoding="utf-8")
    project.write_text(project.read_text(encoding="utf-8") + "  templates: wording\n",
                       encoding="utf-8")
    run(project, emulator)
    steps = read_lock(project)["outputs"]["main"]["steps"]
    record = steps["main/instruct-title-1"]
    assert record["verdict"] == "confirmed" and not record.get("corrective")
    sent = [c["instruction"] for c in emulator.calls("run_sse")]
    assert ('Put a caption reading "Sunset" on screen between 0 and 0.5 seconds, center, '
            "8% tall, in white.") in sent
    project.write_text(project.read_text(encoding="utf-8").replace("Sunset", "Dusk"),
                       encoding="utf-8")
    before = len(emulator.calls())
    run(project, emulator)
    edits = [c["instruction"] for c in emulator.calls()[before:] if c["endpoint"] == "run_sse"]
    assert edits == ['Please rename the caption "Sunset" so it says "Dusk".']
    record = read_lock(project)["outputs"]["main"]["steps"]["main/instruct-title-1"]
    assert record["applied"]["text"] == "Dusk" and record["verdict"] == "confirmed"
