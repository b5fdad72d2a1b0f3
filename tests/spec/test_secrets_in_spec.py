"""A secret reached through ``${VAR}`` is refused when the spec loads, so its value is never
written to lapse.lock, shown by plan/status/run (text or --json), or quoted by a diagnostic."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lapsefile.cli.main import cli
from lapsefile.errors import SpecError
from lapsefile.spec import load_spec
from lapsefile.spec.envvars import is_secret_name, redact

from ..support import write_photo
from .conftest import MakeSpec, spec_errors

TOKEN = "nmv_usr_0123456789abcdef"
# Every kind of place a spec string ends up: instruction texts (title, timestamp format), the
# output path, the cloud settings, the photo globs.
SPEC = """\
version: 1
frames: "{frames}"
overlays:
  titles:
    - text: "{title}"
  timestamp:
    format: "{stamp}"
outputs:
  - path: "{path}"
backend: nemo
cloud:
  templates: "{templates}"
"""
PLAIN = {"frames": "photos/*.jpg", "title": "Hello", "stamp": "%Y", "path": "out/a.mp4",
         "templates": "templates"}
FIELDS = {"frames": ("frames", 2, 9), "title": ("overlays.titles[0].text", 5, 13),
          "stamp": ("overlays.timestamp.format", 7, 13), "path": ("outputs[0].path", 9, 11),
          "templates": ("cloud.templates", 12, 14)}


def spec_text(**values: str) -> str:
    return SPEC.format(**{**PLAIN, **values})


def write(make_spec: MakeSpec, **values: str) -> Path:
    return make_spec(spec_text(**values), files=["templates/en/title.j2"])


@pytest.mark.parametrize("name", ["NEMO_TOKEN", "TOKEN", "GITHUB_TOKEN", "CLIENT_SECRET",
                                  "SECRET_VALUE", "AWS_SECRET_ACCESS_KEY", "API_KEY", "api_key",
                                  "OPENAI_APIKEY", "DB_PASSWORD", "PASSWORD", "MYPASSWD"])
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["YEAR", "TITLE", "PHOTOS", "KEYFRAMES", "MONKEY", "TOKENS",
                                  "NEMO_API_URL", "KEY_COLOUR"])
def test_names_that_are_not_secret(name: str) -> None:
    assert not is_secret_name(name)


@pytest.mark.parametrize("field", list(FIELDS))
def test_a_secret_in_any_field_is_refused_by_name_without_its_value(make_spec: MakeSpec,
                                                                    field: str) -> None:
    path = write(make_spec, **{field: "x ${NEMO_TOKEN}"})
    (error,) = spec_errors(path, env={"NEMO_TOKEN": TOKEN})
    dotted, line, col = FIELDS[field]
    assert (error.path, error.location and (error.location.line, error.location.col)) == \
        (dotted, (line, col))
    assert "${NEMO_TOKEN} names a secret" in error.message
    assert "NEMO_TOKEN itself" in (error.hint or "")
    assert TOKEN not in json.dumps(error.to_dict())


def test_a_secret_is_refused_even_when_unset_or_defaulted(make_spec: MakeSpec) -> None:
    path = write(make_spec, title="${API_KEY:-none}", path="out/${DB_PASSWORD}.mp4")
    errors = spec_errors(path, env={})
    assert [(e.path, e.message.split(" names")[0]) for e in errors] == \
        [("overlays.titles[0].text", "${API_KEY}"), ("outputs[0].path", "${DB_PASSWORD}")]


def test_a_secret_copied_into_an_innocent_variable_is_refused(make_spec: MakeSpec) -> None:
    path = write(make_spec, title="${CAPTION}")
    (error,) = spec_errors(path, env={"NEMO_TOKEN": TOKEN, "CAPTION": f"see {TOKEN}"})
    assert error.path == "overlays.titles[0].text"
    assert "the value of ${CAPTION} contains the value of the secret variable NEMO_TOKEN" \
        in error.message
    assert TOKEN not in json.dumps(error.to_dict())


def test_short_secret_values_are_not_hunted_in_other_variables(make_spec: MakeSpec) -> None:
    path = write(make_spec, title="${CAPTION}")
    spec = load_spec(path, env={"NEMO_TOKEN": "on", "CAPTION": "on and on"})
    assert spec.titles[0].text == "on and on"


def test_an_escaped_reference_to_a_secret_is_plain_text(make_spec: MakeSpec) -> None:
    path = write(make_spec, title="$${NEMO_TOKEN}")
    assert load_spec(path, env={"NEMO_TOKEN": TOKEN}).titles[0].text == "${NEMO_TOKEN}"


# Between tildes, so that no value is also a word of the messages (a value "templates").
secret_values = st.text(string.ascii_letters + string.digits + "-_.:/+=", min_size=6,
                        max_size=40).map(lambda text: f"~{text}~")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=30)
@given(value=secret_values, field=st.sampled_from(list(FIELDS)),
       name=st.sampled_from(["NEMO_TOKEN", "MY_SECRET", "S3_KEY", "SMTP_PASSWORD"]))
def test_no_secret_value_reaches_any_diagnostic(make_spec: MakeSpec, value: str, field: str,
                                                name: str) -> None:
    path = write(make_spec, **{field: f"${{{name}}}", "path": "${OUT}"})
    with pytest.raises(SpecError) as info:
        load_spec(path, env={name: value, "OUT": f"out/{value}.mp4"})
    shown = str(info.value) + json.dumps(info.value.to_dict())
    assert value not in shown
    assert {d.path for d in info.value.diagnostics} >= {FIELDS[field][0], "outputs[0].path"}


def test_redact_blanks_every_secret_value() -> None:
    env = {"NEMO_TOKEN": TOKEN, "OTHER_TOKEN": TOKEN + "-long", "SHORT_KEY": "abc",
           "PHOTOS": "photos-folder"}
    text = f"a {TOKEN}-long b {TOKEN} c abc photos-folder"
    assert redact(text, env) == "a <OTHER_TOKEN> b <NEMO_TOKEN> c abc photos-folder"


@pytest.mark.parametrize("args", [["validate"], ["plan"], ["plan", "--json"], ["status"],
                                  ["status", "--json"], ["run"], ["run", "--json"]])
def test_the_cli_refuses_a_secret_in_the_spec_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    for i in range(1, 4):
        write_photo(tmp_path / "photos" / f"IMG_{i}.jpg")
    Path("lapse.yaml").write_text(
        'version: 1\nframes: "photos/*.jpg"\noverlays:\n  titles:\n'
        '    - text: "Token: ${NEMO_TOKEN}"\noutputs:\n  - path: out/a.mp4\n', encoding="utf-8")
    result = CliRunner().invoke(cli, [*args, "lapse.yaml"], env={"NEMO_TOKEN": TOKEN})
    assert result.exit_code == 1, result.output
    assert "lapse.yaml:5:13: error: ${NEMO_TOKEN} names a secret" in result.stderr
    assert TOKEN not in result.output
    assert not Path("lapse.lock").exists() and not Path("out").exists()
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "lapse.yaml"]
    assert not [p for p in written if TOKEN.encode() in p.read_bytes()]
