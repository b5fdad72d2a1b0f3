"""Each look option lives in its own modules, found by its schema key; the model's Look keeps
the options that are on, in the schema's order."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import lapsefile.plan
from lapsefile import looks
from lapsefile.engine import looks as engine_looks
from lapsefile.looks.deflicker import Deflicker
from lapsefile.spec.defaults import default, filled
from lapsefile.spec.model import Look, look_names
from lapsefile.spec.schema_file import walk_properties

TEMPLATES = Path(lapsefile.plan.__file__).parent / "templates"
LANGUAGES = sorted(p.name for p in TEMPLATES.iterdir() if p.is_dir())


def test_the_options_are_the_schemas_keys_in_its_order() -> None:
    keys = [p.path[1] for p in walk_properties() if len(p.path) == 2 and p.path[0] == "look"]
    assert list(look_names()) == keys and {"deflicker", "blend", "interpolate"} <= set(keys)


@pytest.mark.parametrize("name", look_names())
def test_every_option_has_its_modules_and_phrases(name: str) -> None:
    assert looks.option(name).name == name
    assert engine_looks.engine(name).name == name
    for language in LANGUAGES:
        assert (TEMPLATES / language / "look" / f"{name}.j2").is_file(), (language, name)


@pytest.mark.parametrize("name", look_names())
def test_an_options_default_is_off(name: str) -> None:
    assert looks.parse(name, filled(f"look.{name}", default(f"look.{name}"))) in (
        None, default(f"look.{name}"))
    assert name not in Look({name: default(f"look.{name}")})


def test_a_missing_module_is_named() -> None:
    with pytest.raises(LookupError, match=r"has no module lapsefile/looks/sharpen\.py"):
        looks.option("sharpen")
    with pytest.raises(LookupError, match=r"lapsefile/engine/looks/sharpen\.py"):
        engine_looks.engine("sharpen")


def test_look_keeps_what_is_on_in_schema_order() -> None:
    look = Look(interpolate=True, blend=3, deflicker=Deflicker(size=7))
    assert list(look) == ["deflicker", "blend", "interpolate"]
    assert look.deflicker == Deflicker(7, "am") and look["blend"] == 3
    assert Look(blend=1, deflicker=None, interpolate=False) == Look() and not Look()
    assert Look().get("blend") is None and Look().blend is None
    assert hash(Look(blend=2)) == hash(Look({"blend": 2})) != hash(Look(blend=3))
    assert pickle.loads(pickle.dumps(look)) == look


def test_look_refuses_an_unknown_option_and_changes() -> None:
    with pytest.raises(ValueError, match="not look options: sharpen"):
        Look(sharpen=True)
    with pytest.raises(AttributeError):
        Look().blend = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        _ = Look().sharpen


def test_true_means_the_mapping_of_defaults() -> None:
    assert filled("look.deflicker", True) == {"size": default("look.deflicker.size"),
                                              "mode": default("look.deflicker.mode")}
    assert filled("look.deflicker", {"size": 9}) == {"size": 9,
                                                     "mode": default("look.deflicker.mode")}
    assert filled("look.interpolate", True) is True


def test_instruction_params_are_the_options_that_are_on() -> None:
    look = Look(interpolate=True, deflicker=Deflicker(size=3, mode="gm"))
    assert looks.params(look) == {"deflicker": {"size": 3, "mode": "gm"}, "interpolate": True}
