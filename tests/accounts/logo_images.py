"""Image files for the logo tests: real images made with Pillow, and hostile ones made by
hand (a header that claims a huge picture, an animation, a truncated file)."""

from __future__ import annotations

import io
import os
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}


def image_bytes(
    size: tuple[int, int] = (300, 200),
    *,
    format: str = "PNG",
    mode: str = "RGB",
    color: object = "navy",
    **save_options,
) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=format, **save_options)
    return buffer.getvalue()


def upload(content: bytes, name: str = "logo.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def image_upload(size: tuple[int, int] = (300, 200), *, format: str = "PNG", **options):
    extension = {"JPEG": "jpg"}.get(format, format.lower())
    return upload(
        image_bytes(size, format=format, **options), f"logo.{extension}", CONTENT_TYPES[format]
    )


def noisy_png(size: tuple[int, int] = (300, 300)) -> bytes:
    """A PNG that does not compress, so that cutting it short cuts into the pixels."""
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims ``width`` × ``height`` pixels (a decompression
    bomb needs no more to be refused: readers trust the header)."""
    content = bytearray(image_bytes((64, 64)))
    # The IHDR chunk follows the 8-byte signature: length (4), type (4), data (13), CRC.
    data_start = 8 + 8
    content[data_start : data_start + 8] = struct.pack(">II", width, height)
    ihdr = bytes(content[12 : data_start + 13])
    content[data_start + 13 : data_start + 17] = struct.pack(">I", zlib.crc32(ihdr))
    return bytes(content)


def animated(format: str = "WEBP") -> bytes:
    frames = [Image.new("RGB", (120, 120), color) for color in ("red", "blue", "green")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format=format, save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


def jpeg_with_metadata(size: tuple[int, int] = (200, 220)) -> bytes:
    """A portrait JPEG stored sideways with EXIF orientation 6 (as phones save them),
    a GPS position and a comment."""
    image = Image.new("RGB", size, "white")
    # The top-left quarter red: after the turn it must be the top-right quarter.
    image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1] // 2))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}  # GPS info
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes(), comment=b"secret comment", quality=95)
    return buffer.getvalue()
