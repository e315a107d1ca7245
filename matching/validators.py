"""Checks on what a student hands over. A file is judged by its extension AND its content
(the browser's content type is the uploader's claim, so it is ignored); a link must be a
plain http(s) address."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator

from accounts.validators import file_sizes_compared, validate_pdf_active_content

SUBMISSION_MAX_BYTES = 20 * 1024 * 1024
ORIGINAL_FILENAME_MAX = 255

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
# Office Open XML files are zip archives with a known first folder inside.
OFFICE_FOLDERS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
BINARY_MAGICS: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "zip": ZIP_MAGICS,
    "docx": ZIP_MAGICS,
    "xlsx": ZIP_MAGICS,
    "pptx": ZIP_MAGICS,
}
TEXT_EXTENSIONS = frozenset({"csv", "txt", "md"})
ALLOWED_EXTENSIONS = frozenset(BINARY_MAGICS) | TEXT_EXTENSIONS
ALLOWED_LABEL = (
    "PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), PNG, JPG, ZIP, CSV, TXT or MD"
)
# How much of a text file is read to decide it really is text.
TEXT_SNIFF_BYTES = 64 * 1024

_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")


def safe_original_filename(name: str | None) -> str:
    """The uploader's file name reduced to display text: the last path segment (for both
    / and \\ separators), no control or shell-special characters, no leading dots, at
    most 255 characters. It is never used as a storage path."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = _UNSAFE_CHARS.sub("", base).strip().lstrip(".").strip()
    if len(base) > ORIGINAL_FILENAME_MAX:
        stem, dot, ext = base.rpartition(".")
        if dot and len(ext) <= 8:
            base = stem[: ORIGINAL_FILENAME_MAX - len(ext) - 1] + "." + ext
        else:
            base = base[:ORIGINAL_FILENAME_MAX]
    return base or "file"


def file_extension(name: str) -> str:
    base = safe_original_filename(name)
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def _read_head(upload: UploadedFile, size: int) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _is_office_zip(upload: UploadedFile, folder: str) -> bool:
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)


def _is_text(upload: UploadedFile) -> bool:
    head = _read_head(upload, TEXT_SNIFF_BYTES)
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sniff window is still text.
        if exc.start < len(head) - 4:
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                return False
    return True


def validate_submission_file(upload: UploadedFile) -> None:
    """Not empty, at most 20 MB, an allowed extension, and content that matches it; a
    PDF also without active content (JavaScript, launch actions, embedded files)."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError("The file is empty. Choose the file you meant to hand in.", "empty")
    if size > SUBMISSION_MAX_BYTES:
        size_text, limit_text = file_sizes_compared(size, SUBMISSION_MAX_BYTES)
        raise ValidationError(
            "The file is %(size)s; a submission can be at most %(limit)s. "
            "Share a link to larger files instead.",
            code="too_large",
            params={"size": size_text, "limit": limit_text},
        )
    extension = file_extension(upload.name or "")
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            "This type of file is not accepted. Upload a %(allowed)s file, or share a link.",
            code="bad_type",
            params={"allowed": ALLOWED_LABEL},
        )
    if extension in TEXT_EXTENSIONS:
        if not _is_text(upload):
            raise ValidationError(
                "This file says it is .%(ext)s but it is not plain text.",
                code="bad_content",
                params={"ext": extension},
            )
        return
    head = _read_head(upload, 16)
    if not head.startswith(BINARY_MAGICS[extension]):
        raise ValidationError(
            "This file says it is .%(ext)s but its content is something else. "
            "Export it again or upload it in another accepted format.",
            code="bad_content",
            params={"ext": extension},
        )
    folder = OFFICE_FOLDERS.get(extension)
    if folder and not _is_office_zip(upload, folder):
        raise ValidationError(
            "This file says it is .%(ext)s but it is not a valid Office document.",
            code="bad_content",
            params={"ext": extension},
        )
    if extension == "pdf":
        validate_pdf_active_content(upload)


_url_validator = URLValidator(schemes=["http", "https"])


def validate_submission_link(link: str) -> None:
    """An absolute http:// or https:// address (no javascript:, data:, file: …)."""
    try:
        scheme = urlsplit(link).scheme.lower()
    except ValueError as exc:  # "Invalid IPv6 URL": an unbalanced "[" in the address
        raise ValidationError("This is not a valid web address.", "invalid") from exc
    if scheme not in {"http", "https"}:
        raise ValidationError("Give a link that starts with https:// or http://.", "bad_scheme")
    try:
        _url_validator(link)
    except ValidationError as exc:
        raise ValidationError("This is not a valid web address.", "invalid") from exc
