"""English words of the emulated agent (see :class:`.lexicon.Lexicon` for what each table is)."""

from __future__ import annotations

from .lexicon import Lexicon

FADES_BEFORE = (("fade_in", r"\bfad\w* in\b|\bfade-in\b|\bin over\b"),
                ("fade_out", r"\bfad\w* out\b|\bfade-out\b|\bout\b"))
FADES_AFTER = (("fade_in", r"\bfad\w*[ -]in\b"), ("fade_out", r"\bfad\w*[ -]out\b"))
TEXT_SIZE = ("size", r"\bheight\b|\bsize\b|\btall\b|\bhigh\b|\bfont\b")
COLOURS = ("white", "black", "yellow", "red", "green", "blue", "orange", "gray", "grey", "pink",
           "purple", "cyan", "magenta", "gold", "silver", "brown", "navy")

ENGLISH = Lexicon(
    language="en",
    kinds=(
        ("timestamp", r"\btime ?stamps?\b|\bdate ?stamps?\b|\bcapture[- ]?(?:time|date)s?\b|"
                      r"\bdate and time\b|\bshooting time\b|\btime taken\b"),
        ("look", r"\bsmooth\w*|\bde-?flicker\w*|\bflicker\w*|\bblend\w*|\binterpolat\w*"
                 r"|\bstabili[sz]\w*|\bsteady\w*"),
        ("logo", r"\blogos?\b|\bwatermarks?\b|\bstickers?\b|\bbranding\b"),
        ("music", r"\bmusic\b|\bsoundtrack\b|\baudio\b|\bsongs?\b|\bbgm\b|\btunes?\b"),
        ("title", r"\btitles?\b|\bcaptions?\b|\bheadings?\b|\bheadlines?\b|\bsubtitles?\b"),
        ("clip", r"\bvideo (?:track|file|clip)\b|\buploaded video\b|\bclips?\b"),
        ("timeline", r"\btime-?lapse\b|\bphotos?\b|\bpictures\b|\bimages\b|\bstills\b|"
                     r"\bslide ?show\b"),
    ),
    weak_kinds=(("title", r"\btext\b|\bwords?\b|\bon screen\b"),
                ("logo", r"\boverlay\w*|\bsuperimpos\w*")),
    verbs=(
        ("remove", r"\bremov\w*\b(?! (?:the )?flicker)|\bdelet\w*|\bdrop\b|\bget rid of\b|"
                   r"\btake (?:off|out|away|down)\b|\bturn off\b|\bswitch off\b|\bdisable\b|"
                   r"\bhide\b|\berase\b|\bclear\b"),
        ("replace", r"\breplac\w*|\bswap\w*|\bexchange\b|\bswitch (?:out|to)\b"),
        ("set", r"\bchang\w*|\bset\b|\bmake\b|\bmov(?:e|es|ing)\b|\badjust\w*|\bupdat\w*|"
                r"\bmodify\b|\bedit\b|\brenam\w*|\bresiz\w*|\breposition\w*|\bshift\b|"
                r"\bshow\b|\bdisplay\b|\blower\b|\braise\b|\bshrink\b|\benlarge\b|\bincrease\b|"
                r"\bdecrease\b|\bkeep\b"),
        ("add", r"\badd\w*|\boverlay\b|\binsert\b|\bput\b|\bplace\b|\binclude\b|\bcreate\b|"
                r"\bcombine\b|\bapply\b|\bsmooth\b|\bsuperimpose\b|\bbuild\b|\bgenerate\b|"
                r"\bturn on\b|\benable\b|\bde-?flicker\b|\bstamp\b"),
    ),
    weak_verbs=(("add", r"\buse\b"),),
    positions=(
        ("top-left", r"\b(?:top|upper)[\s-]*left\b|\bleft[\s-]*(?:top|upper)\b"),
        ("top-right", r"\b(?:top|upper)[\s-]*right\b|\bright[\s-]*(?:top|upper)\b"),
        ("bottom-left", r"\b(?:bottom|lower)[\s-]*left\b|\bleft[\s-]*(?:bottom|lower)\b"),
        ("bottom-right", r"\b(?:bottom|lower)[\s-]*right\b|\bright[\s-]*(?:bottom|lower)\b"),
        ("center", r"\bcent(?:er|re|red|ered)\b|\bmiddle\b"),
        ("top", r"\btop\b|\bupper\b"),
        ("bottom", r"\bbottom\b|\blower\b"),
        ("left", r"\bleft\b"),
        ("right", r"\bright\b"),
    ),
    fits=(("blur", r"\bblur\w*"),
          ("contain", r"\bblack bars?\b|\bletter-?box\w*|\bpillar-?box\w*|"
                      r"\bfit\w* (?:it )?inside\b|\bcontain\b"),
          ("cover", r"\bcrop\w*|\bfill\w*|\bcover\b")),
    anchors={
        "title": (("start", r"\bfrom\b|\bstart\w*|\bbegin\w*|\bafter\b|\bappear\w*"),
                  ("end", r"\bto\b|\buntil\b|\btill\b|\bthrough\b|\bthru\b|\bend\w*|\bstop\w*"),
                  *FADES_BEFORE, ("length", r"\bfor\b|\blasting\b"), ("first", r"\bfirst\b"),
                  TEXT_SIZE),
        "timestamp": (TEXT_SIZE,),
        "logo": (("opacity", r"\bopa\w+"), ("scale", r"\bwidth\b|\bwide\b|\bsize\b|\bscale\b")),
        "music": (("start", r"\bstart\w*|\boffset\b|\bskip\w*|\bfrom\b|\bbegin\w*|\binto\b"),
                  *FADES_BEFORE, ("duration", r"\bmatch\w*"),
                  ("volume", r"\bvolume\b|\bloud\w*|\bgain\b")),
        "timeline": (("hold", r"\beach\b|\bper\b|\bevery\b"),
                     ("fps", r"\bframe ?rate\b|\bframerate\b"),
                     ("duration", r"\blasting\b|\bduration\b|\btotal\b")),
        "look": (("deflicker", r"\bflicker\w*|\bbrightness\b|\bwindow\b|\baverag\w*|deflicker\w*"),
                 ("blend", r"\bblend\w*|\bmix\w*"),
                 ("stabilize", r"\bsmoothing\b|\bpath\b|\bstabili[sz]\w*"),
                 ("exposure", r"\bexposure\b|\bramp\b")),
    },
    after={
        "title": (*FADES_AFTER, ("length", r"\blong\b"), TEXT_SIZE),
        "timestamp": (TEXT_SIZE,),
        "logo": (("opacity", r"\bopa\w+"), ("scale", r"\bwidth\b|\bwide\b|\bsize\b|\bscale\b")),
        "music": (*FADES_AFTER, ("start", r"\binto\b"),
                  ("duration", r"\bvideo\b|\btime-?lapse\b|\bmovie\b"),
                  ("volume", r"\bvolume\b|\bloud\w*")),
        "timeline": (("duration", r"\btime-?lapse\b|\bvideo\b|\blong\b|\bin total\b|\bmovie\b"),
                     ("hold", r"\bper\b|\beach\b|\ba (?:photo|picture|image)\b")),
        "look": (("deflicker", r"\bwindow\b|\bde-?flicker\w*"), ("blend", r"\bblend\w*")),
    },
    filler=r"^(?:\s|-|\bof\b|\bthe\b|\bframe\b|\bvideo\b|\bscreen\b|\bits\b)*$",
    look_parts=(("stabilize", r"\bstabili[sz]\w*|\bsteady\w*|\bdeshak\w*"),
                ("exposure", r"\bexposure\b|\bholy grail\b"),
                ("deflicker", r"\bde-?flicker\w*|\bflicker\w*"),
                ("blend", r"\bblend\w*|\bframe mix\w*"),
                ("interpolate", r"\binterpolat\w*|\boptical flow\b")),
    music_fits=(("loop", r"\bloop\w*|\brepeat\w*"), ("cut", r"\bcut\b|\btrim\w*")),
    negation=r"(?:\bno|\bwithout|\bnot|n't|\bstop)\s+(?:[\w-]+\s+){0,2}$",
    mode=r"\bmode\s*[:=]?\s*(\w+)",
    both_fades=r"\bfad\w* in and out\b|\bfade[- ]in/out\b|\bfades\b",
    colour=r"\bcolou?r(?:ed)?\b(?:\s+(?:to|of|is|as|in))?\s*[:=]?\s*(?!(?:the|of|to|a|it)\b)"
           r"([^\s,;]+)",
    box_colour=(r"\b(?:on|with|in|over|inside)\s+an?\s+([^\s,;]+)\s+box\b",
                r"(#[0-9a-f]{3,8}(?:@[\d.]+)?|[a-z]+@[\d.]+|\b(?:" + "|".join(COLOURS)
                + r"))\s+(?:background\s+)?box\b"),
    box_on=r"\bbox(?:ed)?\b|\bbackdrop\b",
    box_off=r"\b(?:no|without(?: an?)?|remove the|drop the|turn off the)\s+(?:[\w-]+\s+)?box\b",
    colour_names={name: name for name in COLOURS},
    show_new=r"\b(?:show|display)\s+an?\b",
    file_intro=r"\buploaded (?:image|audio|video|photo|picture|file)|\bthe (?:logo|watermark|"
               r"sticker|background music|soundtrack)",
    file_stops=frozenset(
        "the a an uploaded upload new old current existing image picture photo video clip audio "
        "music song track file logo watermark sticker soundtrack background overlay add use "
        "replace remove delete with by as of and to from show set put place called named in on "
        "at into for is it its then please also now just again instead swap change move make "
        "called".split()),
)
