"""The folder a render works in: list files, text files and links under plain names.

ffmpeg runs with this folder as its working directory, so the filter graph refers to files by
these names only: no user path ever needs escaping inside a graph, and the arguments recorded
in the lockfile hold no absolute paths.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..errors import RenderError


class Workdir:
    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="lapsefile-render-"))
        self._links: dict[Path, str] = {}

    def write(self, name: str, text: str) -> str:
        (self.path / name).write_text(text, encoding="utf-8")
        return name

    def link(self, source: Path, stem: str) -> str:
        """A plain name in the work folder for ``source`` (the same name for the same file)."""
        source = Path(source).resolve()
        if source in self._links:
            return self._links[source]
        if not source.is_file():
            raise RenderError(f"file not found: {source}")
        name = f"{stem}-{len(self._links)}{source.suffix.lower()}"
        try:
            os.symlink(source, self.path / name)
        except OSError:  # no symlinks here (some Windows setups): a copy reads the same
            shutil.copyfile(source, self.path / name)
        self._links[source] = name
        return name

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self) -> Workdir:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()
