"""Look options: what ``look:`` in lapse.yaml may say, one module per option.

An option is its key in the schema (``schemas/lapse.schema.json``, ``$defs.look``: the one
source of its name, its accepted values, its default and its place in the order the options
are applied), a module here named after the key (``deflicker.py``) holding ``OPTION``, a
:class:`~.base.LookOption`, its engine filter in ``lapsefile/engine/looks/<name>.py``, and its
phrase of the cloud instruction, ``lapsefile/plan/templates/<language>/look/<name>.j2``. Nothing
else names an option: the model (:class:`~lapsefile.spec.model.Look`), the fingerprint, the
instruction and the engine find them all through the schema's keys and these modules.

The spec layer builds the model with it, so it imports from lapsefile only ``named.py`` (how a
module is found by name) and the schema's defaults (``spec/defaults.py``, for an option's
sub-keys), the latter only in option modules, which are imported on first use.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from ..named import load_named
from .base import LookOption, as_data

__all__ = ["LookOption", "as_data", "canonical", "option", "params", "parse"]


@cache
def option(name: str) -> LookOption:
    """The option ``name`` (its module ``lapsefile.looks.<name>``)."""
    return load_named(__name__, name, "OPTION", LookOption)


def parse(name: str, value: Any) -> Any:
    """The model's value of option ``name`` from its schema-checked value, sub-keys' defaults
    filled (:func:`lapsefile.spec.defaults.filled`); None (or the default) means off."""
    if value is None or value is False:
        return None
    return option(name).parse(value)


def canonical(recorded: Mapping[str, Any]) -> dict[str, Any]:
    """Look instruction params as :func:`params` gives them today, whatever version of
    lapsefile ``recorded`` them: an option that is off is absent (older records listed every
    option, off ones as ``blend: 1``, ``deflicker: null``). So an unchanged look never reads as
    an edit, which would be sent and paid for."""
    from ..spec.defaults import filled  # here: option modules import spec.defaults too
    from ..spec.model import Look, look_names

    return params(Look({name: parse(name, filled(f"look.{name}", recorded[name]))
                        for name in look_names() if name in recorded}))


def params(look: Mapping[str, Any]) -> dict[str, Any]:
    """What the cloud instruction for ``look`` states, as JSON data: each option that is on,
    by its name (the template says them in the order they apply: ``look_options()``)."""
    return {name: option(name).params(value) for name, value in look.items()}
