import json
import os
import subprocess
import sys
import textwrap

import pytest

from lapsefile.errors import LockBusyError, LockError, LockVersionError
from lapsefile.lock.lockfile import Lock, load_lock, remove_stale_temps
from lapsefile.lock.records import OutputRecord
from lapsefile.lock.runlock import run_lock


def _lock(tmp_path, **outputs):
    lock = Lock(tmp_path / "lapse.lock", inputs={"p/a.jpg": "aa"},
                outputs={k: OutputRecord.from_dict(v) for k, v in outputs.items()})
    lock.save()
    return lock


def test_roundtrip_and_deterministic_text(tmp_path):
    lock = _lock(tmp_path, main={"steps": {"main/render": {"status": "done", "b": 1, "a": 2}}})
    first = lock.path.read_bytes()
    again = load_lock(lock.path)
    assert again.outputs == lock.outputs and again.inputs == {"p/a.jpg": "aa"}
    again.save()
    assert lock.path.read_bytes() == first  # same content, same bytes
    data = json.loads(first)
    assert data["lockfile_version"] == 1 and list(data) == sorted(data)


def test_missing_lock_is_empty(tmp_path):
    lock = load_lock(tmp_path / "lapse.lock")
    assert lock.outputs == {} and not lock.exists


def test_newer_version_is_refused_naming_the_writer(tmp_path):
    path = tmp_path / "lapse.lock"
    path.write_text(json.dumps({"lockfile_version": 7, "generated_by": "lapsefile 9.1.0",
                                "outputs": {}, "inputs": {}}))
    with pytest.raises(LockVersionError) as info:
        load_lock(path)
    assert "lapsefile 9.1.0" in str(info.value) and "format 7" in str(info.value)
    assert "Upgrade" in str(info.value)


@pytest.mark.parametrize("text, words", [
    ("{not json", "not valid JSON"),
    ('{"outputs": {}}', "not a lapsefile lock"),
    ('{"lockfile_version": 1}', "missing its outputs"),
    ("<<<<<<< HEAD\n", "merge conflict"),
    ('{"lockfile_version": 1, "outputs": [], "inputs": {}}', "outputs should be a mapping"),
    ('{"lockfile_version": 1, "outputs": {"main": 5}, "inputs": {}}',
     "outputs.main should be a mapping"),
    ('{"lockfile_version": 1, "outputs": {"main": {"steps": null}}, "inputs": {}}',
     "outputs.main.steps should be a mapping"),
    ('{"lockfile_version": 1, "outputs": {"m": {"steps": {"m/render": {"artifact": 3}}}}, '
     '"inputs": {}}', "artifact should name a path"),
    ('{"lockfile_version": 1, "outputs": {}, "inputs": {"a.jpg": 7}}', "sha256 strings"),
])
def test_damaged_lock_gives_a_clear_error(tmp_path, text, words):
    path = tmp_path / "lapse.lock"
    path.write_text(text)
    with pytest.raises(LockError) as info:
        load_lock(path)
    assert words in str(info.value) and str(path) in str(info.value)


def test_lock_that_is_not_utf8(tmp_path):
    path = tmp_path / "lapse.lock"
    path.write_bytes(b"\xff\xfe{")
    with pytest.raises(LockError) as info:
        load_lock(path)
    assert "not UTF-8" in str(info.value)


def test_crash_mid_write_leaves_the_old_lock(tmp_path):
    """A real write failure halfway through (file size limit), in a separate process."""
    lock = _lock(tmp_path, main={"steps": {}})
    before = lock.path.read_bytes()
    script = textwrap.dedent(f"""
        import resource, signal, sys
        from pathlib import Path
        from lapsefile.lock.lockfile import load_lock
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        lock = load_lock(Path({str(lock.path)!r}))
        lock.inputs = {{f"photos/IMG_{{i}}.jpg": "f" * 64 for i in range(5000)}}
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        try:
            lock.save()
        except OSError as exc:
            sys.exit(17)
        sys.exit(0)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 17, result.stderr
    assert lock.path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["lapse.lock"]  # no temp left behind


def test_killed_writer_leaves_old_lock_and_temp_is_cleaned(tmp_path):
    lock = _lock(tmp_path)
    before = lock.path.read_bytes()
    (tmp_path / ".lapse.lock.abc123.tmp").write_text('{"half": ')  # what SIGKILL leaves
    assert load_lock(lock.path).inputs == {"p/a.jpg": "aa"}
    assert lock.path.read_bytes() == before
    remove_stale_temps(tmp_path)
    assert not list(tmp_path.glob(".lapse.lock.*"))


HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from lapsefile.lock.runlock import run_lock
    with run_lock(Path(sys.argv[1]), command="lapsefile run (test holder)"):
        print("held", flush=True)
        time.sleep(30)
""")


def test_second_run_is_refused_and_told_who_holds_it(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockBusyError) as info:
            with run_lock(tmp_path, wait=0.2):
                pass
        message = str(info.value)
        assert f"pid {holder.pid}" in message and "test holder" in message
    finally:
        holder.kill()
        holder.wait()
    with run_lock(tmp_path, wait=2):  # the kernel released the dead holder's lock
        assert (tmp_path / ".lapsefile" / "run.holder").exists()
    assert not (tmp_path / ".lapsefile" / "run.holder").exists()
    assert (tmp_path / ".lapsefile" / ".gitignore").read_text().strip().endswith("*")
    assert os.path.exists(tmp_path / ".lapsefile" / "run.lock")
