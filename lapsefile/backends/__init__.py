"""Backends execute plan steps: ``local`` renders with ffmpeg, ``nemo`` drives the cloud API.

Which backends exist, and how each is loaded and planned, is said once, in
:mod:`lapsefile.backends.registry` (built-ins and the ``lapsefile.backends`` entry points).
"""

from __future__ import annotations

from .base import Backend
from .registry import BackendEntry, UnknownBackend, names

__all__ = ["Backend", "BackendEntry", "UnknownBackend", "get_backend", "names"]


def get_backend(name: str) -> Backend:
    """A new instance of the backend ``name``; imported on demand (the local engine and the
    HTTP client are not needed by ``validate``). Raises UnknownBackend for an unknown name."""
    from .registry import get

    return get(name).load()
