"""Organization logos: check an upload is a real, still PNG, JPEG or WebP image of a
sensible size, and turn it into a square PNG without metadata.

Checks read the file's content, never its name or the browser's content type, and run
before the pixels are decoded: a small file that claims a huge picture (a
decompression bomb) is refused from its header. The square output means every page
can show a logo at a fixed size, and re-encoding drops whatever else the file carried
(EXIF with GPS positions, comments, colour profiles, trailing bytes).

Storing, replacing and removing the file happen in the organization services
(``accounts.services.organizations``), inside their transactions.
"""

from __future__ import annotations

import io
import logging

from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage
from PIL import Image, ImageOps

from core.exceptions import DomainError

from ..validators import file_sizes_compared

logger = logging.getLogger(__name__)

LOGO_MAX_BYTES = 2 * 1024 * 1024
#: Pillow's names of the formats accepted: only their readers see the bytes.
LOGO_FORMATS = ["PNG", "JPEG", "WEBP"]
#: Each side of a logo at least this long: smaller ones blur when shown.
LOGO_MIN_SIDE = 64
#: At most this many pixels (width × height): decoding more would take hundreds of
#: megabytes of memory for what becomes a 256-pixel square.
LOGO_MAX_PIXELS = 25_000_000
#: The side of the stored square.
LOGO_SIDE = 256
#: Up to this ratio of the long side to the short one, the image is cropped to fill the
#: square; beyond it (a wide wordmark) it is fitted whole on a transparent square, as a
#: crop would cut the name off.
CROP_UP_TO_RATIO = 1.25


class LogoError(DomainError):
    """An upload cannot be a logo. ``field`` is the form field the message belongs to."""

    field = "logo"


def logo_process(*, upload: File) -> ContentFile:
    """The upload as a ``LOGO_SIDE`` square PNG without metadata, or ``LogoError``
    saying what is wrong with it."""
    image = _open_checked(upload)
    try:
        image = _square(image)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
    except Exception as error:  # noqa: BLE001
        logger.info("logo could not be converted: %r", error)
        raise LogoError(
            "This image could not be converted. Save it again as a PNG or JPEG and upload that."
        ) from error
    return ContentFile(buffer.getvalue(), name="logo.png")


def logo_file_delete(*, name: str, storage: Storage) -> None:
    """Remove a stored logo file. A file already gone is not an error: the database no
    longer points to it either way."""
    if not name:
        return
    try:
        storage.delete(name)
    except OSError:
        logger.warning("could not delete the old logo %s", name, exc_info=True)


# ------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------
def _open_checked(upload: File) -> Image.Image:
    size = upload.size or 0
    if size > LOGO_MAX_BYTES:
        size_text, limit_text = file_sizes_compared(size, LOGO_MAX_BYTES)
        raise LogoError(f"The logo is {size_text}; a logo can be at most {limit_text}.")
    if size == 0:
        raise LogoError("The file is empty. Choose a PNG, JPEG or WebP image.")
    upload.seek(0)
    try:
        # Opening reads the header only; the pixels are decoded below, after the checks.
        image = Image.open(upload, formats=LOGO_FORMATS)
    except Image.DecompressionBombError as error:
        raise _too_many_pixels_error() from error
    except Exception as error:  # noqa: BLE001  # readers of hostile bytes raise anything
        logger.info("logo upload is not a readable image: %r", error)
        raise LogoError(
            "This file is not a PNG, JPEG or WebP image. Choose an image in one of those "
            "formats (SVG, GIF and PDF files are not accepted)."
        ) from error
    width, height = image.size
    if width * height > LOGO_MAX_PIXELS:
        raise _too_many_pixels_error(width, height)
    # A camera's multi-picture JPEG (MPO) holds a still photo and its previews: the
    # first frame is the photo. Other formats with frames are animations.
    if getattr(image, "is_animated", False) and image.format != "MPO":
        raise LogoError("This image is animated. Upload a still PNG, JPEG or WebP image.")
    if min(width, height) < LOGO_MIN_SIDE:
        raise LogoError(
            f"The image is only {width} × {height} pixels; a logo needs at least "
            f"{LOGO_MIN_SIDE} × {LOGO_MIN_SIDE} pixels to look sharp."
        )
    try:
        if image.format == "JPEG":
            # Decode a JPEG at the smallest scale still larger than the square: less
            # memory and time, and no visible difference once resized.
            image.draft("RGB", (LOGO_SIDE * 2, LOGO_SIDE * 2))
        image.load()
    except Image.DecompressionBombError as error:
        raise _too_many_pixels_error(width, height) from error
    except Exception as error:  # noqa: BLE001  # as above: a decoder's error is the file's fault
        logger.info("logo upload could not be decoded: %r", error)
        raise LogoError(
            "This image is damaged or incomplete. Save it again and upload the new file."
        ) from error
    return image


def _too_many_pixels_error(width: int | None = None, height: int | None = None) -> LogoError:
    stated = (
        f"The image is {width:,} × {height:,} pixels"
        if width and height
        else "The image has too many pixels"
    )
    return LogoError(
        f"{stated}; a logo can have at most {LOGO_MAX_PIXELS // 1_000_000} million pixels "
        "(for example 5,000 × 5,000). Make the image smaller and upload it again."
    )


def _square(image: Image.Image) -> Image.Image:
    # A phone photo keeps its orientation in EXIF, which the re-encoding drops.
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if image.mode not in ("RGB", "RGBA"):
        if image.mode.startswith("I;16"):  # 16-bit greyscale PNG: scale to 8 bits first
            image = image.point(lambda value: value / 256).convert("L")
        image = image.convert("RGBA" if has_alpha else "RGB")
    width, height = image.size
    side = LOGO_SIDE
    if max(width, height) / min(width, height) <= CROP_UP_TO_RATIO:
        fitted = ImageOps.fit(image, (side, side), method=Image.Resampling.LANCZOS)
        mode, offset = image.mode, (0, 0)
    else:
        fitted = ImageOps.contain(image, (side, side), method=Image.Resampling.LANCZOS)
        mode, offset = "RGBA", ((side - fitted.width) // 2, (side - fitted.height) // 2)
    # A new canvas carries none of the source's metadata (EXIF, ICC profile, text).
    canvas = Image.new(mode, (side, side), (0, 0, 0, 0) if mode == "RGBA" else (255, 255, 255))
    # Copied, not blended: the canvas is blank, and a mask would halve the alpha.
    canvas.paste(fitted, offset)
    return canvas
