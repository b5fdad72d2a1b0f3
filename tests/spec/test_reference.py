from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lapsefile.spec.reference import markdown
from lapsefile.spec.schema_file import path_text, walk_properties


def test_reference_documents_every_property() -> None:
    text = markdown()
    for prop in walk_properties():
        heading = ("## " if len(prop.path) == 1 else "### ") + f"`{path_text(prop.path)}`"
        assert heading in text, heading
        assert str(prop.schema["description"]) in text


def test_reference_shows_defaults_values_and_examples() -> None:
    text = markdown()
    section = text.split("### `outputs[].fit`")[1].split("###")[0]
    assert "**Default:** `cover`" in section
    assert "**Allowed values:** `cover`, `contain`, `blur`" in section
    assert "```yaml\nfit: cover\n# or\nfit: blur\n```" in section
    section = text.split("### `timing.duration`")[1].split("###")[0]
    assert '"1m30s"' in section and "duration: 30s" in section
    assert "**Required** in `outputs[]`." in text.split("### `outputs[].path`")[1]


def test_module_prints_the_reference() -> None:
    result = subprocess.run([sys.executable, "-m", "lapsefile.spec.reference"],
                            capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout == markdown()


def test_readme_embeds_the_current_reference() -> None:
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, str(root / "tools" / "update_readme.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
