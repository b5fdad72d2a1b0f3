"""What the ``lapsefile`` command sets for its own process before any command runs."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# Runs the command's entry point, then loads numpy as the hashing and the decoder do, and
# prints the variable and how many threads the process has (OpenBLAS's are native threads,
# invisible to ``threading``).
PROBE = """
import os, sys
from lapsefile.cli.main import main
sys.argv = ["lapsefile", "--version"]
try:
    main()
except SystemExit:
    pass
import numpy
print(os.environ.get("OPENBLAS_NUM_THREADS"), len(os.listdir("/proc/self/task")))
"""


def _probe(**env: str) -> tuple[str, int]:
    clean = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run([sys.executable, "-c", PROBE], env={**clean, **env},
                          capture_output=True, text=True, check=True)
    value, threads = done.stdout.split()[-2:]
    return value, int(threads)


@pytest.mark.skipif(not os.path.isdir("/proc/self/task") or (os.cpu_count() or 1) < 2,
                    reason="counts a process's threads in Linux's /proc; needs 2 cores")
def test_numpy_loads_without_blas_threads_unless_the_user_asks():
    # Fault: OpenBLAS starts a spinning thread per core when numpy loads, taking CPU from the
    # decoding threads (the setting lost from main(), or set after the command ran).
    assert _probe() == ("1", 1)
    value, threads = _probe(OPENBLAS_NUM_THREADS="2")
    assert (value, threads) == ("2", 2)  # the user's own setting wins
