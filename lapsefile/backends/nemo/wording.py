"""The agent talks to a person at a GUI ("click Export"); lapsefile does those things itself.

Its words are rewritten into what lapsefile does, so the user is not told to click buttons that
do not exist for them. A GUI phrase is rarely a few words one could swap: it comes with "please",
"you can", "when you're ready,", "in the top right", "to download your video". So the whole
clause that tells the user to act is replaced by a complete sentence of lapsefile's ("lapsefile
exports the video next."), and the text around it is kept as it was: the clauses before it
(ending with a full stop instead of a comma) and any clause after it that goes on about
something else (", or let me know ..."), as a sentence of its own. Anything not recognised is
shown unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

EXPORT, DOWNLOAD, CHECK, UPLOAD = "export", "download", "check", "upload"

_SPURIOUS = re.compile(r"temporar(?:y|ily)\s+(?:issue|problem|error|glitch|unavailable)"
                       r"|暂时|临时问题", re.I)


def looks_spurious(text: str) -> bool:
    """A "temporary issue" notice, which the agent may append after a normal answer."""
    return bool(_SPURIOUS.search(text))


@dataclass(frozen=True)
class _Directive:
    """A pattern for a GUI action; ``action`` None means: read it off the ``target`` group."""

    pattern: re.Pattern[str]
    action: str | None = None
    clause_start: bool = False  # only a directive where a clause starts ("You can export it")


@dataclass(frozen=True)
class _Language:
    said: dict[str, str]  # action -> lapsefile's sentence
    directives: tuple[_Directive, ...]
    after: re.Pattern[str]  # a button named again after "then"/"or", in the same clause
    bare: re.Pattern[str]  # a bare button name opening the clause after ", or" ("Download")
    action_words: tuple[tuple[str, re.Pattern[str]], ...]  # names in a target -> action
    lead_in: re.Pattern[str]  # "please", "you can", ... just before an imperative
    boundary: re.Pattern[str]  # where a clause ends, before a directive
    subordinate: re.Pattern[str]  # "when you're ready", "准备好后": part of the directive
    resume: re.Pattern[str]  # where unrelated text goes on after a directive
    comma: str  # replaced by a full stop when the directive's clause is cut off after it
    stop: str
    space: str  # between sentences


def _words(*alternatives: str) -> str:
    return "(?:" + "|".join(alternatives) + ")"


# -- English -------------------------------------------------------------------------------------

# Quotes and markdown around a button name: 'Export', “Export”, **Export** (a few, so a run
# of thousands cannot make matching slow).
_OPEN_Q, _CLOSE_Q = r"[\"'“‘*`「『【]{0,3}\s*", r"\s*[\"'”’*`」』】]{0,3}"
_EN_NAME = (_words(r"export", r"render", r"download", r"preview", r"play", r"upload", r"import",
                   r"add\s+(?:media|files)", r"media(?:\s+library)?", r"editor", r"timeline")
            + r"(?:\s+(?:video|files|media|now))?\b")
_EN_NOUN = _words("button", "icon", "tab", "option", "menu", "panel", "page", "window", "section",
                  "link", "sidebar")
_EN_TARGET = (r"(?:(?:the|your|this|that)\s+)?(?:[\w-]+\s+){0,2}?" + _OPEN_Q
              + r"(?P<target>" + _EN_NAME + r"|▶\uFE0F?)" + _CLOSE_Q
              + r"(?:\s+" + _EN_NOUN + r"\b)?")
_EN_PLACE = (r"(?:(?:the|your)\s+)?(?P<target>(?:[\w-]+\s+){0,2}?" + _OPEN_Q
             + _words(_EN_NAME, r"project\b", r"draft\b", r"player\b", r"[\w-]+" + _CLOSE_Q
                      + r"\s+" + _words("panel", "tab", "window", "sidebar", "section") + r"\b")
             + r")" + _CLOSE_Q)
_EN_OBJECT = (r"(?:it|this|that|them|(?:the|your|this)\s+(?:[\w-]+\s+)?"
              + _words("video", "timelapse", "project", "result", "edit", "movie", "clip", "file",
                       "draft", "timeline", "changes", "output") + r")\b")
_EN_BARE_END = r"(?=\s+(?:now|when|whenever|once|if)\b|\s*[.!,;]|\s*$)"
_EN_MEDIA = _words(r"photos?", r"files?", r"images?", r"pictures?", r"media", r"videos?",
                   r"clips?", r"footage", r"assets?", r"frames?")
_EN_VIEW_PLACE = r"\s+in\s+the\s+" + _words(r"editor", r"player", r"preview(?:\s+window)?",
                                            r"timeline", r"preview\s+panel")


def _en(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


_EN = _Language(
    said={EXPORT: "lapsefile exports the video next.",
          DOWNLOAD: "lapsefile downloads the video when the export finishes.",
          CHECK: "lapsefile reads the timeline to check it.",
          UPLOAD: "lapsefile uploads the files."},
    directives=(
        # Pressing a named button is a GUI action wherever it is said.
        _Directive(_en(r"\b(?:(?:double[- ]?)?click(?:ing|ed)?|press(?:ing|ed)?|tap(?:ping|ped)?"
                       r"|hit(?:ting)?)\s+(?:on\s+)?" + _EN_TARGET)),
        _Directive(_en(r"\b(?:(?:double[- ]?)?click|press|tap)\s+(?:on\s+)?"
                       r"(?:here|it|this|that|the\s+(?:link|button|icon))\s+(?:below\s+|above\s+)?"
                       r"to\s+(?P<target>" + _EN_NAME + r")")),
        _Directive(_en(r"(?:(?:the|your)\s+)?" + _OPEN_Q + r"(?P<target>" + _EN_NAME + r")"
                       + _CLOSE_Q + r"\s+(?:button|icon)\b")),
        _Directive(_en(r"\b(?:preview|play|view|watch|check|see|review)(?:\s+[\w'-]+){0,3}?"
                       + _EN_VIEW_PLACE + r"\b"), CHECK),
        # Verbs that are the user's only when they open a clause: "I will export it" is not.
        _Directive(_en(r"\b(?:select|choose|use|find|locate|go\s+to|head\s+(?:over\s+)?to"
                       r"|navigate\s+to|switch\s+to|open(?:\s+up)?)\s+" + _EN_PLACE),
                   clause_start=True),
        _Directive(_en(r"\b(?:export|render)(?:\s+" + _EN_OBJECT + "|" + _EN_BARE_END + ")"),
                   EXPORT, True),
        _Directive(_en(r"\b(?:download(?:\s+" + _EN_OBJECT + "|" + _EN_BARE_END + r")"
                       r"|save\s+(?:it|the\s+video)\s+to\s+your\s+(?:device|computer|phone))"),
                   DOWNLOAD, True),
        _Directive(_en(r"\b(?:(?:preview|play|watch|view|review|check(?:\s+out)?)\s+" + _EN_OBJECT
                       + r"|preview" + _EN_BARE_END
                       + r"|(?:take|have)\s+a\s+look(?:\s+at\s+" + _EN_OBJECT + ")?"
                       + _EN_VIEW_PLACE + ")"), CHECK, True),
        _Directive(_en(r"\b(?:upload|import|add|drag(?:\s+and\s+drop)?|drop|attach)\s+"
                       r"(?:(?:your|the|more|some|any|all|additional|other|remaining)\s+)*"
                       r"(?:[\w-]+\s+)?" + _EN_MEDIA + r"\b"
                       r"|\bupload\s+(?:it|them)\b"), UPLOAD, True),
    ),
    after=_en(r"\b(?:then|and|or)\s+(?:click\s+|press\s+|tap\s+)?(?:on\s+)?(?:the\s+)?" + _OPEN_Q
              + r"(?P<target>" + _EN_NAME + r")"),
    bare=_en(r"^(?:(?:the|your)\s+)?" + _OPEN_Q + r"(?P<target>" + _EN_NAME + r")"),
    action_words=((EXPORT, _en(r"\b(?:export|render)")), (DOWNLOAD, _en(r"\bdownload")),
                  (UPLOAD, _en(r"\b(?:upload|import|add|media|assets)")),
                  (CHECK, _en(r"\b(?:preview|play|editor|timeline)|▶"))),
    lead_in=_en(r"(?:\b" + _words(
        r"please", r"kindly", r"simply", r"just", r"now", r"then", r"next", r"finally", r"also",
        r"first", r"and", r"or", r"but", r"so", r"go\s+ahead\s+and", r"feel\s+free\s+to",
        r"don't\s+forget\s+to", r"remember\s+to", r"make\s+sure\s+(?:to|you)", r"try\s+to",
        r"(?:you|we)\s+(?:can|could|may|might|should|will|would|need\s+to|have\s+to)",
        r"you'll", r"you'd", r"(?:want|need|like|have)\s+to",
        r"all\s+(?:you\s+need\s+to\s+do|that's\s+left(?:\s+to\s+do)?)\s+is(?:\s+to)?",
        r"the\s+(?:next|last|final)\s+step\s+is\s+to") + r"\s*,?\s+)+$"),
    boundary=_en(r",\s+|;\s+|:\s+|\s[—–-]+\s+|—\s*|[!?]+\s*|^\s*(?:[-*•]|\d+[.)])\s+"),
    subordinate=_en(r"^\s*(?:(?:and|or|but|so)\s+)?" + _words(
        r"when", r"whenever", r"once", r"if", r"after", r"before", r"as\s+soon\s+as",
        r"now\s+that", r"to", r"in\s+order\s+to", r"for", r"then", r"next", r"finally",
        r"lastly", r"now", r"afterwards", r"after\s+that", r"otherwise", r"alternatively",
        r"please", r"kindly", r"from\s+(?:here|there)", r"at\s+this\s+point",
        r"(?:in|at|on|from|under|inside|within)\s+the") + r"\b[^,;:]*,\s*$"),
    resume=_en(r",\s+(?:and\s+then|and|then|or|but|so)\s+|;\s+|\s+[—–]\s+"),
    comma=",", stop=".", space=" ")


# -- Chinese -------------------------------------------------------------------------------------

_ZH_OPEN_Q, _ZH_CLOSE_Q = r"\s*[「“\"'『【《*]{0,3}\s*", r"\s*[」”\"'』】》*]{0,3}"
_ZH_NAME = _words(r"导出(?:视频)?", r"渲染(?:视频)?", r"生成视频", r"下载(?:视频)?",
                  r"保存到本地", r"预览", r"播放", r"上传(?:文件|素材|照片)?", r"导入(?:素材)?",
                  r"添加(?:素材|媒体)", r"素材库", r"媒体库", r"编辑器", r"时间线", r"时间轴",
                  r"(?i:export|render|download|preview|play|upload|import)\b", r"▶\uFE0F?")
_ZH_MEDIA = _words("照片", "图片", "文件", "素材", "视频", "片段")
_ZH_PLACE = _words("编辑器", "时间线", "时间轴", "预览窗口", "预览区", "播放器")

_ZH = _Language(
    said={EXPORT: "lapsefile 接下来会导出视频。",
          DOWNLOAD: "lapsefile 会在导出完成后下载视频。",
          CHECK: "lapsefile 会读取时间线来检查。",
          UPLOAD: "lapsefile 会自动上传文件。"},
    directives=(
        _Directive(re.compile(
            r"(?:点击|单击|双击|点按|轻触|轻点|按下|按一下|点一下|选择)(?:一下)?\s*"
            r"(?:(?:右上角|左上角|右下角|左下角|上方|下方|顶部|底部|页面|界面)(?:的)?)?"
            + _ZH_OPEN_Q + r"(?P<target>" + _ZH_NAME + r")" + _ZH_CLOSE_Q
            + r"(?:按钮|图标|选项卡?|标签页?|菜单|面板)?")),
        _Directive(re.compile(_ZH_OPEN_Q + r"(?P<target>" + _ZH_NAME + r")" + _ZH_CLOSE_Q
                              + r"\s*(?:按钮|图标)")),
        _Directive(re.compile(r"在(?:[^，。！？；\s]{0,8}?)" + _ZH_PLACE + r"(?:中|里|内)?"
                              + r"(?:预览|播放|查看)"), CHECK),
        _Directive(re.compile(r"在(?:[^，。！？；\s]{0,8}?)(?:素材|媒体)(?:面板|库|窗口)(?:中|里|内)?"
                              r"(?:添加|上传|导入)"), UPLOAD),
        _Directive(re.compile(r"打开(?P<target>[^，。！？；\s]{0,8}?"
                              r"(?:编辑器|时间线|时间轴|预览|面板|窗口|素材库|媒体库))"),
                   clause_start=True),
        _Directive(re.compile(r"(?:导出|渲染)(?:视频|成片|作品)"
                              r"|(?:导出|渲染)(?=即可|吧|就可以|就行)"), EXPORT, True),
        _Directive(re.compile(r"下载(?:视频|成片|到本地|文件)|保存到(?:本地|电脑|手机)"),
                   DOWNLOAD, True),
        _Directive(re.compile(r"(?:预览|播放)(?:一下)?(?:视频|效果|成片|结果)?"
                              r"|查看(?:一下)?(?:效果|成片)"), CHECK, True),
        _Directive(re.compile(r"(?:上传|导入|添加)(?:您的|你的|其余的?|剩下的|更多的?)?"
                              + _ZH_MEDIA), UPLOAD, True),
    ),
    after=re.compile(r"(?:然后|再|并|或者?)\s*(?:点击)?" + _ZH_OPEN_Q + r"(?P<target>" + _ZH_NAME
                     + r")"),
    bare=re.compile(r"^" + _ZH_OPEN_Q + r"(?P<target>" + _ZH_NAME + r")"),
    action_words=((EXPORT, re.compile(r"导出|渲染|生成|(?i:export|render)")),
                  (DOWNLOAD, re.compile(r"下载|保存|(?i:download)")),
                  (UPLOAD, re.compile(r"上传|导入|添加|素材|媒体|(?i:upload|import)")),
                  (CHECK, re.compile(r"预览|播放|编辑器|时间|(?i:preview|play)|▶"))),
    lead_in=re.compile(r"(?:请|先|再|您|你|也|可以|只需要?|只要|直接|然后|接着|现在|即可|就可以|就能"
                       r"|最后|接下来|下一步|或者?|并且?)+\s*$"),
    boundary=re.compile(r"[，,；;：:]\s*|^\s*(?:[-*•]|\d+[.)、])\s*"),
    subordinate=re.compile(r"^(?:(?:如果|若|如|要是|满意|确认|准备好|一切就绪|完成|想要|为了|之后|然后"
                           r"|接下来|最后|现在|请)[^，,；;：:]*|[^，,；;：:]*(?:后|之后|以后|的话|时|时候))"
                           r"[，,]\s*$"),
    resume=re.compile(r"[，,](?:或者|或是|或|然后|再|并且|但是|但)|[；;]"),
    comma="，", stop="。", space="")


# -- rewriting -----------------------------------------------------------------------------------

_SPLIT = re.compile(r"((?:(?<=[.!?])|(?<=[.!?][\"'”’)*]))\s+"
                    r"|(?:(?<=[。！？])|(?<=[。！？][」”’』)]))(?![」”’』)])\s*"
                    r"|\s*\n\s*)")
_LEAD_IN_REACH = 120  # characters
_CJK = re.compile(r"[\u3400-\u9fff]")
_TERMINAL = re.compile(r"[.!?。！？][\"'”’」』)）*]*$")
_ASIDE = re.compile(r"([(（])([^()（）]*)([)）])")


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    action: str


def translate(text: str) -> str:
    """Agent text with each clause that tells the user to act at a GUI replaced by a sentence
    saying what lapsefile does instead."""
    pieces = _SPLIT.split(text)
    # Odd positions are the separators the split kept: whitespace, kept as it was.
    return "".join(piece if i % 2 else _sentence(piece) for i, piece in enumerate(pieces))


def _sentence(text: str) -> str:
    body = text.strip()
    if not body:
        return text
    lang = _ZH if _CJK.search(body) else _EN
    lead = text[:len(text) - len(text.lstrip())]
    return lead + _rewrite(_asides(body, lang), lang) + text[len(text.rstrip()):]


def _asides(sentence: str, lang: _Language) -> str:
    """A directive in parentheses, "(click Preview to see it)", rewritten inside them, so the
    sentence around it stays."""
    def rewrite(match: re.Match[str]) -> str:
        opening, inside, closing = match.groups()
        if not any(_hits(inside, lang, bare=False)):
            return match.group(0)
        said = _rewrite(inside.strip(), lang).rstrip()
        return opening + (said[:-1] if said.endswith((".", "。")) else said) + closing

    return _ASIDE.sub(rewrite, sentence)


def _rewrite(sentence: str, lang: _Language, bare: bool = False) -> str:
    """One sentence, its first directive's clause (to where unrelated text resumes) replaced."""
    hits = list(_hits(sentence, lang, bare))
    if not hits:
        return sentence
    first = min(hits, key=lambda h: h.start)
    start = _clause_start(sentence[:first.start], lang)
    resume = lang.resume.search(sentence, first.end)
    end = resume.start() if resume else len(sentence)
    span = [h for h in _hits(sentence, lang, bare, every=True) if start <= h.start < end]
    actions = dict.fromkeys(h.action for h in sorted(span, key=lambda h: h.start))
    said = lang.space.join(lang.said[action] for action in actions)
    out = _joined(_kept(sentence[:start], lang), said, lang)
    if resume:
        rest = _rewrite(sentence[resume.end():], lang, bare=True).rstrip()
        if rest.strip(" .!?。！？"):
            out += lang.space + _capitalised(rest) + ("" if _TERMINAL.search(rest) else lang.stop)
    return out


def _hits(sentence: str, lang: _Language, bare: bool, every: bool = False) -> Iterator[_Hit]:
    """The GUI directives in ``sentence``; with ``every``, also imperatives that do not open a
    clause and buttons named again ("then Download"), which count once a clause is replaced."""
    for directive in lang.directives:
        for match in directive.pattern.finditer(sentence):
            if every or not directive.clause_start or _opens_clause(sentence[:match.start()],
                                                                     lang):
                yield _Hit(match.start(), match.end(), directive.action or _action(match, lang))
    opening = lang.bare.match(sentence) if bare else None
    extra = ([opening] if opening else []) + (list(lang.after.finditer(sentence)) if every else [])
    for match in extra:
        yield _Hit(match.start(), match.end(), _action(match, lang))


def _action(match: re.Match[str], lang: _Language) -> str:
    """What a named target means: the first action word in it ("the Media panel": upload)."""
    target = match.group("target")
    found = [(m.start(), action) for action, words in lang.action_words
             for m in [words.search(target)] if m]
    return min(found)[1] if found else CHECK


def _opens_clause(before: str, lang: _Language) -> bool:
    """Whether an imperative after ``before`` starts a clause ("..., then export it")."""
    # Lead-ins are a few words: looking at the end only keeps long texts fast.
    head, tail = before[:-_LEAD_IN_REACH], before[-_LEAD_IN_REACH:]
    core = head + lang.lead_in.sub("", tail)
    return not core.strip() or _ends_at_boundary(core, lang)


def _ends_at_boundary(text: str, lang: _Language) -> bool:
    return any(m.end() == len(text) for m in lang.boundary.finditer(text))


def _clause_start(before: str, lang: _Language) -> int:
    """Where the clause holding a directive starts: after the last clause boundary."""
    ends = [m.end() for m in lang.boundary.finditer(before)]
    return ends[-1] if ends else 0


def _kept(prefix: str, lang: _Language) -> str:
    """The text before a replaced clause, without the clauses that belong to the directive
    ("When you're ready, ...", "准备好后，...")."""
    while prefix.strip():
        clause_start = _clause_start(prefix.rstrip()[:-1], lang)
        if not lang.subordinate.search(prefix[clause_start:]):
            break
        prefix = prefix[:clause_start]
    return prefix if prefix.strip() else ""


def _joined(prefix: str, said: str, lang: _Language) -> str:
    """The kept text, then lapsefile's sentence: a comma that led into the cut clause becomes
    a full stop, so each part is a sentence of its own."""
    body = prefix.rstrip()
    if not body:
        return said
    if body.endswith(lang.comma):
        body = body[:-len(lang.comma)] + lang.stop
    return body + lang.space + said


def _capitalised(text: str) -> str:
    if text[:1].islower() and not text.startswith("lapsefile"):
        return text[0].upper() + text[1:]
    return text


__all__ = ["translate", "looks_spurious"]
