"""The fast paths of hashing keep every answer: the vectorized JPEG marker search finds what
the byte-by-byte pattern finds, and parallel hashing gives each file its own digest, in order.
"""

from __future__ import annotations

import hashlib
import io
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from lapsefile.project import formats
from lapsefile.project.formats import find_marker
from lapsefile.project.integrity import Inspector
from lapsefile.project.statcache import StatCache

# The definition: 0xFF followed by anything but a stuffed zero, a restart code or a fill 0xFF.
_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def scan_data(size: int, seed: int) -> bytearray:
    """Entropy-coded-like bytes: random, every 0xFF stuffed, with restart markers and fills."""
    rng = random.Random(seed)
    data = bytearray(rng.randbytes(size))
    for at in range(size - 1):
        if data[at] == 0xFF:
            data[at + 1] = rng.choice((0x00, 0x00, 0x00, 0xD3, 0xFF))
    data[-1] = 0x00
    return data


def reference(data: bytes | bytearray, pos: int) -> int:
    found = _MARKER.search(data, pos)
    return -1 if found is None else found.start()


@settings(max_examples=40, deadline=None)
@given(size=st.integers(2, 700_000), seed=st.integers(0, 2**32), where=st.floats(0.0, 1.0),
       code=st.sampled_from((0xD9, 0xC4, 0xDA, 0xD8, 0x01)), pos=st.integers(0, 300_000))
def test_the_vectorized_search_finds_the_first_marker_the_pattern_finds(size, seed, where,
                                                                         code, pos):
    data = scan_data(size, seed)
    at = min(int(size * where), size - 2)
    data[at:at + 2] = bytes((0xFF, code))
    pos = min(pos, size)
    assert find_marker(bytes(data), pos) == reference(data, pos)
    assert find_marker(memoryview(data), pos) == reference(data, pos)


@pytest.mark.parametrize("offset", [-2, -1, 0, 1])
def test_a_marker_across_the_edges_of_the_window_and_blocks_is_found(offset):
    for edge in (formats._VECTOR_FROM, formats._VECTOR_FROM + formats._VECTOR_BLOCK):
        data = scan_data(edge + formats._VECTOR_BLOCK * 2, seed=edge)
        data[edge + offset - 1:edge + offset + 1] = b"\xff\xd9"
        assert find_marker(bytes(data), 0) == reference(data, 0) == edge + offset - 1


def test_no_marker_in_long_scan_data_is_none():
    data = scan_data(formats._VECTOR_FROM + 3 * formats._VECTOR_BLOCK, seed=7)
    assert reference(data, 0) == -1
    assert find_marker(bytes(data), 0) == -1


def test_a_large_noisy_jpeg_is_whole_and_every_cut_of_its_scan_is_caught():
    image = Image.effect_noise((900, 600), 90).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    data = out.getvalue()
    assert len(data) > 4 * formats._VECTOR_FROM  # long enough for the vectorized search
    for cut in (len(data), len(data) - 1, len(data) // 2, formats._VECTOR_FROM + 1):
        inspector = Inspector()
        inspector.feed(memoryview(data)[:cut])
        assert (inspector.verdict() == "") is (cut == len(data)), cut


def test_parallel_hashing_gives_each_file_its_digest_in_order(tmp_path):
    contents = {f"f{i}.bin": random.Random(i).randbytes(1000 + i * 70_001) for i in range(12)}
    for name, data in contents.items():
        (tmp_path / name).write_bytes(data)
    files = [(name, (tmp_path / name).stat()) for name in contents]
    entries = StatCache(tmp_path).hash_files(files, workers=4)
    assert list(entries) == list(contents)
    assert [entry.sha256 for entry in entries.values()] == [
        hashlib.sha256(data).hexdigest() for data in contents.values()]
