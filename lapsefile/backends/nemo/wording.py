"""The agent talks to a person at a GUI ("click Export"); lapsefile does those things itself.

Its words are rewritten into what lapsefile will do, so the user is not told to click buttons
that do not exist for them. Anything not recognised is shown unchanged.
"""

from __future__ import annotations

import re

_BUTTON = r"(?:the\s+)?[\"'“‘]?{word}[\"'”’]?(?:\s+(?:button|icon|tab))?"
_PRESS = r"\b(?:click(?:ing)?|press(?:ing)?|tap(?:ping)?|hit(?:ting)?|select(?:ing)?)\s+(?:on\s+)?"

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(_PRESS + _BUTTON.format(word=r"(?:export|render)")
                + r"(?:\s+to\s+(?:render|export|get)\s+(?:your|the)\s+video)?", re.I),
     "lapsefile will export"),
    (re.compile(_PRESS + _BUTTON.format(word=r"download"), re.I), "lapsefile will download"),
    (re.compile(_PRESS + _BUTTON.format(word=r"(?:preview|play)"), re.I),
     "lapsefile will check the timeline"),
    (re.compile(_PRESS + _BUTTON.format(word=r"(?:upload|add media|import)"), re.I),
     "lapsefile uploads the files"),
    (re.compile(r"\bopen(?:ing)?\s+(?:the\s+)?(?:editor|timeline|project|draft|preview)\b",
                re.I), "lapsefile will read the timeline"),
    (re.compile(r"\b(?:you\s+can\s+)?preview\s+it\s+in\s+the\s+editor\b", re.I),
     "lapsefile will check the timeline"),
    (re.compile(r"\b(?:with|using|via)\s+" + _BUTTON.format(word=r"upload"), re.I),
     "(lapsefile uploads the files)"),
    (re.compile(r"\bopen(?:ing)?\s+the\s+\w+\s+panel\b", re.I), "let lapsefile upload them"),
    (re.compile(r"点击\s*[「“\"]?(?:导出|渲染)[」”\"]?(?:按钮)?(?:即可渲染视频)?"), "lapsefile 将导出"),
    (re.compile(r"点击\s*[「“\"]?下载[」”\"]?(?:按钮)?"), "lapsefile 将下载"),
)

_SPURIOUS = re.compile(r"temporar(?:y|ily)\s+(?:issue|problem|error|glitch|unavailable)"
                       r"|暂时|临时问题", re.I)


def translate(text: str) -> str:
    """Agent text with GUI actions replaced by what lapsefile does instead."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def looks_spurious(text: str) -> bool:
    """A "temporary issue" notice, which the agent may append after a normal answer."""
    return bool(_SPURIOUS.search(text))
