"""The compact stat cache: columns read back as they were written, a damaged file rebuilt,
and a row of a file changed in the same mtime tick as the cache was written never trusted
(git's racy rule).

Faults reproduced: a damaged cache crashing or trusted, a same-size rewrite within the same
mtime tick keeping a stale hash, and an untrusted row vouched for by a later run's save.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lapsefile.project.statcache import StatCache, sha256_file

HOUR_NS = 3600 * 10**9


def rows(root: Path, *names: str) -> list[tuple[str, os.stat_result]]:
    return [(name, os.stat(root / name)) for name in names]


def rewrite_keeping_stat(path: Path, data: bytes) -> None:
    """New bytes of the same size with the mtime put back: the stat says nothing changed."""
    st = path.stat()
    assert len(data) == st.st_size
    path.write_bytes(data)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_rows_read_back_as_written(tmp_path):
    (tmp_path / "a.bin").write_bytes(b"a" * 100)
    (tmp_path / "b.bin").write_bytes(b"b" * 10)
    for name in ("a.bin", "b.bin"):  # long unchanged
        os.utime(tmp_path / name, ns=(1, 10**18))
    cache = StatCache.load(tmp_path)
    made = cache.hash_files(rows(tmp_path, "a.bin", "b.bin"))
    cache.entries["a.bin"].captured = "2024-05-01T10:00:00"
    cache.entries["a.bin"].exif_damaged = True
    cache.save()
    again = StatCache.load(tmp_path)
    assert again.entries["a.bin"] == made["a.bin"]
    assert again.lookup("b.bin", os.stat(tmp_path / "b.bin")) == made["b.bin"]


@pytest.mark.parametrize("damage", ["truncated", "lengths", "not hex", "wrong type"])
def test_a_damaged_cache_is_not_trusted(tmp_path, damage):
    photo = tmp_path / "a.bin"
    photo.write_bytes(b"a" * 100)
    os.utime(photo, ns=(1, 10**18))
    cache = StatCache.load(tmp_path)
    cache.hash_files(rows(tmp_path, "a.bin"))
    cache.save()
    text = cache.path.read_text()
    data = json.loads(text)
    cache.path.write_text({
        "truncated": text[:-20],
        "lengths": json.dumps({**data, "stats": data["stats"][:-1]}),
        "not hex": json.dumps({**data, "sha256": "z" * 64}),
        "wrong type": json.dumps({**data, "stats": [str(data["stats"][0]), *data["stats"][1:]]}),
    }[damage])
    rewrite_keeping_stat(photo, b"b" * 100)
    entry = StatCache.load(tmp_path).hash_files(rows(tmp_path, "a.bin"))["a.bin"]
    assert entry.sha256 == sha256_file(photo)


def same_tick(cache: StatCache, path: Path) -> None:
    """The cache written in the tick ``path`` last changed in (a coarse clock's tick)."""
    when = path.stat().st_mtime_ns
    os.utime(cache.path, ns=(when, when))


def test_a_file_changed_in_the_tick_the_cache_was_written_is_hashed_again(tmp_path):
    photo = tmp_path / "a.bin"
    photo.write_bytes(b"a" * 100)
    cache = StatCache.load(tmp_path)
    cache.hash_files(rows(tmp_path, "a.bin"))
    cache.save()
    same_tick(cache, photo)
    rewrite_keeping_stat(photo, b"b" * 100)  # changed again: the stat cannot tell
    entry = StatCache.load(tmp_path).hash_files(rows(tmp_path, "a.bin"))["a.bin"]
    assert entry.sha256 == sha256_file(photo)


def test_an_untrusted_row_is_not_kept_by_a_later_save(tmp_path):
    (tmp_path / "a.bin").write_bytes(b"a" * 100)
    (tmp_path / "b.bin").write_bytes(b"b" * 100)
    cache = StatCache.load(tmp_path)
    cache.hash_files(rows(tmp_path, "a.bin", "b.bin"))
    cache.save()
    same_tick(cache, tmp_path / "b.bin")  # b.bin's row is not trusted
    (tmp_path / "c.bin").write_bytes(b"c")
    later = StatCache.load(tmp_path)
    later.hash_files(rows(tmp_path, "c.bin"))  # b.bin is not looked at in this run
    later.save()  # a later mtime, which would vouch for b.bin's row
    assert "b.bin" not in StatCache.load(tmp_path).entries


def test_the_cache_of_earlier_releases_is_removed_once_the_new_one_is_written(tmp_path):
    # Fault: an upgraded project keeps the old cache file (a hash for every photo, never
    # read again) in its state folder for ever.
    from lapsefile.paths import state_dir
    from lapsefile.project.statcache import CACHE_NAME, OLD_CACHE_FILE

    (tmp_path / "a.bin").write_bytes(b"a" * 100)
    old = state_dir(tmp_path) / OLD_CACHE_FILE
    old.parent.mkdir()
    old.write_text('{"a.bin": [100, 1, 1, "00"]}')
    cache = StatCache.load(tmp_path)
    cache.hash_files(rows(tmp_path, "a.bin"))
    cache.save()
    assert not old.exists() and (state_dir(tmp_path) / "cache" / CACHE_NAME).is_file()
