"""``make screenshots`` (tools/screenshots.py) shrinks each PNG without changing a pixel."""

from __future__ import annotations

import struct
import zlib

import pytest

from tools.screenshots import PNG_SIGNATURE, _chunk, compact_png


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, offset = [], len(PNG_SIGNATURE)
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + body), f"bad CRC on {kind!r}"
        chunks.append((kind, body))
        offset += 12 + length
    return chunks


def _png(width: int = 64, height: int = 48) -> tuple[bytes, bytes]:
    """A striped RGB image written the way a fast encoder writes it: level 1, split over two IDATs, with a text
    chunk. Returns the PNG and its raw (filtered) scanlines."""
    raw = b"".join(b"\x00" + bytes((x * 4 + y) % 256 for x in range(width) for _ in range(3)) for y in range(height))
    compressed = zlib.compress(raw, 1)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = [
        _chunk(b"IHDR", header),
        _chunk(b"tEXt", b"Software\x00a browser"),
        _chunk(b"IDAT", compressed[:100]),
        _chunk(b"IDAT", compressed[100:]),
        _chunk(b"IEND", b""),
    ]
    return PNG_SIGNATURE + b"".join(body), raw


def test_same_pixels_one_image_chunk_no_text() -> None:
    original, raw = _png()
    compact = compact_png(original)
    chunks = _chunks(compact)
    assert [kind for kind, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    assert chunks[0][1] == _chunks(original)[0][1]
    assert zlib.decompress(chunks[1][1]) == raw
    assert len(compact) <= len(original)


def test_not_a_png_is_refused() -> None:
    with pytest.raises(ValueError, match="not a PNG"):
        compact_png(b"GIF89a")
    with pytest.raises(ValueError, match="header or image data"):
        compact_png(PNG_SIGNATURE + _chunk(b"IEND", b""))
