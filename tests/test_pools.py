"""pools.in_order: results in order, a bounded number ahead, the rest cancelled."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from lapsefile.pools import in_order


def test_results_come_in_order_with_at_most_ahead_submitted():
    # Fault: every item submitted at once (Executor.map: 10,000 futures at the first plan
    # of 10,000 photos), or results out of order when a later item finishes first.
    submitted, taken = [], []
    gate = threading.Lock()

    def work(n: int) -> int:
        with gate:  # ahead, and the one yielded but not yet counted as taken
            assert len(submitted) - len(taken) <= 3 + 1
        return n * n

    def counted(n: int) -> int:
        submitted.append(n)
        return work(n)

    with ThreadPoolExecutor(2) as pool:
        for result in in_order(pool, counted, range(50), ahead=3):
            with gate:
                taken.append(result)
    assert taken == [n * n for n in range(50)]


def test_a_failure_is_raised_in_order_and_the_rest_is_cancelled():
    # Fault: an item's exception lost, raised for the wrong item, or every later item still
    # run after the caller stopped (a broken photo must not cost the decoding of the rest).
    ran = []

    def work(n: int) -> int:
        ran.append(n)
        if n == 5:
            raise ValueError("five")
        return n

    with ThreadPoolExecutor(1) as pool:
        got = []
        with pytest.raises(ValueError, match="five"):
            for result in in_order(pool, work, range(1000), ahead=2):
                got.append(result)
    assert got == [0, 1, 2, 3, 4]
    assert max(ran) <= 8
