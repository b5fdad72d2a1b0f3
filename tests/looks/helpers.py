"""A tiny cloud project whose `look:` a test writes, for the look options' own tests."""

from __future__ import annotations

from pathlib import Path

from ..support import write_photo

SPEC = """\
version: 1
frames: photos/*.jpg
timing: {{fps: 10, duration: 1s}}
look: {look}
outputs:
  - {{name: main, path: out/main.mp4, size: 64x36}}
cloud: {{language: {language}}}
backend: nemo
"""


def look_spec(root: Path, look: str, language: str = "en") -> Path:
    """Three photos and a spec with ``look: <look>``; the spec's path."""
    for i in range(1, 4):
        write_photo(root / "photos" / f"IMG_{i}.jpg", shade=i * 40)
    path = root / "lapse.yaml"
    path.write_text(SPEC.format(look=look, language=language), encoding="utf-8")
    return path
