"""Checks that need the disk but not the photos: referenced files, output paths, names.

Glob matching, image types and anything that depends on timing are the project resolver's;
what is here can be told from the spec and the few files it names.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from ..disk_looks import Looks
from ..errors import Diagnostic
from . import formats
from .colours import FFMPEG_COLOUR_NAMES
from .document import Document
from .model import AUDIO_TYPES, IMAGE_TYPES, Output, TextStyle
from .normalize import Parts
from .paths import DocPath, dotted, nearest
from .suggest import did_you_mean

LOCAL_ONLY_AUDIO_TYPES: tuple[str, ...] = (".flac", ".ogg")
FONT_TYPES: tuple[str, ...] = (".ttf", ".otf", ".ttc")


class SemanticChecker:
    def __init__(self, parts: Parts, data: dict[str, Any], document: Document, root: Path,
                 display: Callable[[Path], str], disk: bool = True,
                 looks: Looks | None = None):
        self.parts, self.data, self.document = parts, data, document
        self.root, self.display = root, display
        self.disk = disk  # False: the spec alone (files it names may not be here, as in git)
        # Every path an answer here depends on (check_cache.py keeps verdicts by them).
        self.looks = looks if looks is not None else Looks()
        self.diagnostics: list[Diagnostic] = []

    def report(self, message: str, path: DocPath, hint: str | None = None,
               severity: str = "error") -> None:
        self.diagnostics.append(Diagnostic(
            message, path=dotted(path), location=nearest(self.document.values, path),
            hint=hint, severity=severity))  # type: ignore[arg-type]

    def run(self) -> list[Diagnostic]:
        self.music()
        self.logo()
        self.fonts()
        self.templates()
        self.colours()
        self.output_paths()
        self.output_formats()
        self.posters()
        self.overlay_outputs()
        return self.diagnostics

    def existing_file(self, what: str, relpath: str, path: DocPath) -> bool:
        """Report a missing file or a folder in its place; True when it is a file (False,
        unreported, when the disk is not looked at)."""
        if not self.disk:
            return False
        target = self.root / relpath
        self.looks.note(target)
        if target.is_file():
            return True
        if target.is_dir():
            self.report(f"{what} {relpath} is a folder, not a file", path)
        else:
            shown = self.display(target)
            looked = f" (looked for {shown})" if shown != relpath else ""
            self.report(f"{what} not found: {relpath}{looked}", path,
                        hint="paths are relative to the folder of the lapse.yaml")
        return False

    def music(self) -> None:
        music = self.parts.music
        if music is None:
            return
        path: DocPath = ("music",) if isinstance(self.data.get("music"), str) else ("music", "file")
        suffix = PurePosixPath(music.file).suffix.lower()
        accepted = ", ".join(t.lstrip(".") for t in AUDIO_TYPES)
        if suffix in LOCAL_ONLY_AUDIO_TYPES:
            cloud = self.parts.backend == "nemo"
            self.report(f"the nemo backend does not accept {suffix} music (it takes {accepted})",
                        path, hint="convert it to .m4a or .mp3" + ("" if cloud else
                                                                   " to render in the cloud"),
                        severity="error" if cloud else "warning")
        elif suffix not in AUDIO_TYPES:
            self.report(f"{music.file} is not a supported audio file", path,
                        hint=f"use {accepted} ({', '.join(LOCAL_ONLY_AUDIO_TYPES)} work with "
                             f"the local backend only)")
            return
        self.existing_file("music file", music.file, path)

    def logo(self) -> None:
        logo = self.parts.logo
        if logo is None:
            return
        path: DocPath = ("overlays", "logo", "file")
        if PurePosixPath(logo.file).suffix.lower() not in IMAGE_TYPES:
            self.report(f"{logo.file} is not a supported logo image", path,
                        hint="use " + ", ".join(t.lstrip(".") for t in IMAGE_TYPES))
            return
        self.existing_file("logo file", logo.file, path)

    def fonts(self) -> None:
        fonts: list[tuple[DocPath, str | None]] = [
            (("overlays", "titles", i, "font"), t.style.font)
            for i, t in sorted(self.parts.titles.items())]
        if self.parts.timestamp is not None:
            fonts.append((("overlays", "timestamp", "font"), self.parts.timestamp.style.font))
        for path, font in fonts:
            if font is None:
                continue
            if PurePosixPath(font).suffix.lower() not in FONT_TYPES:
                self.report(f"{font} is not a font file", path,
                            hint="use a TrueType or OpenType font: .ttf, .otf or .ttc")
            else:
                self.existing_file("font file", font, path)

    def templates(self) -> None:
        cloud = self.parts.cloud
        if cloud is None or cloud.templates is None or not self.disk:
            return
        target = self.root / cloud.templates
        self.looks.note(target)
        if not target.is_dir():
            self.report(f"templates folder not found: {cloud.templates} "
                        f"(looked for {self.display(target)})", ("cloud", "templates"),
                        hint="it holds <language>/<kind>.j2 files; leave it out to use the "
                             "built-in wording")

    def colours(self) -> None:
        styles: list[tuple[DocPath, TextStyle]] = [
            (("overlays", "titles", i), title.style)
            for i, title in sorted(self.parts.titles.items())]
        if self.parts.timestamp is not None:
            styles.append((("overlays", "timestamp"), self.parts.timestamp.style))
        for path, style in styles:
            self.colour(style.color, path + ("color",))
            if style.box and isinstance(self.document_value(path + ("box",)), str):
                self.colour(style.box_color, path + ("box",))

    def document_value(self, path: DocPath) -> Any:
        value: Any = self.data
        for key in path:
            if isinstance(value, dict):
                value = value[key]
            elif isinstance(value, list) and isinstance(key, int):
                value = value[key]
            else:
                value = None
        return value

    def colour(self, colour: str, path: DocPath) -> None:
        name = colour.split("@", 1)[0]
        if not name.isalpha() or name.lower() in FFMPEG_COLOUR_NAMES:
            return
        self.report(f"{name!r} is not a colour name ffmpeg knows", path,
                    hint=did_you_mean(name, FFMPEG_COLOUR_NAMES, 0.7)
                    or "use a name such as white, black, yellow, or #RRGGBB")

    def output_paths(self) -> None:
        """Outputs land inside the project folder, each in its own file. Both are judged on
        where the file really lands: the real path of its folder (a symlinked ``out/`` that
        points elsewhere is outside), plus its name (a symlink in the last place is replaced
        by the video, not followed)."""
        seen: dict[str, tuple[int, Output]] = {}
        real_root = self.looks.realpath(str(self.root))
        for index, output in sorted(self.parts.outputs.items()):
            path: DocPath = ("outputs", index, "path")
            lexical = os.path.normpath(os.path.join(self.root, output.path))
            target = os.path.join(self.looks.realpath(os.path.dirname(lexical)),
                                  os.path.basename(lexical))
            if not output.allow_outside and not _inside(target, real_root):
                linked = _inside(lexical, os.path.normpath(self.root))
                through = " through a symlinked folder" if linked else ""
                self.report(f"output {output.path} is outside the project folder "
                            f"(it resolves to {self.display(Path(target))}{through})", path,
                            hint="write outputs inside the folder of the lapse.yaml, or add "
                                 "`allow_outside: true` to this output if you mean it")
            key = os.path.normcase(target)
            if key in seen:
                first_index, first = seen[key]
                where = nearest(self.document.values, ("outputs", first_index, "path"))
                same = "" if first.path == output.path else \
                    f", which is {first.path} through a symlinked folder"
                self.report(f"outputs '{first.name}' and '{output.name}' both write "
                            f"{output.path}{same} (the first at {where})", path,
                            hint="give each output its own path")
            else:
                seen[key] = (index, output)

    def output_formats(self) -> None:
        """What the chosen backend cannot make, and music a silent format leaves out."""
        for index, output in sorted(self.parts.outputs.items()):
            container = formats.container_of(output.path)
            if self.parts.backend == "nemo":
                problem = formats.cloud_problem(output.path, output.codec,
                                                output.poster is not None)
                if problem:
                    key, message, hint = problem
                    self.report(message, ("outputs", index, key), hint=hint)
            if self.parts.music is not None and not container.audio:
                self.report(f"{output.path} is a .{container.name}, which has no sound: the "
                            "music is left out of it", ("outputs", index, "path"),
                            hint="write an .mp4, .mov or .webm to keep the music",
                            severity="warning")

    def posters(self) -> None:
        """A poster must not land on another output's file or poster (``x.mp4`` and ``x.gif``
        both with a poster would both write ``x.jpg``)."""
        taken = {_landing(self.looks, self.root, o.path): f"output '{o.name}'"
                 for o in self.parts.outputs.values()}
        for index, output in sorted(self.parts.outputs.items()):
            if output.poster is None:
                continue
            poster = formats.poster_path(output.path)
            key = _landing(self.looks, self.root, poster)
            if key in taken:
                self.report(f"the poster of '{output.name}' would be written to {poster}, "
                            f"where {taken[key]} goes too", ("outputs", index, "poster"),
                            hint="posters go beside their video with .jpg: give one of the "
                                 "outputs another file name")
            else:
                taken[key] = f"the poster of '{output.name}'"

    def overlay_outputs(self) -> None:
        if not self._all_outputs_known():
            return
        names = [o.name for _, o in sorted(self.parts.outputs.items())]
        for path, listed in self._overlay_lists():
            for position, name in enumerate(listed):
                if name not in names:
                    self.report(f"no output is named '{name}'", path + (position,),
                                hint=did_you_mean(name, names) or
                                f"the outputs are: {', '.join(names)}")

    def _all_outputs_known(self) -> bool:
        outputs = self.data.get("outputs")
        return isinstance(outputs, list) and len(self.parts.outputs) == len(outputs)

    def _overlay_lists(self) -> Iterator[tuple[DocPath, tuple[str, ...]]]:
        for index, title in sorted(self.parts.titles.items()):
            if title.outputs:
                yield ("overlays", "titles", index, "outputs"), title.outputs
        for key, item in (("timestamp", self.parts.timestamp), ("logo", self.parts.logo)):
            if item is not None and item.outputs:
                yield ("overlays", key, "outputs"), item.outputs


def _landing(looks: Looks, root: Path, relpath: str) -> str:
    """Where ``relpath`` really lands (its folder's real path, plus its name), for comparing."""
    lexical = os.path.normpath(os.path.join(root, relpath))
    return os.path.normcase(os.path.join(looks.realpath(os.path.dirname(lexical)),
                                         os.path.basename(lexical)))


def _inside(target: str, folder: str) -> bool:
    try:
        return os.path.commonpath([target, folder]) == folder
    except ValueError:  # another drive on Windows
        return False
