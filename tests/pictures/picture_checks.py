"""Reading a PNG's header by hand: the signature and the IHDR chunk's width and height."""

from __future__ import annotations

import struct

SIGNATURE = b"\x89PNG\r\n\x1a\n"
MIN_BYTES, MAX_BYTES = 5_000, 400_000


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == SIGNATURE, "not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def assert_picture(data: bytes, *, min_width: int = 400, min_height: int = 200) -> tuple[int, int]:
    """A decodable PNG of a sensible size for Telegram, in pixels and in bytes."""
    width, height = png_size(data)
    assert min_width <= width <= 2600 and min_height <= height <= 2600, (width, height)
    assert MIN_BYTES <= len(data) <= MAX_BYTES, len(data)
    assert data.endswith(b"IEND\xaeB`\x82")
    return width, height
