"""Backends execute plan steps: ``local`` renders with ffmpeg, ``nemo`` drives the cloud API.

Which backends exist, and how each is loaded and planned, is said once, in
:mod:`lapsefile.backends.registry` (built-ins and the ``lapsefile.backends`` entry points).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .registry import BackendEntry, UnknownBackend, names

if TYPE_CHECKING:
    from .base import Backend

__all__ = ["Backend", "BackendEntry", "UnknownBackend", "get_backend", "names"]


def __getattr__(name: str) -> Any:
    """``Backend`` (the protocol, ``base.py``) on first use: the planner and ``validate``
    import this package for its registry, and never run a backend."""
    if name == "Backend":
        from .base import Backend

        return Backend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get_backend(name: str) -> Backend:
    """A new instance of the backend ``name``; imported on demand (the local engine and the
    HTTP client are not needed by ``validate``). Raises UnknownBackend for an unknown name."""
    from .registry import get

    return get(name).load()
