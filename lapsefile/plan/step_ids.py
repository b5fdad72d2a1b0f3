"""The one spelling of step ids: ``<output>/<action>`` (``main/render``, ``main/session``) and
``<output>/instruct-<key>`` for a cloud instruction (``main/instruct-title-1``).

Step ids are keys of ``lapse.lock``, so this spelling is part of the lock format.
"""

from __future__ import annotations

RENDER, SESSION, UPLOAD, EXPORT, DOWNLOAD = "render", "session", "upload", "export", "download"
INSTRUCT = "instruct"


def step_id(output: str, action: str) -> str:
    """``main/session``: the step ``action`` (or ``instruct-<key>``) of ``output``."""
    return f"{output}/{action}"


def instruct_id(output: str, key: str) -> str:
    """``main/instruct-title-1``: the step sending ``output``'s instruction ``key``."""
    return step_id(output, f"{INSTRUCT}-{key}")


def output_of(step_id: str) -> str:
    """The output a step belongs to: ``main/instruct-title-1`` -> ``main``."""
    return step_id.split("/", 1)[0]
