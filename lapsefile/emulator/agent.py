"""The emulated agent's understanding: what an instruction is about, and what to do with it.

The real agent is a language model, so this one does not match sentences: it listens for
keywords and values (:mod:`.understand`, :mod:`.lexicon`) in English or Chinese and builds an
:class:`Edit` from them (:mod:`.intents`). Lapsefile's built-in template sentences
(``lapsefile/plan/templates/{en,zh}/*.j2``) are one way of saying things among many; so are
"Make a 30 second timelapse from the 200 photos at 24 fps, 1920×1080", "Remove the logo
logo.png." and "把标题文字从“日落”改为“黄昏”。". Anything else is "not understood": the agent
answers with text and changes nothing.

- What (``kind``): the earliest strong keyword (timestamp, look, logo, music, title, clip),
  else a timeline word (photos are mentioned in sentences about other things: "each photo's
  capture time"), else a weak one ("text", "overlay" with an image file), else what the files and
  quotes suggest (an audio file is music, a video file a clip, an image a logo, a quoted
  text a title).
- What to do (``action``): the earliest verb: add ("add", "overlay", "smooth"; "show a"),
  set ("change", "set", "move"; "show the"), replace ("replace", "swap") or remove ("remove",
  "delete", "turn off"). No verb: add.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .intents import BUILDERS
from .lexicon import earliest
from .understand import Utterance, understand


@dataclass(frozen=True)
class Edit:
    """An understood instruction. ``kind`` is timeline, clip, look, title, timestamp, logo or
    music; ``action`` add, set, replace or remove; ``cost_kind`` is the instruction kind that
    lapsefile named it (clip -> timeline)."""

    kind: str
    params: dict[str, Any]
    language: str
    action: str = "add"

    @property
    def cost_kind(self) -> str:
        return "timeline" if self.kind == "clip" else self.kind


def parse_instruction(text: str) -> Edit | None:
    """The edit ``text`` asks for, or None when the agent does not understand it."""
    said = understand(text)
    kind = kind_of(said)
    if kind is None:
        return None
    built = BUILDERS[kind](said, action_of(said))
    if built is None:
        return None
    kind, action, params = built
    return Edit(kind, params, said.language, action)


def kind_of(said: Utterance) -> str | None:
    words = said.words
    others = tuple(entry for entry in words.kinds if entry[0] != "timeline")
    strong = earliest(said.text, others) or earliest(said.text, words.kinds)
    if strong:
        return strong[0]
    weak = earliest(said.text, words.weak_kinds)
    if weak and (weak[0] != "logo" or said.files_of("image")):
        return weak[0]
    for kind, found in (("music", said.files_of("audio")), ("clip", said.files_of("video")),
                        ("logo", said.files_of("image")), ("title", said.quotes)):
        if found:
            return kind
    return None


def action_of(said: Utterance) -> str:
    found = earliest(said.text, said.words.verbs) or earliest(said.text, said.words.weak_verbs)
    if found is None:
        return "add"
    action, position = found
    if action == "set" and re.match(said.words.show_new, said.text[position:]):
        return "add"  # "show a title ..." asks for a new one, "show the title ..." changes it
    return action
