"""Cloud instruction texts: templates, languages, project overrides, the sandbox."""

from dataclasses import replace

import pytest

from lapsefile.errors import SpecError
from lapsefile.looks.deflicker import Deflicker
from lapsefile.plan.instructions import render_instructions
from lapsefile.spec.model import Cloud, Logo, Look, Music, Timestamp

from ..support import make_spec


def _texts(project, output="wide"):
    return {i.key: i.text for i in render_instructions(project, project.spec.output(output))}


def test_every_kind_in_english(project_dir, resolve):
    (project_dir / "logo.png").write_bytes(b"x")
    (project_dir / "song.mp3").write_bytes(b"x")
    spec = make_spec(project_dir, backend="nemo", look=Look(deflicker=Deflicker(7, "gm"), blend=3),
                     timestamp=Timestamp(), logo=Logo("logo.png", opacity=0.8),
                     music=Music("song.mp3", volume=0.35, fade_out=2, fit="cut"))
    texts = _texts(resolve(spec))
    assert list(texts) == ["timeline", "look", "title-1", "timestamp", "logo", "music"]
    assert texts["timeline"] == (
        "Combine the 6 uploaded photos, in upload order, into a 0.6-second timelapse at 10 fps, "
        "64x36 (16:9), cropped to fill the frame. Show each photo for 0.1 seconds.")
    assert texts["look"] == ("Smooth the timelapse: remove flicker by averaging brightness over 7"
                             " frames (mode gm); blend every 3 consecutive frames.")
    assert texts["logo"] == ("Overlay the uploaded image logo.png at the top-right of the frame, "
                             "15% of the frame width, at 80% opacity, for the whole video.")
    assert "cut to match the 0.6-second video" in texts["music"]
    assert "at 35% volume" in texts["music"]


def test_titles_only_for_outputs_that_show_them(project_dir, resolve):
    project = resolve(make_spec(project_dir, backend="nemo"))
    assert "title-1" in _texts(project, "wide") and "title-1" not in _texts(project, "tall")


def test_project_templates_override_the_built_in_ones(project_dir, resolve):
    folder = project_dir / "wording" / "en"
    folder.mkdir(parents=True)
    (folder / "title.j2").write_text('Put "{{ text }}" on screen until {{ end|num }} s.\n')
    spec = make_spec(project_dir, backend="nemo", cloud=Cloud(templates="wording"))
    texts = _texts(resolve(spec))
    assert texts["title-1"] == 'Put "Hello" on screen until 0.5 s.'
    assert texts["timeline"].startswith("Combine the 6 uploaded photos")  # not overridden


@pytest.mark.parametrize("body, words", [
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "unsafe"),
    ("{{ no_such_value }}", "undefined"),
    ("{% if %}", "title.j2"),
])
def test_bad_or_unsafe_project_templates_are_spec_errors(project_dir, resolve, body, words):
    folder = project_dir / "wording" / "en"
    folder.mkdir(parents=True)
    (folder / "title.j2").write_text(body)
    spec = make_spec(project_dir, backend="nemo", cloud=Cloud(templates="wording"))
    with pytest.raises(SpecError) as info:
        render_instructions(resolve(spec), spec.output("wide"))
    assert words in str(info.value) and "cloud.templates" in str(info.value)


def test_chinese_positions_and_numbers(project_dir, resolve):
    spec = make_spec(project_dir, backend="nemo", cloud=Cloud(language="zh"),
                     timestamp=Timestamp())
    texts = _texts(resolve(replace(spec)))
    assert texts["title-1"].startswith("添加标题“Hello”，从 0 秒到 0.5 秒，位置：画面中央")
    assert "位置：画面右下" in texts["timestamp"]
