"""The README's gallery: every feature's sheet is committed, shown, and made by the script."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

from PIL import Image, ImageStat

ROOT = Path(__file__).resolve().parents[2]


def _gallery():
    """tools/make_gallery.py, imported (tools/ is not a package)."""
    if "make_gallery" in sys.modules:
        return sys.modules["make_gallery"]
    spec = importlib.util.spec_from_file_location("make_gallery",
                                                  ROOT / "tools" / "make_gallery.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_gallery"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_readme_shows_every_features_committed_sheet() -> None:
    gallery = _gallery()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.findall(r"!\[[^\]]*\]\((docs/gallery/[^)]+\.png)\)", readme)
    assert shown == [f"docs/gallery/{f.name}.png" for f in gallery.FEATURES]
    for feature in gallery.FEATURES:
        with Image.open(ROOT / "docs" / "gallery" / f"{feature.name}.png") as image:
            rows = 2 if feature.compare else 1
            assert image.size == (gallery.TILE[0] * gallery.MOMENTS,
                                  22 + rows * (gallery.TILE[1] + 18)), feature.name


def test_the_script_makes_a_sheet_of_real_frames(tmp_path: Path) -> None:
    gallery = _gallery()
    gallery.main(["--out", str(tmp_path), "--only", "holds"])
    with Image.open(tmp_path / "holds.png") as sheet:
        sheet = sheet.convert("RGB")
        assert sheet.size == (960, 22 + 90 + 18)
        tiles = [sheet.crop((x, 40, x + 160, 130)) for x in range(0, 960, 160)]
        # real frames of the sunset: a picture in each, and the light changing along the row
        assert all(max(ImageStat.Stat(t).stddev) > 10 for t in tiles)
        means = [sum(ImageStat.Stat(t).mean) for t in tiles]
        assert means[0] > means[-1] + 60  # dusk falls
