"""Is a photo whole? Cheap structural checks made while the photo is hashed.

Hashing reads every byte of a new or changed photo anyway, so the same bytes are handed to an
:class:`Inspector` as they are read: it walks the file's container structure (JPEG markers and
segment lengths, PNG chunks, GIF blocks, WebP RIFF chunks, a TIFF's or TIFF-based RAW's first
image directory, the boxes of a HEIF or CR3 file; a Fuji RAF's signature only) without
decoding a pixel, and reads the dimensions the header declares. What it finds:

- empty files and files that are no image at all (a text file named ``x.jpg``);
- truncated files: the data stops before the format's end (JPEG EOI, PNG IEND, GIF trailer,
  the size the WebP RIFF header declares). A truncated JPEG is the dangerous one: decoders
  fill the missing rows with grey or green, or ffmpeg repeats the previous photo, and which
  of these happens varies from run to run;
- garbled structure (a segment or chunk header that cannot be one);
- declared dimensions that are zero or absurd (a few hundred bytes declaring 100000 x 100000
  pixels makes Pillow refuse the file, and would make a decoder allocate gigabytes).

Bytes after the format's end (after JPEG's EOI, PNG's IEND, GIF's trailer or the RIFF size)
are allowed: every decoder stops at the end marker, so they cannot change the picture, and
cameras and phones put real data there (Samsung's trailer, the video of a Google motion photo
after the JPEG, the further images of an MPO). Refusing them would refuse photos that show
correctly everywhere.

Not found: damage inside the compressed data itself (a flipped bit in a JPEG scan), which only
decoding could tell, at many times the cost of hashing.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping

from ..errors import Diagnostic
from ..spec.model import Spec
from .formats import (
    MAX_PIXELS,
    Broken,
    Need,
    Next,
    Parser,
    Request,
    Scan,
    Skip,
    find_marker,
    recognise,
)
from .ordering import natural_key

__all__ = ["MAX_PIXELS", "SHOWN", "Inspector", "broken_photos_diagnostic"]

SHOWN = 8  # broken photos named in the error; the rest are counted
_HEAD = 16  # bytes needed to recognise every supported format and the common unsupported ones


class Inspector:
    """Fed a file's bytes in order (``feed``), says what is wrong with it (``verdict``).

    The format parsers are generators that ask for bytes (``Need``), skip them (``Skip``) or
    look for the next JPEG marker (``Scan``); this class serves those requests from the chunks
    it is fed, so a segment may span chunks and skipped data is never copied.
    """

    def __init__(self) -> None:
        self._head = bytearray()  # the first bytes, until the format is known
        self._parser: Parser | None = None
        self._kind = ""
        self._request: Request | None = None
        self._got = bytearray()  # bytes gathered for the pending Need
        self._left = 0  # bytes still to skip for the pending Skip
        self._carry = False  # scanning, the previous chunk ended in 0xFF
        self._size = 0
        self._problem: str | None = None
        self._done = False

    def feed(self, data: bytes | memoryview) -> None:
        """The next bytes of the file (not kept: the caller may reuse its buffer)."""
        self._size += len(data)
        if self._done or self._problem is not None:
            return  # the rest is trailing data, or the verdict is already known
        if self._parser is None:
            if not self._head and len(data) >= _HEAD:
                # the usual first chunk: keep only the head, not a copy of the whole chunk
                self._head += data[:_HEAD]
            else:
                self._head += data
                if len(self._head) < _HEAD:
                    return
                data = bytes(self._head)
            self._start()
        self._guarded(data)

    def verdict(self) -> str:
        """"" when the file is whole, else what is wrong with it (after the last ``feed``)."""
        if self._size == 0:
            return "is empty (0 bytes)"
        if self._parser is None and self._problem is None:
            self._start()  # a file shorter than _HEAD: judge what there is
            self._guarded(bytes(self._head))
        if self._problem is not None:
            return self._problem
        if not self._done and isinstance(self._request, Next) and not self._got:
            # The file ended where the format may end: the parser says whether it is whole.
            self._guarded(b"", at_end=True)
            if self._problem is not None:
                return self._problem
        if not self._done:
            return self._truncated()
        return ""

    def _start(self) -> None:
        try:
            self._kind, self._parser = recognise(bytes(self._head))
            self._advance(None)
        except Broken as exc:
            self._problem = str(exc)

    def _guarded(self, data: bytes | memoryview, at_end: bool = False) -> None:
        if self._problem is None and not self._done:
            try:
                if at_end:
                    self._advance(b"")
                else:
                    self._consume(data)
            except Broken as exc:
                self._problem = str(exc)

    def _truncated(self) -> str:
        if self._kind == "WebP":
            declared = struct.unpack("<I", bytes(self._head[4:8]))[0] + 8
            return (f"is truncated: its WebP header declares {declared:,} bytes, the file has "
                    f"{self._size:,}")
        end = {"JPEG": "its end-of-image marker", "PNG": "its IEND chunk",
               "GIF": "its trailer", "TIFF": "the end its first image directory declares",
               "HEIF": "the end of a box", "CR3": "the end of a box",
               "RAF": "the end of its signature"}[self._kind]
        return f"is truncated: the {self._kind} data stops before {end}"

    def _advance(self, value: bytes | None) -> None:
        """Hand ``value`` to the parser and take its next request (zero-size ones at once)."""
        assert self._parser is not None
        while True:
            try:
                request = self._parser.send(value)  # type: ignore[arg-type]
            except StopIteration:
                self._done, self._request = True, None
                return
            if isinstance(request, Scan) or request.size > 0:
                break
            value = b""
        self._request = request
        if isinstance(request, Skip):
            self._left = request.size

    def _consume(self, data: bytes | memoryview) -> None:
        pos, end = 0, len(data)
        while pos < end and not self._done:
            request = self._request
            if isinstance(request, Skip):
                take = min(self._left, end - pos)
                pos, self._left = pos + take, self._left - take
                if self._left == 0:
                    self._advance(b"")
            elif isinstance(request, Need):
                take = min(request.size - len(self._got), end - pos)
                self._got += data[pos:pos + take]
                pos += take
                if len(self._got) == request.size:
                    got = bytes(self._got)
                    self._got.clear()
                    self._advance(got)
            else:
                pos = self._scan(data, pos)

    def _scan(self, data: bytes | memoryview, pos: int) -> int:
        """Find the next marker from ``pos``; return where to go on (``len(data)``: not yet)."""
        if self._carry:
            self._carry = False
            code = data[pos]
            if code != 0x00 and code != 0xFF and not 0xD0 <= code <= 0xD7:
                self._advance(bytes((code,)))
                return pos + 1
        found = find_marker(data, pos)
        if found < 0:
            # A 0xFF that ends a chunk may start a marker that the next chunk completes.
            self._carry = data[-1] == 0xFF
            return len(data)
        self._advance(bytes((data[found + 1],)))
        return found + 2


def broken_photos_diagnostic(spec: Spec, broken: Mapping[str, str], total: int) -> Diagnostic:
    """One error naming the broken photos (``relpath -> verdict``), the first SHOWN of them
    in natural order with what is wrong, the rest counted."""
    names = sorted(broken, key=natural_key)
    shown = "; ".join(f"{name} {broken[name]}" for name in names[:SHOWN])
    more = f"; and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return Diagnostic(
        f"{len(names)} of {total} photos are broken and would render as garbage or not at "
        f"all: {shown}{more}", path="frames.include", location=spec.where("frames", "include"),
        expected="whole JPEG, PNG, GIF, WebP, TIFF, HEIF or camera RAW images",
        hint="copy them again from the camera or card, or leave them out with "
             "`frames.exclude`")
