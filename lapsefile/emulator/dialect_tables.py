"""The ``camel`` and ``opaque`` draft dialects, as tables (documented in :mod:`.draft`).

Every field maps an internal key to a path, with its conversion both ways; conversions must
round-trip (``back(out(x)) == x`` for the values the agent writes).
"""

from __future__ import annotations

from typing import Any

from .dialects import Dialect, Field, Window

LOGO_TT = {"camel": 2, "opaque": 5}  # the internal logo track is tt 3


def _pct(value: Any) -> Any:
    return None if value is None else round(value * 100, 6)


def _fraction(value: Any) -> Any:
    return None if value is None else round(value / 100, 10)


def _seconds(ms: int) -> float:
    return ms / 1000


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _camel_position(position: str) -> str:
    head, *rest = position.split("-")
    return head + "".join(word.capitalize() for word in rest)


def _kebab_position(position: str) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in position)


def _hex(text: str) -> str:
    return text.encode("utf-8").hex()


def _unhex(text: str) -> str:
    return bytes.fromhex(text).decode("utf-8")


def _track_type(dialect: str) -> Field:
    logo = LOGO_TT[dialect]
    return Field("tt", ("tt",), out=lambda tt: logo if tt == 3 else tt,
                 back=lambda tt: 3 if tt == logo else tt)


def _code(codes: dict[Any, Any]) -> tuple[Any, Any]:
    """A value table as (out, back) conversions."""
    backwards = {v: k for k, v in codes.items()}
    return (lambda value: codes.get(value, value)), (lambda value: backwards.get(value, value))


SEC = {"out": _seconds, "back": _ms}
PCT = {"out": _pct, "back": _fraction}
ANCHOR = {"out": _camel_position, "back": _kebab_position}
FIT_OUT, FIT_BACK = _code({"loop": True, "cut": False})
SOURCE_OUT, SOURCE_BACK = _code({"photos": 0, "clip": 1})
MUSIC_FIT_OUT, MUSIC_FIT_BACK = _code({"loop": 0, "cut": 1})

CAMEL = Dialect(
    name="camel",
    draft=(Field("title", ("m", "title")), Field("width", ("m", "width")),
           Field("height", ("m", "height")), Field("aspect", ("m", "aspectRatio")),
           Field("fit", ("m", "fitMode")), Field("fps", ("m", "frameRate"))),
    track=(Field("id", ("trackId",)), _track_type("camel"), Field("n", ("name",))),
    video=(Field("source", ("meta", "sourceType")), Field("fps", ("meta", "frameRate")),
           Field("hold", ("meta", "holdSeconds")),
           Field("deflicker", ("meta", "antiFlicker"),
                 out=lambda d: d and {"windowSize": d["size"], "method": d["mode"]},
                 back=lambda d: d and {"size": d["windowSize"], "mode": d["method"]}),
           Field("blend", ("meta", "blendFrames")),
           Field("interpolate", ("meta", "motionInterpolation")),
           Field("stabilize", ("meta", "stabilization"),
                 out=lambda d: d and {"smoothingFrames": d["smoothing"]},
                 back=lambda d: d and {"smoothing": d["smoothingFrames"]}),
           Field("exposure", ("meta", "exposureRamp"),
                 out=lambda d: d and {"windowFrames": d["window"]},
                 back=lambda d: d and {"window": d["windowFrames"]})),
    common=(Field("id", ("segmentId",)), Field("name", ("fileName",)),
            Field("hash", ("fileHash",)), Field("src", ("sourceUrl",)),
            Field("span", ("followVideo",), out=lambda span: span == "video",
                  back=lambda follow: "video" if follow else None)),
    window=Window(("startMs",), ("durationMs",), as_length=True),
    tag=("type",),
    tags={"photo": "photo", "clip": "clip", "text": "text", "timestamp": "datetime",
          "logo": "sticker", "audio": "music"},
    segments={
        "photo": (), "clip": (),
        "text": (Field("text", ("textContent",)), Field("position", ("anchor",), **ANCHOR),
                 Field("size", ("fontSizePct",), **PCT), Field("color", ("fontColor",)),
                 Field("box", ("background", "enabled")),
                 Field("box_color", ("background", "color")),
                 Field("fade_in", ("fadeInSec",), **SEC),
                 Field("fade_out", ("fadeOutSec",), **SEC)),
        "timestamp": (Field("format", ("pattern",)), Field("position", ("anchor",), **ANCHOR),
                      Field("size", ("fontSizePct",), **PCT), Field("color", ("fontColor",))),
        "logo": (Field("position", ("anchor",), **ANCHOR), Field("scale", ("widthPct",), **PCT),
                 Field("opacity", ("opacityPct",), **PCT)),
        "audio": (Field("volume", ("vol",), **PCT), Field("offset", ("trimStartMs",)),
                  Field("fade_in", ("fadeInSec",), **SEC),
                  Field("fade_out", ("fadeOutSec",), **SEC),
                  Field("fit", ("loop",), out=FIT_OUT, back=FIT_BACK)),
    },
)

OPAQUE = Dialect(
    name="opaque",
    draft=(Field("title", ("m", "title")), Field("width", ("x", "w")),
           Field("height", ("x", "h")), Field("aspect", ("x", "a")), Field("fit", ("x", "f")),
           Field("fps", ("x", "r"))),
    track=(Field("id", ("k",), out=_hex, back=_unhex), _track_type("opaque")),
    video=(Field("source", ("q", "s"), out=SOURCE_OUT, back=SOURCE_BACK),
           Field("fps", ("q", "f")), Field("hold", ("q", "h")),
           Field("deflicker", ("q", "z"), out=lambda d: d and [d["size"], d["mode"]],
                 back=lambda d: d and {"size": d[0], "mode": d[1]}),
           Field("blend", ("q", "b")),
           Field("interpolate", ("q", "i"), out=int, back=bool),
           Field("stabilize", ("q", "v"), out=lambda d: d and [d["smoothing"]],
                 back=lambda d: d and {"smoothing": d[0]}),
           Field("exposure", ("q", "e"), out=lambda d: d and [d["window"]],
                 back=lambda d: d and {"window": d[0]})),
    common=(Field("id", ("o",), out=_hex, back=_unhex), Field("name", ("r", "n")),
            Field("hash", ("r", "k")), Field("src", ("r", "u")),
            Field("span", ("tr", "s"), out=lambda span: 1, back=lambda flag: "video")),
    window=Window(("tr", "a"), ("tr", "b"), as_length=False),
    tag=("p", "x0"),
    tags={"photo": "m1", "clip": "m2", "text": "t1", "timestamp": "t2", "logo": "m3",
          "audio": "m4"},
    segments={
        "photo": (), "clip": (),
        "text": (Field("text", ("p", "x1")), Field("position", ("p", "x2")),
                 Field("size", ("p", "x3")), Field("color", ("p", "x4")),
                 Field("box", ("p", "x5"), out=int, back=bool), Field("box_color", ("p", "x6")),
                 Field("fade_in", ("p", "x7")), Field("fade_out", ("p", "x8"))),
        "timestamp": (Field("format", ("p", "x1")), Field("position", ("p", "x2")),
                      Field("size", ("p", "x3")), Field("color", ("p", "x4"))),
        "logo": (Field("position", ("p", "x2")), Field("scale", ("p", "x3")),
                 Field("opacity", ("p", "x9"))),
        "audio": (Field("volume", ("p", "x3")), Field("fade_in", ("p", "x7")),
                  Field("fade_out", ("p", "x8")), Field("offset", ("p", "xa")),
                  Field("fit", ("p", "xb"), out=MUSIC_FIT_OUT, back=MUSIC_FIT_BACK)),
    },
)

DIALECTS = {"camel": CAMEL, "opaque": OPAQUE}
