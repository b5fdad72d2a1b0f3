"""The photo formats lapsefile reads, as containers: JPEG, PNG, GIF, WebP, TIFF (and the
TIFF-based camera RAWs), ISO-BMFF (HEIF, Canon CR3) walkers.

Each walker is a generator that asks for the file's bytes in order (``Need``: give me the
next n bytes; ``Skip``: I do not look at the next n; ``Scan``: find the next JPEG marker in
entropy-coded data) and raises :class:`Broken` on what cannot be; it returns at the format's
end (what follows is allowed, see ``integrity``). ``integrity.Inspector`` serves the requests
from the chunks hashing reads. Nothing is decoded: only headers, lengths and markers are read.
"""

from __future__ import annotations

import codecs
import re
import struct
from collections.abc import Generator
from typing import NamedTuple

# Pillow refuses to open an image of more than twice its MAX_IMAGE_PIXELS (89,478,485 by
# default) with DecompressionBombError; ffmpeg's own limit is a little higher. No camera comes
# near this (a 200-megapixel phone photo is 16320 x 12240 = 199.7 M: its binned output is
# 50 M), so larger declared sizes are damage or a hostile file.
MAX_PIXELS = 2 * 89_478_485


class Need(NamedTuple):
    """The parser wants the next ``size`` bytes."""

    size: int


class Skip(NamedTuple):
    """The parser does not look at the next ``size`` bytes."""

    size: int


class Scan(NamedTuple):
    """The parser wants the next JPEG marker after entropy-coded data (its code byte)."""


class Next(Need):
    """Like Need, but the file may end cleanly before its first byte: the parser is then
    sent ``b""`` (formats made of boxes up to the end of the file, such as HEIF)."""


Request = Need | Next | Skip | Scan
Parser = Generator[Request, bytes, None]


class Broken(Exception):
    """What is wrong with the file, worded to follow its name."""


def recognise(head: bytes) -> tuple[str, Parser]:
    """The format of a file starting with ``head``, and its parser; Broken if not an image."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG", _jpeg()
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG", _png()
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF", _gif()
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "WebP", _webp()
    if head[:4] in _TIFF_MAGIC:
        return "TIFF", _tiff()
    if head.startswith(b"FUJIFILMCCD-RAW"):
        return "RAF", _signature_only(16)
    brand = head[8:12] if head[4:8] == b"ftyp" else b""
    if brand in _HEIF_BRANDS:
        return "HEIF", _bmff("HEIF", b"meta")
    if brand == b"crx ":
        return "CR3", _bmff("CR3", b"moov")
    raise Broken(_not_an_image(head))


# TIFF's byte orders with its 42, and the TIFF-structured RAWs that put their own number
# there: Olympus ORF ("RO", "RS") and Panasonic RW2 (0x55). DNG, CR2, NEF, ARW are TIFFs.
_TIFF_MAGIC = frozenset((b"II*\x00", b"MM\x00*", b"IIRO", b"IIRS", b"MMOR", b"IIU\x00"))
# HEIF images (HEVC-coded and the generic image brands); AVIF's brands are not among them.
_HEIF_BRANDS = frozenset((b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1",
                          b"msf1"))
_MAX_IFD_ENTRIES = 4096  # real directories hold tens to a few hundred tags


def _not_an_image(head: bytes) -> str:
    """Name what the file is when it is not a photo lapsefile reads, when that is known."""
    if head[4:8] == b"ftyp":
        brand = head[8:12].decode("ascii", "replace").strip()
        if brand in ("avif", "avis"):
            return (f"is not a photo lapsefile reads but an AVIF image (brand {brand!r}); "
                    "convert it to JPEG")
        return f"is not an image but a video or audio file (brand {brand!r})"
    try:
        # incremental: a character cut at the end of the head is not a decoding error
        text = codecs.getincrementaldecoder("utf-8")().decode(head)
    except UnicodeDecodeError:
        text = ""
    if text and all(c.isprintable() or c in "\t\r\n" for c in text):
        return f"is not an image: it holds text ({text[:12]!r}...)"
    return ("is not a JPEG, PNG, GIF, WebP, TIFF, HEIF or camera RAW image (its first bytes "
            "are no image signature)")


def _check_size(kind: str, width: int, height: int) -> None:
    if width < 1 or height < 1:
        raise Broken(f"is damaged: its {kind} header declares {width}x{height} pixels")
    if width * height > MAX_PIXELS:
        raise Broken(f"is too large: its {kind} header declares {width}x{height} pixels "
                     f"({width * height / 1e6:,.0f} megapixels; lapsefile reads at most "
                     f"{MAX_PIXELS / 1e6:.0f})")


# JPEG markers without a length: TEM, RST0-7 (outside a scan they are out of place but
# harmless), SOI is checked as the first marker.
_STANDALONE = frozenset((0x01, *range(0xD0, 0xD8)))
# Start-of-frame markers: SOF0-15 except DHT (C4), JPG (C8) and DAC (CC).
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg() -> Parser:
    """JPEG: segments with lengths up to each scan, scans up to the next marker, until EOI."""
    yield Need(2)  # SOI, already recognised
    framed = scanned = False
    code: int | None = None
    while True:
        if code is None:
            code = yield from _jpeg_marker()
        if code == 0xD9:  # EOI
            if not scanned:
                raise Broken("is damaged: the JPEG ends before any image data")
            return
        if code == 0xD8:
            raise Broken("is damaged: a second JPEG start marker before any end marker")
        if code in _STANDALONE:
            code = None
            continue
        length = struct.unpack(">H", (yield Need(2)))[0]
        if length < 2:
            raise Broken(f"is damaged: a JPEG segment (marker 0x{code:02X}) has length {length}")
        if code in _SOF:
            body = yield Need(length - 2)
            if len(body) < 5:
                raise Broken("is damaged: its JPEG frame header is too short")
            height, width = struct.unpack(">HH", body[1:5])
            _check_size("JPEG", width, height)
            framed = True
        else:
            yield Skip(length - 2)
        if code == 0xDA:  # SOS: the scan's entropy-coded data follows
            if not framed:
                raise Broken("is damaged: JPEG image data comes before the frame header")
            scanned = True
            code = (yield Scan())[0]
        else:
            code = None


# A real marker inside JPEG scan data: 0xFF followed by neither a stuffed zero, a restart
# marker (RST0-7 belong to the scan) nor another 0xFF (fill byte before the real code).
_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
# Scan data this long is searched by numpy rather than the regex: the regex walks byte by
# byte holding the GIL (about 2.5 GB/s, slower than sha256), numpy's passes run at several
# GB/s and release the GIL, so the threads that hash photos search in parallel too.
_VECTOR_FROM = 1 << 16
_VECTOR_BLOCK = 1 << 18


def find_marker(data: bytes | memoryview, pos: int) -> int:
    """Where the first JPEG marker in scan data from ``pos`` starts (its 0xFF), -1 if none
    is complete in ``data`` (a 0xFF ending it is left to the caller)."""
    # Most scans end in the chunk they started in, or near it: the regex on a short window
    # first, so that a progressive JPEG's many small scans do not each pay a numpy pass.
    window = min(len(data), pos + _VECTOR_FROM)
    found = _MARKER.search(data, pos, window)
    if found is not None:
        return found.start()
    if window == len(data):
        return -1
    return _find_marker_vector(data, window - 1)  # the last 0xFF may pair with the next byte


def _find_marker_vector(data: bytes | memoryview, pos: int) -> int:
    """``find_marker`` by numpy: the 0xFF bytes followed by a non-zero byte (rare in scan
    data, where 0xFF is stuffed with a zero), then those whose code is a marker's."""
    import numpy as np  # imported here: only a first plan of large photos needs it

    everything = np.frombuffer(data, np.uint8)
    # In blocks: temporaries of a whole chunk's size are fresh memory each time, and their
    # page faults cost three times the search itself.
    while pos < len(everything) - 1:
        block = everything[pos:pos + _VECTOR_BLOCK + 1]  # overlapping: pairs across blocks
        pairs = np.flatnonzero((block[:-1] == 0xFF) & (block[1:] != 0))
        codes = block[pairs + 1]
        markers = pairs[((codes < 0xD0) | (codes > 0xD7)) & (codes != 0xFF)]
        if len(markers):
            return pos + int(markers[0])
        pos += _VECTOR_BLOCK
    return -1


def _jpeg_marker() -> Generator[Request, bytes, int]:
    pair = yield Need(2)
    if pair[0] != 0xFF:
        raise Broken("is damaged: its JPEG segments are garbled (no marker where one must be)")
    code = pair[1]
    while code == 0xFF:  # fill bytes may precede a marker's code
        code = (yield Need(1))[0]
    return code


def _png() -> Parser:
    """PNG: IHDR first, then chunks by their lengths until IEND (with its CRC)."""
    yield Need(8)  # the signature, already recognised
    first, pictured = True, False
    while True:
        length, kind = struct.unpack(">I4s", (yield Need(8)))
        if length > 0x7FFFFFFF or not kind.isalpha():
            raise Broken("is damaged: its PNG chunks are garbled (a chunk header is invalid)")
        if first:
            if kind != b"IHDR" or length != 13:
                raise Broken("is damaged: it does not start with a PNG header chunk (IHDR)")
            width, height = struct.unpack(">II", (yield Need(8)))
            _check_size("PNG", width, height)
            yield Skip(length - 8 + 4)
            first = False
            continue
        if kind == b"IEND":
            if not pictured:
                raise Broken("is damaged: the PNG has no image data (IDAT)")
            yield Need(4)  # the CRC: a file cut just before it is still cut
            return
        pictured = pictured or kind == b"IDAT"
        yield Skip(length + 4)


def _gif() -> Parser:
    """GIF: header, colour table, then extension and image blocks until the trailer (0x3B)."""
    header = yield Need(13)
    width, height, packed = struct.unpack("<HHB", header[6:11])
    _check_size("GIF", width, height)
    if packed & 0x80:
        yield Skip(3 << ((packed & 7) + 1))
    images = 0
    while True:
        block = (yield Need(1))[0]
        if block == 0x3B:
            if not images:
                raise Broken("is damaged: the GIF holds no image")
            return
        if block == 0x21:  # extension: a label, then sub-blocks
            yield Need(1)
        elif block == 0x2C:  # image: descriptor, local colour table, LZW code size
            packed = (yield Need(9))[8]
            if packed & 0x80:
                yield Skip(3 << ((packed & 7) + 1))
            yield Need(1)
            images += 1
        else:
            raise Broken(f"is damaged: its GIF blocks are garbled (byte 0x{block:02X} where a "
                         "block must start)")
        while size := (yield Need(1))[0]:  # sub-blocks, ended by an empty one
            yield Skip(size)


def _webp() -> Parser:
    """WebP: the RIFF header's size, chunks inside it, the first one giving the dimensions."""
    header = yield Need(12)
    end = struct.unpack("<I", header[4:8])[0] + 8
    at, first = 12, True
    while at < end:
        if end - at < 8:
            raise Broken("is damaged: its WebP chunks do not fill the size its header declares")
        fourcc, size = struct.unpack("<4sI", (yield Need(8)))
        at += 8
        if size > end - at:
            raise Broken(f"is damaged: a WebP chunk ({fourcc.decode('latin-1')!r}) runs past "
                         "the size the RIFF header declares")
        padded = min(size + (size & 1), end - at)  # chunks are padded to an even length
        read = 0
        if first:
            read = min(size, 10)
            width, height = _webp_size(fourcc, (yield Need(read)))
            _check_size("WebP", width, height)
            first = False
        yield Skip(padded - read)
        at += padded
    if first:
        raise Broken("is damaged: the WebP holds no image chunk")


def _webp_size(fourcc: bytes, body: bytes) -> tuple[int, int]:
    """Width and height from the first chunk of a WebP (VP8, VP8L or VP8X)."""
    if fourcc == b"VP8 " and len(body) == 10 and body[3:6] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", body[6:10])
        return width & 0x3FFF, height & 0x3FFF
    if fourcc == b"VP8L" and len(body) >= 5 and body[0] == 0x2F:
        bits = struct.unpack("<I", body[1:5])[0]
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if fourcc == b"VP8X" and len(body) == 10:
        return (int.from_bytes(body[4:7], "little") + 1,
                int.from_bytes(body[7:10], "little") + 1)
    raise Broken(f"is damaged: its first WebP chunk ({fourcc.decode('latin-1')!r}) is not a "
                 "valid VP8, VP8L or VP8X header")


def _tiff() -> Parser:
    """TIFF and TIFF-based RAW: the header, then the first image directory (IFD) whole.

    Only the first directory is read: the pixel data and further directories may lie before
    or after it anywhere in the file, which a single forward pass cannot follow; damage there
    is found when the photo is decoded, and named then.
    """
    header = yield Need(8)
    order = "<" if header[:2] == b"II" else ">"
    offset = struct.unpack(order + "I", header[4:8])[0]
    if offset < 8:
        raise Broken("is damaged: its TIFF or camera raw header points to no image directory")
    yield Skip(offset - 8)
    count = struct.unpack(order + "H", (yield Need(2)))[0]
    if not 0 < count <= _MAX_IFD_ENTRIES:
        raise Broken(f"is damaged: its first TIFF image directory declares {count} entries")
    entries = yield Need(12 * count)
    values = _tiff_numbers(entries, order)
    if 256 in values and 257 in values:  # ImageWidth, ImageLength (RW2 keeps them elsewhere)
        _check_size("TIFF", values[256], values[257])
    yield Need(4)  # the next directory's offset: a file cut inside the directory is cut
    # Image data in one strip or tile (its offset and length are then in the entries
    # themselves, as in a DNG's or a small TIFF's main image): the file must reach its end.
    at = offset + 2 + 12 * count + 4
    for place, length in ((273, 279), (324, 325)):  # strips, tiles
        if place in values and length in values and values[place] + values[length] > at:
            yield Skip(values[place] + values[length] - at)
            return


def _tiff_numbers(entries: bytes, order: str) -> dict[int, int]:
    """The single SHORT or LONG values of a TIFF directory's entries, by tag; ``Broken``
    for an entry of no TIFF type."""
    values: dict[int, int] = {}
    for at in range(0, len(entries), 12):
        tag, kind, number = struct.unpack(order + "HHI", entries[at:at + 8])
        if not 1 <= kind <= 18:  # the TIFF field types (13-18: later and BigTIFF types)
            raise Broken("is damaged: its first TIFF image directory is garbled (an entry of "
                         f"unknown type {kind})")
        if number == 1 and kind in (3, 4):
            fmt, width = ("H", 2) if kind == 3 else ("I", 4)
            values[tag] = struct.unpack(order + fmt, entries[at + 8:at + 8 + width])[0]
    return values


def _signature_only(size: int) -> Parser:
    """A format whose structure is not checked here, beyond its signature."""
    yield Need(size)


def _bmff(kind: str, required: bytes) -> Parser:
    """ISO-BMFF (HEIF, CR3): top-level boxes by their sizes up to the end of the file, which
    must hold ``required`` (HEIF's meta box holds its images, CR3's moov its tracks)."""
    seen: set[bytes] = set()
    while True:
        header = yield Next(8)
        if not header:  # the file ended between two boxes
            if required not in seen:
                raise Broken(f"is damaged: the {kind} file holds no image (no "
                             f"{required.decode()} box)")
            return
        size, box = struct.unpack(">I4s", header)
        if not all(32 <= c < 127 for c in box):
            raise Broken(f"is damaged: its {kind} boxes are garbled (a box header is invalid)")
        seen.add(box)
        if size == 0:  # the last box, to the end of the file
            if required not in seen:
                raise Broken(f"is damaged: the {kind} file holds no image (no "
                             f"{required.decode()} box)")
            return
        if size == 1:  # a 64-bit size follows the type
            size = struct.unpack(">Q", (yield Need(8)))[0] - 8
        if size < 8:
            raise Broken(f"is damaged: a {kind} box ({box.decode()!r}) declares {size} bytes")
        yield Skip(size - 8)
