"""The environment instruction templates render in: project overrides confined to the project,
filters, and bounds that turn hostile or broken templates into quick SpecErrors."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from lapsefile.errors import Location, SpecError
from lapsefile.plan import template_limits
from lapsefile.plan.template_env import article, num, render_template, template_environment

TITLE = {"text": "Hello", "start": 0, "end": 0.5, "position": "center", "size_pct": 5.0,
         "color": "white", "box": False, "box_color": "black", "fade_in": 0.5, "fade_out": 0.5}
WHERE = Location("lapse.yaml", 7, 14)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with a templates folder ``wording/en``, and a folder beside it."""
    (tmp_path / "project" / "wording" / "en").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.j2").write_text("token: nmv_usr_secret")
    return tmp_path / "project"


def _write(project: Path, body: str, name: str = "title.j2") -> None:
    path = project / "wording" / "en" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")


def _render(project: Path, name: str = "en/title.j2", params: dict | None = None) -> str:
    env = template_environment(project, "wording", WHERE)
    return render_template(env, name, TITLE if params is None else params, WHERE)


def _refused(call) -> str:
    """The one diagnostic of the SpecError ``call`` raises, checked for what every one has."""
    with pytest.raises(SpecError) as info:
        call()
    assert info.value.exit_code == 1
    (diagnostic,) = info.value.diagnostics
    assert diagnostic.path == "cloud.templates" and diagnostic.location == WHERE
    assert diagnostic.hint
    return str(info.value)


# -- templates and filters -----------------------------------------------------------------------

def test_built_in_templates_render(tmp_path):
    env = template_environment(tmp_path, None, None)
    assert render_template(env, "en/title.j2", TITLE, None) == (
        'Add the title "Hello" from 0 s to 0.5 s, at the center of the frame, text height 5% of '
        "the frame height, colour white, fading in over 0.5 s and out over 0.5 s.")
    assert render_template(env, "zh/title.j2", TITLE, None).startswith(
        "添加标题“Hello”，从 0 秒到 0.5 秒，位置：画面中央")


def test_a_project_template_overrides_the_built_in_one_of_the_same_name(project):
    _write(project, 'Put "{{ text }}" on screen until {{ end|num }} s.')
    _write(project, "Change {{ changed|join(', ') }}.", "edit/title.j2")
    assert _render(project) == 'Put "Hello" on screen until 0.5 s.'
    assert _render(project, "en/edit/title.j2", {"changed": ["end", "text"]}) == (
        "Change end, text.")
    assert _render(project, "zh/title.j2").startswith("添加标题“Hello”")  # not overridden


def test_a_template_linked_to_another_inside_the_folder_is_fine(project):
    _write(project, "Hello {{ text }}.", "real.j2")
    os.symlink(project / "wording" / "en" / "real.j2", project / "wording" / "en" / "title.j2")
    assert _render(project) == "Hello Hello."


@pytest.mark.parametrize("value, spoken", [
    (8, "an"), (11, "an"), (18, "an"), (80, "an"), (800, "an"), (8000, "an"), (11000, "an"),
    (18500, "an"), (8.5, "an"), (1.5, "a"), (30, "a"), (1, "a"), (100, "a"), (0.8, "a"),
    (0, "a"), (1100, "a"), (88, "an"), (180, "a"), (8_000_000, "an"), (-8, "a"),
    (7.9999, "an"),  # said as num() writes it: "8"
])
def test_the_article_filter_follows_the_spoken_number(value, spoken):
    assert article(value) == spoken


def test_filters_in_a_template(project):
    _write(project, "{{ duration|a }} {{ duration|num }}-second timelapse, {{ hold|num }} s, "
                    "{{ 'bottom-right'|zh_position }}")
    assert _render(project, params={"duration": 8, "hold": 1 / 24}) == (
        "an 8-second timelapse, 0.042 s, 右下")


@pytest.mark.parametrize("value, text", [(30, "30"), (2.5, "2.5"), (1 / 24, "0.042"),
                                         (0.0, "0"), (-0.0001, "0")])
def test_num_is_short_and_exact_enough(value, text):
    assert num(value) == text


# -- the templates folder and files stay inside the project --------------------------------------

@pytest.mark.parametrize("folder, words", [
    ("../outside", "climbs out"), ("wording/../../outside", "climbs out"),
    ("..\\outside", "climbs out"), ("{outside}", "absolute"), ("/etc", "absolute"),
    ("C:\\templates", "absolute"), ("linked", "leads outside the project"),
    ("missing", "not found"), ("a-file", "not found"),
])
def test_a_folder_outside_the_project_is_refused(project, tmp_path, folder, words):
    os.symlink(tmp_path / "outside", project / "linked")
    (project / "a-file").write_text("not a folder")
    folder = folder.format(outside=tmp_path / "outside")
    assert words in _refused(lambda: template_environment(project, folder, WHERE))


def test_a_template_linked_to_a_file_outside_the_folder_is_refused(project, tmp_path):
    os.symlink(tmp_path / "outside" / "secret.j2", project / "wording" / "en" / "title.j2")
    message = _refused(lambda: _render(project))
    assert "leads outside the templates folder" in message and "title.j2" in message
    assert "nmv_usr_secret" not in message


def test_a_linked_language_folder_outside_is_refused_too(project, tmp_path):
    (tmp_path / "outside" / "zh").mkdir()
    (tmp_path / "outside" / "zh" / "title.j2").write_text("leaked")
    os.symlink(tmp_path / "outside" / "zh", project / "wording" / "zh")
    assert "leads outside" in _refused(lambda: _render(project, "zh/title.j2"))


def test_a_huge_template_file_is_refused(project):
    _write(project, "x" * (template_limits.TEMPLATE_BYTES_CAP + 1))
    assert "too big" in _refused(lambda: _render(project))


# -- broken and hostile templates ----------------------------------------------------------------

@pytest.mark.parametrize("body, words", [
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "calls itself"),
    ('{{ "x" * 10**9 }}', "over 20,000"),
    ("{% for i in range(10**9) %}x{% endfor %}", "range() of over 10,000"),
    ("{{ ().__class__ }}", "unsafe"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "unsafe"),
    ("{{ no_such_value }}", "'no_such_value' is undefined"),
    ("line one\n{% if %}", "line 2 failed: syntax error"),
    ("{{ 2 ** (10**9) }}", "power of over"),
    ("{% set ns = namespace(x=3) %}{% for i in range(99) %}{% set ns.x = ns.x * ns.x %}"
     "{% endfor %}", "product of over"),
    ("{% set ns = namespace(s='x') %}{% for i in range(99) %}{% set ns.s = ns.s ~ ns.s %}"
     "{% endfor %}", "joined with ~"),
    ("{% set l = [1] %}{% for i in range(99) %}{% set _ = l.extend(l) %}{% endfor %}",
     "grew"),
    ("{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}",
     "loops took over"),
    ('{{ "x".center(10**9) }}', ".center()"),
    ('{{ "{:>999999999}".format(1) }}', "formatted field"),
    ('{{ "{:{}}".format(1, 999999999) }}', "formatted field"),
    ('{{ "%999999999s" % 1 }}', "formatted field"),
    ('{{ "%.999999999f"|format(1) }}', "formatted field"),
    ('{{ ("x\n" * 5000)|indent(10000) }}', "|indent"),
    ('{{ range(5000)|join("y" * 15000) }}', "|join"),
    ("{{ [1]|batch(10**9, 0)|list }}", "|batch"),
    ("{{ [1]|slice(10**9, 0)|list }}", "|slice"),
    ('{{ "ab"|replace("", "y" * 15000) }}', "|replace"),
    ('{{ "ab".replace("", "y" * 15000) }}', ".replace()"),
    ("{% set s = 'y' * 15000 %}{% set b %}{% for i in range(10000) %}{{ s }}{% endfor %}"
     "{% endset %}", "printed over"),
    ("{% for i in range(10000) %}xyz{% endfor %}", "output is over"),
    ("{% for x in [[1]] recursive %}{{ loop([[1]]) }}{% endfor %}", "calls itself"),
    ("{{ lipsum(1000000) }}", "'lipsum' is undefined"),
    ("{{ 1 + 'a' }}", "TypeError"),
    ("{{ 1 / 0 }}", "ZeroDivisionError"),
])
def test_bad_or_hostile_templates_are_quick_spec_errors(project, body, words):
    _write(project, body)
    started = time.monotonic()
    message = _refused(lambda: _render(project))
    assert time.monotonic() - started < 1.0
    assert words in message, message
    assert "wording/en/title.j2" in message and "fix the template" in message


def test_the_failing_line_is_named(project):
    _write(project, "Add the title\n\n{{ text }} until {{ nope }}.")
    assert "wording/en/title.j2 line 3 failed" in _refused(lambda: _render(project))


def test_a_template_that_runs_too_long_is_stopped(project, monkeypatch):
    monkeypatch.setattr(template_limits, "TIME_CAP", 0.2)
    _write(project, "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}"
                    "{% endmacro %}{{ f(40) }}")
    started = time.monotonic()
    assert "ran for over 0.2 s" in _refused(lambda: _render(project))
    assert time.monotonic() - started < 1.0


def test_a_built_in_template_failing_is_named_as_built_in(tmp_path):
    env = template_environment(tmp_path, None, WHERE)
    assert "en/title.j2 (built-in)" in _refused(
        lambda: render_template(env, "en/title.j2", {}, WHERE))


def test_budgets_are_per_render(project):
    _write(project, "{% for i in range(6000) %}{% endfor %}{{ text }}")
    env = template_environment(project, "wording", WHERE)
    for _ in range(3):  # 18,000 loop steps in all, 6,000 per render
        assert render_template(env, "en/title.j2", TITLE, WHERE) == "Hello"
