from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image


def write_photo(path: Path, shade: int = 128, when: datetime | None = None,
                subsec: str | None = None, size: tuple[int, int] = (16, 12)) -> Path:
    """A tiny JPEG, optionally with EXIF DateTimeOriginal (+ SubSecTimeOriginal)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new("RGB", size, (shade, shade, shade))
    exif = Image.Exif()
    if when is not None:
        sub = exif.get_ifd(0x8769)
        sub[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")
        if subsec is not None:
            sub[0x9291] = subsec
    img.save(path, "JPEG", exif=exif.tobytes())
    return path


@pytest.fixture
def photo():
    return write_photo


from dataclasses import replace  # noqa: E402

from lapsefile.lock.lockfile import Lock  # noqa: E402
from lapsefile.project.resolve import resolve_project  # noqa: E402
from lapsefile.spec.model import Frames, Look, Output, Spec, TextStyle, TimingRequest, Title  # noqa: E402


def make_spec(root: Path, **changes) -> Spec:
    spec = Spec(
        path=root / "lapse.yaml", version=1,
        frames=Frames(include=("photos/*.jpg",)),
        timing=TimingRequest(fps=10),
        look=Look(),
        titles=(Title("Hello", 0.0, 0.5, TextStyle(position="center"), outputs=("wide",)),),
        timestamp=None, logo=None, music=None,
        outputs=(Output("wide", "out/wide.mp4", 64, 36, "16:9"),
                 Output("tall", "out/tall.mp4", 36, 64, "9:16")),
    )
    return replace(spec, **changes)


@pytest.fixture
def project_dir(tmp_path):
    for i in range(1, 7):
        write_photo(tmp_path / "photos" / f"IMG_{i}.jpg", shade=i * 30)
    return tmp_path


@pytest.fixture
def resolve():
    def _resolve(spec):
        project, _warnings = resolve_project(spec)
        return project
    return _resolve


@pytest.fixture
def empty_lock(tmp_path):
    return Lock(tmp_path / "lapse.lock")
