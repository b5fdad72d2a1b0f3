"""A spec resolved against the disk: ordered inputs with hashes, and solved timing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import FrozenInstanceError, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, NamedTuple, overload

from ..spec.model import Spec


class InputFile:
    """One file a project reads: a photo or an asset (music, logo, font). Frozen, compared and
    hashed by its fields, as a frozen dataclass would be.

    ``path`` is made when first asked for (``InputFile.under``): a re-plan of 10,000 photos
    asks for none, and making a Path costs more than the rest of the record.
    """

    __slots__ = ("relpath", "_path", "_root", "size", "mtime_ns", "sha256", "captured_at",
                 "capture_source")
    relpath: str  # POSIX, relative to the spec's folder: what the lock records
    _path: Path | None
    _root: Path | None
    size: int
    mtime_ns: int
    sha256: str
    captured_at: datetime | None  # naive local time as the camera wrote it
    capture_source: Literal["exif", "mtime", "none"]

    def __init__(self, relpath: str, path: Path, size: int, mtime_ns: int, sha256: str,
                 captured_at: datetime | None = None,
                 capture_source: Literal["exif", "mtime", "none"] = "none"):
        """``path``: absolute, for reading."""
        self._fill(relpath, path, None, size, mtime_ns, sha256, captured_at, capture_source)

    @classmethod
    def under(cls, root: Path, relpath: str, size: int, mtime_ns: int, sha256: str,
              captured_at: datetime | None = None,
              capture_source: Literal["exif", "mtime", "none"] = "none") -> InputFile:
        """The file ``relpath`` of the folder ``root``; its ``path`` is made when asked for."""
        made = object.__new__(cls)  # no __init__ call: 10,000 of these per re-plan
        made._fill(relpath, None, root, size, mtime_ns, sha256, captured_at, capture_source)
        return made

    def _fill(self, relpath: str, path: Path | None, root: Path | None, size: int,
              mtime_ns: int, sha256: str, captured_at: datetime | None,
              capture_source: Literal["exif", "mtime", "none"]) -> None:
        _set = object.__setattr__  # frozen: __setattr__ refuses
        _set(self, "relpath", relpath)
        _set(self, "_path", path)
        _set(self, "_root", root)
        _set(self, "size", size)
        _set(self, "mtime_ns", mtime_ns)
        _set(self, "sha256", sha256)
        _set(self, "captured_at", captured_at)
        _set(self, "capture_source", capture_source)

    @property
    def path(self) -> Path:
        """Absolute, for reading."""
        if self._path is None and self._root is not None:
            object.__setattr__(self, "_path", self._root / self.relpath)
        return self._path  # type: ignore[return-value]  # None only if made with None

    def _fields(self) -> tuple[Any, ...]:
        return (self.relpath, self.path, self.size, self.mtime_ns, self.sha256,
                self.captured_at, self.capture_source)

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        names = ("relpath", "path", "size", "mtime_ns", "sha256", "captured_at",
                 "capture_source")
        shown = ", ".join(f"{n}={v!r}" for n, v in zip(names, self._fields()))
        return f"InputFile({shown})"


class FrameFiles(Sequence[InputFile]):
    """The photos a project shows, in display order.

    A resolve makes them from InputFiles. A re-plan served by the snapshot (``snapshot.py``)
    keeps the columns it read instead and makes an InputFile only for a photo asked for: what
    the planner needs of every photo (``relpaths``, ``sha256s``, ``captures``) is read
    from the columns, so a no-op of 10,000 photos makes none.
    """

    __slots__ = ("_files", "_columns")

    def __init__(self, files: Iterable[InputFile] = ()) -> None:
        self._files: list[InputFile | None] = list(files)
        self._columns: _Columns | None = None

    @classmethod
    def from_columns(cls, root: Path, relpaths: list[str], sizes: list[int],
                     mtimes: list[int], sha256s: list[str],
                     captured: list[tuple[datetime | None, str]] | None) -> FrameFiles:
        """Photos given column by column, in display order (``captured``: None when no photo
        has a capture time)."""
        made = cls()
        made._files = [None] * len(relpaths)
        made._columns = _Columns(root, relpaths, sizes, mtimes, sha256s, captured)
        return made

    def relpaths(self) -> list[str]:
        return list(self._columns.relpaths) if self._columns else [f.relpath for f in self]

    def sha256s(self) -> list[str]:
        return list(self._columns.sha256s) if self._columns else [f.sha256 for f in self]

    def captures(self) -> list[tuple[datetime | None, str]]:
        """Each photo's capture time and where it came from (``InputFile.capture_source``)."""
        if self._columns:
            captured = self._columns.captured
            return list(captured) if captured else [(None, "none")] * len(self)
        return [(f.captured_at, f.capture_source) for f in self]

    def __len__(self) -> int:
        return len(self._files)

    @overload
    def __getitem__(self, index: int) -> InputFile: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[InputFile, ...]: ...

    def __getitem__(self, index: int | slice) -> InputFile | tuple[InputFile, ...]:
        if isinstance(index, slice):
            return tuple(self._file(i) for i in range(*index.indices(len(self))))
        return self._file(range(len(self))[index])  # negative indexes; IndexError past the end

    def __iter__(self) -> Iterator[InputFile]:
        return (self._file(i) for i in range(len(self)))

    def _file(self, i: int) -> InputFile:
        made = self._files[i]
        if made is None:
            c = self._columns
            assert c is not None  # only column-made FrameFiles have holes
            when, source = c.captured[i] if c.captured else (None, "none")
            made = self._files[i] = InputFile.under(c.root, c.relpaths[i], c.sizes[i],
                                                    c.mtimes[i], c.sha256s[i], when,
                                                    source)  # type: ignore[arg-type]
        return made

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, (FrameFiles, tuple, list)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"FrameFiles({list(self)!r})"


class _Columns(NamedTuple):
    """The photos' facts, one list per fact, a photo at the same index in each."""

    root: Path
    relpaths: list[str]
    sizes: list[int]
    mtimes: list[int]
    sha256s: list[str]
    captured: list[tuple[datetime | None, str]] | None


@dataclass(frozen=True)
class Timing:
    """The timing solved: the video's rate and length, how long each photo shows, and the
    holds at the ends."""

    fps: float
    duration: float  # seconds of video
    hold: float  # seconds each photo is shown
    photo_count: int
    frame_count: int  # round(duration * fps)
    speedup: float | None = None  # real time / video time, when the shooting interval is known
    interval: float | None = None  # real seconds between two kept photos
    hold_start: float = 0.0  # seconds the first photo is frozen at the start (within duration)
    hold_end: float = 0.0  # seconds the last photo is frozen at the end (within duration)

    @property
    def frames_per_photo(self) -> float:
        return self.hold * self.fps


@dataclass(frozen=True)
class Project:
    """A spec with what it reads resolved: its photos in display order, its assets and the
    timing solved (the spec's, and each output's own)."""

    spec: Spec
    frames: FrameFiles  # in display order, after exclude and every (a sequence: made from one)
    assets: Mapping[str, InputFile]  # music, logo, fonts: relpath -> file
    timing: Timing  # the spec's
    timings: Mapping[str, Timing] = field(default_factory=dict)  # outputs with their own

    def __post_init__(self) -> None:
        if not isinstance(self.frames, FrameFiles):
            object.__setattr__(self, "frames", FrameFiles(self.frames))

    def timing_for(self, output_name: str) -> Timing:
        """The timing ``output_name`` is rendered with: its own, else the spec's."""
        return self.timings.get(output_name, self.timing)

    @property
    def root(self) -> Path:
        return self.spec.root
