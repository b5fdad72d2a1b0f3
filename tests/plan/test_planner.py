from dataclasses import replace

from lapsefile.lock.lockfile import load_lock
from lapsefile.runner import Prepared, _Recorder
from lapsefile.spec.model import Cloud, Music, TextStyle, Title

from ..support import make_plan, make_spec, write_photo


def _record_all(project, lock, plan, artifact_sha="f" * 64, status="done"):
    """Write records as a finished run would (through the runner's own recorder)."""
    recorder = _Recorder(Prepared(project, lock, plan, []))
    for step in plan.steps:
        record = {}
        if step.action in ("render", "download"):
            record["artifact"] = {"path": step.resource, "size": 1, "sha256": artifact_sha}
        recorder.write(step.id, record, status)
    return load_lock(lock.path)


def _present(plan, sha="f" * 64):
    return {s.resource: sha for s in plan.steps if s.action in ("render", "download")}


def _reasons(plan):
    return {s.id: (s.reason.kind, s.reason.details) for s in plan.steps}


def test_first_plan_is_all_new(project_dir, resolve, empty_lock):
    plan = make_plan(resolve(make_spec(project_dir)), empty_lock, {})
    assert [(s.id, s.action, s.reason.kind) for s in plan.steps] == [
        ("wide/render", "render", "new"), ("tall/render", "render", "new")]
    # Same photos, timing and look: both outputs may be rendered from one decode.
    assert plan.steps[0].batch == plan.steps[1].batch is not None


def test_recorded_plan_is_up_to_date_and_stable(project_dir, resolve, empty_lock):
    project = resolve(make_spec(project_dir))
    plan = make_plan(project, empty_lock, {})
    lock = _record_all(project, empty_lock, plan)
    again = make_plan(resolve(make_spec(project_dir)), lock, _present(plan))
    assert [s.reason.kind for s in again.steps] == ["up_to_date", "up_to_date"]
    assert [s.fingerprint for s in again.steps] == [s.fingerprint for s in plan.steps]


def _recorded(project_dir, resolve, empty_lock, spec=None):
    project = resolve(spec or make_spec(project_dir))
    plan = make_plan(project, empty_lock, {})
    return _record_all(project, empty_lock, plan), plan


def test_changed_title_reruns_only_the_output_showing_it(project_dir, resolve, empty_lock):
    lock, plan = _recorded(project_dir, resolve, empty_lock)
    spec = make_spec(project_dir, titles=(Title("Goodbye", 0.0, 0.5, TextStyle("center"),
                                                outputs=("wide",)),))
    reasons = _reasons(make_plan(resolve(spec), lock, _present(plan)))
    assert reasons["wide/render"] == ("spec_changed", ("overlays.titles[0].text",))
    assert reasons["tall/render"] == ("up_to_date", ())


def test_changed_timing_names_the_solved_fields(project_dir, resolve, empty_lock):
    lock, plan = _recorded(project_dir, resolve, empty_lock)
    spec = make_spec(project_dir, timing=replace(make_spec(project_dir).timing, fps=12))
    kind, details = _reasons(make_plan(resolve(spec), lock, _present(plan)))["tall/render"]
    assert kind == "spec_changed" and "timing.fps" in details and "timing.duration" in details


def test_modified_added_and_removed_photos(project_dir, resolve, empty_lock):
    lock, plan = _recorded(project_dir, resolve, empty_lock)
    write_photo(project_dir / "photos" / "IMG_2.jpg", shade=250)
    write_photo(project_dir / "photos" / "IMG_9.jpg", shade=10)
    (project_dir / "photos" / "IMG_4.jpg").unlink()
    spec = make_spec(project_dir)
    kind, details = _reasons(make_plan(resolve(spec), lock, _present(plan)))["wide/render"]
    assert kind == "input_changed"  # still six photos, so timing is unchanged
    assert set(details) == {"photos/IMG_2.jpg (modified)", "photos/IMG_9.jpg (new)",
                            "photos/IMG_4.jpg (removed)"}
    write_photo(project_dir / "photos" / "IMG_4.jpg", shade=121)
    (project_dir / "photos" / "IMG_9.jpg").unlink()
    kind, details = _reasons(make_plan(resolve(spec), lock, _present(plan)))["wide/render"]
    assert kind == "input_changed"
    assert set(details) == {"photos/IMG_2.jpg (modified)", "photos/IMG_4.jpg (modified)"}


def test_missing_or_modified_output(project_dir, resolve, empty_lock):
    lock, plan = _recorded(project_dir, resolve, empty_lock)
    project = resolve(make_spec(project_dir))
    present = _present(plan)
    present["out/tall.mp4"] = None
    present["out/wide.mp4"] = "0" * 64
    reasons = _reasons(make_plan(project, lock, present))
    assert reasons["tall/render"] == ("output_missing", ("out/tall.mp4",))
    assert reasons["wide/render"] == ("output_missing", ("out/wide.mp4 was modified",))


def test_failed_and_interrupted_steps(project_dir, resolve, empty_lock):
    project = resolve(make_spec(project_dir))
    plan = make_plan(project, empty_lock, {})
    recorder = _Recorder(Prepared(project, empty_lock, plan, []))
    recorder.write("wide/render", {"error": "ffmpeg exploded"}, "failed")
    recorder.write("tall/render", {}, "in_progress")
    reasons = _reasons(make_plan(project, load_lock(empty_lock.path), {}))
    assert reasons["wide/render"] == ("failed", ("ffmpeg exploded",))
    assert reasons["tall/render"] == ("incomplete", ())


def test_force_all_or_some(project_dir, resolve, empty_lock):
    lock, plan = _recorded(project_dir, resolve, empty_lock)
    project = resolve(make_spec(project_dir))
    assert {s.reason.kind for s in make_plan(project, lock, _present(plan), force=True).steps
            } == {"forced"}
    some = _reasons(make_plan(project, lock, _present(plan), force=["tall"]))
    assert some["tall/render"][0] == "forced" and some["wide/render"][0] == "up_to_date"
    only = make_plan(project, lock, _present(plan), only=["tall"])
    assert [s.id for s in only.steps] == ["tall/render"]


def test_nemo_chain_and_upstream_reasons(project_dir, resolve, empty_lock):
    spec = make_spec(project_dir, backend="nemo", music=None, cloud=Cloud(language="en"))
    project = resolve(spec)
    plan = make_plan(project, empty_lock, {})
    wide = [s.id for s in plan.for_output("wide")]
    assert wide == ["wide/session", "wide/upload", "wide/instruct-timeline",
                    "wide/instruct-title-1", "wide/export", "wide/download"]
    title = plan.steps[3]
    assert title.instruction.startswith('Add the title "Hello" from 0 s to 0.5 s')
    assert title.params["kind"] == "title" and title.params["params"]["end"] == 0.5
    # Interrupted in the first instruction: it, the export and the download run again; the
    # session keeps the other instruction, already carried out.
    recorder = _Recorder(Prepared(project, empty_lock, plan, []))
    for step_id in wide:
        recorder.write(step_id, {}, "done")
    recorder.write("wide/instruct-timeline", {"state": "pending"}, "in_progress")
    reasons = _reasons(make_plan(project, load_lock(empty_lock.path), {}))
    assert reasons["wide/session"][0] == "up_to_date"
    assert reasons["wide/instruct-timeline"][0] == "incomplete"
    assert reasons["wide/instruct-title-1"][0] == "up_to_date"
    assert reasons["wide/export"] == ("upstream", ("wide/instruct-timeline",))
    assert reasons["wide/download"] == ("upstream", ("wide/instruct-timeline",))


def test_nemo_instructions_change_with_language(project_dir, resolve, empty_lock):
    music_file = project_dir / "song.wav"
    music_file.write_bytes(b"RIFF")
    spec = make_spec(project_dir, backend="nemo", music=Music("song.wav", volume=0.35),
                     cloud=Cloud(language="zh"))
    plan = make_plan(resolve(spec), empty_lock, {})
    texts = [s.instruction for s in plan.for_output("tall") if s.instruction]
    assert texts[0].startswith("将上传的 6 张照片") and "36x64" in texts[0]
    assert "音量 35%" in texts[-1]


def test_switching_backend_is_one_clear_reason(project_dir, resolve, empty_lock):
    lock, plan = _recorded(project_dir, resolve, empty_lock)
    nemo = make_plan(resolve(make_spec(project_dir)), lock, _present(plan), backend="nemo")
    assert _reasons(nemo)["wide/session"] == ("spec_changed", ("backend local -> nemo",))
