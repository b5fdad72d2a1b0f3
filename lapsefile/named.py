"""Features found by name: a module ``<package>.<name>`` holding one object of a known type.

Look options (``looks/``, ``engine/looks/``) are listed nowhere but in the schema; each is a
module named after its key. Imports only the standard library, so any layer may use it.
"""

from __future__ import annotations

import importlib
from typing import TypeVar

T = TypeVar("T")


def load_named(package: str, name: str, attribute: str, kind: type[T]) -> T:
    """``<package>.<name>.<attribute>``, which must be a ``kind`` whose ``name`` is ``name``;
    LookupError naming the file to write otherwise."""
    module_name = f"{package}.{name}"
    where = module_name.replace(".", "/") + ".py"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise  # the module exists but imports something missing: a bug to see as is
        raise LookupError(f"{name!r} has no module {where}") from None
    found = getattr(module, attribute, None)
    if not isinstance(found, kind) or getattr(found, "name", None) != name:
        raise LookupError(f"{where} must define {attribute} = {kind.__name__}({name!r}, ...)")
    return found
