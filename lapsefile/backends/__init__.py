"""Backends execute plan steps: ``local`` renders with ffmpeg, ``nemo`` drives the cloud API."""

from __future__ import annotations

from .base import Backend

NAMES = ("local", "nemo")


def get_backend(name: str) -> Backend:
    # Imported on demand: the local engine and the HTTP client are not needed by `validate`.
    if name == "local":
        from .local import LocalBackend

        return LocalBackend()
    if name == "nemo":
        from .nemo import NemoBackend

        return NemoBackend()
    raise ValueError(f"unknown backend {name!r}; choose one of {', '.join(NAMES)}")
