"""lapsefile.atomic and lapsefile.paths on real files: content, modes, and what a failure leaves."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lapsefile import atomic
from lapsefile.atomic import (
    atomic_file,
    fixed_temp_path,
    new_file_mode,
    remove_stale_temps,
    replace_durably,
    write_atomic,
)
from lapsefile.backends.nemo.auth import write_cache
from lapsefile.errors import StorageError
from lapsefile.lock.lockfile import Lock
from lapsefile.lock.lockfile import remove_stale_temps as remove_stale_lock_temps
from lapsefile.paths import STATE_DIR, ensure_state_dir, state_dir

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def umask_027():
    previous = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def old_file(tmp_path):
    path = tmp_path / "data.json"
    path.write_bytes(b"old contents\n")
    return path


# -- content and mode --------------------------------------------------------------------------

@posix_only
def test_new_file_gets_content_and_the_umask_mode(tmp_path, umask_027):
    path = tmp_path / "new.json"
    write_atomic(path, b'{"a": 1}\n')
    assert path.read_bytes() == b'{"a": 1}\n'
    assert _mode(path) == 0o640  # 0666 less the umask, not mkstemp's 0600
    assert new_file_mode(tmp_path / "other") == 0o640
    assert _names(tmp_path) == ["new.json"]


@posix_only
def test_replaced_file_keeps_its_mode(old_file, umask_027):
    os.chmod(old_file, 0o604)  # a mode neither the umask nor mkstemp would give
    write_atomic(old_file, b"new")
    assert old_file.read_bytes() == b"new" and _mode(old_file) == 0o604


@posix_only
@pytest.mark.parametrize("exists", [True, False])
def test_explicit_mode_wins(tmp_path, exists):
    path = tmp_path / "secret.json"
    if exists:
        path.write_text("{}")
        os.chmod(path, 0o644)
    write_atomic(path, b"token", mode=0o600)
    assert path.read_bytes() == b"token" and _mode(path) == 0o600


@posix_only
def test_the_mode_is_set_before_any_byte_is_written(tmp_path):
    path = tmp_path / "secret.json"
    with atomic_file(path, mode=0o600) as fh:
        (temp,) = [p for p in tmp_path.iterdir()]
        assert _mode(temp) == 0o600
        assert temp.name.startswith(".secret.json.") and temp.name.endswith(".tmp")
        fh.write(b"x")
    assert _names(tmp_path) == ["secret.json"]


def test_streamed_write_is_invisible_until_the_block_ends(old_file):
    with atomic_file(old_file) as fh:
        fh.write(b"part one, ")
        fh.flush()
        assert old_file.read_bytes() == b"old contents\n"
        fh.write(b"part two")
    assert old_file.read_bytes() == b"part one, part two"
    assert _names(old_file.parent) == ["data.json"]


def test_data_is_fsynced_before_the_rename_and_the_folder_after(old_file, monkeypatch):
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        calls.append("fsync-folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync-file")
        real_fsync(fd)

    def replace(src, dst):
        calls.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    monkeypatch.setattr(atomic.os, "replace", replace)
    write_atomic(old_file, b"new")
    expected = ["fsync-file", "replace"] + (["fsync-folder"] if os.name == "posix" else [])
    assert calls == expected


# -- failures leave the old file and no temp -----------------------------------------------------

class Boom(Exception):
    pass


@pytest.mark.parametrize("error", [Boom("bad data"), KeyboardInterrupt()])
def test_an_exception_in_the_block_keeps_the_old_file(old_file, error):
    with pytest.raises(type(error)):
        with atomic_file(old_file) as fh:
            fh.write(b"half of the new ")
            raise error
    assert old_file.read_bytes() == b"old contents\n"
    assert _names(old_file.parent) == ["data.json"]


def test_a_failing_source_mid_stream_keeps_the_old_file(old_file):
    class FullDisk:
        """A source that fails like a full disk after some data went through."""
        def __init__(self):
            self.chunks = [b"a" * 1000, b"b" * 1000]

        def read(self, _size=-1):
            if self.chunks:
                return self.chunks.pop(0)
            raise OSError(errno.ENOSPC, "No space left on device")

    import shutil
    with pytest.raises(OSError) as info:
        with atomic_file(old_file, suffix=".part") as fh:
            shutil.copyfileobj(FullDisk(), fh)
    assert info.value.errno == errno.ENOSPC
    assert old_file.read_bytes() == b"old contents\n"
    assert _names(old_file.parent) == ["data.json"]


def test_a_failing_fsync_keeps_the_old_file(old_file, monkeypatch):
    def fsync(_fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    with pytest.raises(OSError):
        write_atomic(old_file, b"new")
    assert old_file.read_bytes() == b"old contents\n"
    assert _names(old_file.parent) == ["data.json"]


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_real_write_failure_keeps_the_old_file(old_file):
    """The write itself fails (file size limit -> EFBIG), in a separate process."""
    script = textwrap.dedent(f"""
        import resource, signal, sys
        from pathlib import Path
        from lapsefile.atomic import write_atomic
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        try:
            write_atomic(Path({str(old_file)!r}), b"x" * 100_000)
        except OSError:
            sys.exit(17)
        sys.exit(0)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 17, result.stderr
    assert old_file.read_bytes() == b"old contents\n"
    assert _names(old_file.parent) == ["data.json"]


@posix_only
@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root may write into a read-only folder")
def test_a_read_only_folder_keeps_the_old_file(old_file):
    os.chmod(old_file.parent, 0o555)
    try:
        with pytest.raises(PermissionError):
            write_atomic(old_file, b"new")
    finally:
        os.chmod(old_file.parent, 0o755)
    assert old_file.read_bytes() == b"old contents\n"
    assert _names(old_file.parent) == ["data.json"]


def test_a_missing_folder_is_an_error_not_a_stray_file(tmp_path):
    with pytest.raises(StorageError) as info:  # an OSError, put into words
        write_atomic(tmp_path / "nowhere" / "file", b"x")
    assert info.value.errno == errno.ENOENT
    assert str(tmp_path / "nowhere" / "file") in str(info.value)
    assert _names(tmp_path) == []


# -- temps written by others (ffmpeg) and leftovers ---------------------------------------------

def test_fixed_temp_path_is_hidden_beside_the_file_and_replaced_into_place(tmp_path):
    out = tmp_path / "out" / "long.mp4"
    temp = fixed_temp_path(out)
    assert temp == tmp_path / "out" / ".long.mp4.part"
    out.parent.mkdir()
    out.write_bytes(b"old video")
    temp.write_bytes(b"new video")
    replace_durably(temp, out)
    assert out.read_bytes() == b"new video" and _names(out.parent) == ["long.mp4"]


def test_stale_temps_of_locks_are_removed_and_nothing_else(tmp_path):
    keep = ["lapse.lock", "photo.jpg", ".photo.jpg.abc.tmp", ".lapse.lock.abc.part", "x.tmp"]
    stale = [".lapse.lock.abc123.tmp", ".other.lock.k9.tmp"]
    for name in keep + stale:
        (tmp_path / name).write_text("x")
    remove_stale_lock_temps(tmp_path)
    assert _names(tmp_path) == sorted(keep)
    remove_stale_temps(tmp_path, "photo.jpg")
    assert ".photo.jpg.abc.tmp" not in _names(tmp_path)


def test_a_killed_writer_leaves_a_temp_that_remove_stale_temps_finds(tmp_path):
    lock = Lock(tmp_path / "lapse.lock", inputs={"a.jpg": "aa"})
    lock.save()
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from lapsefile.atomic import atomic_file
        with atomic_file(Path({str(lock.path)!r})) as fh:
            fh.write(b'{{"half": ')
            fh.flush()
            os._exit(9)  # like SIGKILL: no cleanup runs
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 9, result.stderr
    assert len(_names(tmp_path)) == 2
    assert json.loads(lock.path.read_text())["inputs"] == {"a.jpg": "aa"}
    remove_stale_lock_temps(tmp_path)
    assert _names(tmp_path) == ["lapse.lock"]


# -- callers keep their rules ----------------------------------------------------------------

@posix_only
def test_the_lock_keeps_its_mode_and_the_credentials_cache_stays_private(tmp_path, umask_027):
    lock = Lock(tmp_path / "lapse.lock")
    lock.save()
    assert _mode(lock.path) == 0o640
    os.chmod(lock.path, 0o664)
    lock.save()
    assert _mode(lock.path) == 0o664
    cache = tmp_path / "nemo-credentials.json"
    cache.write_text("{}")
    os.chmod(cache, 0o644)
    write_cache(cache, {"client_id": "c"})
    assert _mode(cache) == 0o600 and json.loads(cache.read_text()) == {"client_id": "c"}


# -- the state folder ----------------------------------------------------------------------------

def test_state_dir_is_named_once_and_ignores_itself(tmp_path):
    assert state_dir(tmp_path) == tmp_path / STATE_DIR == tmp_path / ".lapsefile"
    assert not (tmp_path / ".lapsefile").exists()  # naming it creates nothing
    proxies = ensure_state_dir(tmp_path, "proxies")
    assert proxies == tmp_path / ".lapsefile" / "proxies" and proxies.is_dir()
    ignore = tmp_path / ".lapsefile" / ".gitignore"
    assert ignore.read_text().splitlines()[-1] == "*"
    ignore.write_text("# edited by the user\n*\n")
    assert ensure_state_dir(tmp_path) == tmp_path / ".lapsefile"
    assert ignore.read_text() == "# edited by the user\n*\n"  # never overwritten
