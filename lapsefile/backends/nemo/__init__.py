"""The ``nemo`` backend: lapsefile's steps executed through the NemoVideo agent API.

Public API: :class:`NemoBackend` (created by the runner), :func:`credits` and
:func:`timeline_summary` (for the CLI's ``credits`` and ``status --remote``).
"""

from __future__ import annotations

from .api import credits, timeline_summary
from .backend import NemoBackend

__all__ = ["NemoBackend", "credits", "timeline_summary"]
