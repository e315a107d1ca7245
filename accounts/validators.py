"""Upload checks. A file is judged by its content, never by its name or the browser's
content type: both are chosen by the uploader."""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

logger = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"


_SIZE_UNITS = (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024))


def _size_text(size: int, places: int) -> str:
    for unit, factor in _SIZE_UNITS:
        if size >= factor:
            text = f"{size / factor:,.{places}f}"
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            return f"{text}\xa0{unit}"
    return f"{size:,}\xa0byte{'' if size == 1 else 's'}"


def file_sizes_compared(size: int, limit: int) -> tuple[str, str]:
    """``size`` and ``limit`` as text that tells them apart, for "the file is X; at most
    Y": in KB/MB/GB with as few decimals as that takes (at most two), else in bytes. A
    file a few bytes over the limit must not read "20.0 MB; at most 20.0 MB"."""
    for places in (0, 1, 2):
        size_text, limit_text = _size_text(size, places), _size_text(limit, places)
        if size_text != limit_text:
            return size_text, limit_text
    return f"{size:,}\xa0bytes", f"{limit:,}\xa0bytes"


def validate_resume(upload: UploadedFile) -> None:
    """A résumé is a non-empty, readable, unencrypted PDF of at most RESUME_MAX_BYTES,
    without active content (see ``validate_pdf_active_content``)."""
    limit = settings.RESUME_MAX_BYTES
    size = upload.size or 0
    if size == 0:
        raise ValidationError("The file is empty. Choose your résumé as a PDF.", code="empty")
    if size > limit:
        size_text, limit_text = file_sizes_compared(size, limit)
        raise ValidationError(
            "The file is %(size)s; a résumé can be at most %(limit)s.",
            code="too_large",
            params={"size": size_text, "limit": limit_text},
        )
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head != PDF_MAGIC:
        raise ValidationError(
            "This file is not a PDF. Save or export your résumé as PDF and upload that.",
            code="not_pdf",
        )
    try:
        reader = PdfReader(upload)
        if reader.is_encrypted:
            raise ValidationError(
                "This PDF is password-protected. Upload a version without a password.",
                code="encrypted",
            )
        page_count = len(reader.pages)
        validate_pdf_active_content(upload, reader=reader)
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 — pypdf raises many kinds on broken files
        logger.info("résumé rejected, unreadable PDF: %s", exc)
        raise ValidationError(
            "This PDF could not be read; it may be damaged. Export it again and retry.",
            code="unreadable",
        ) from exc
    finally:
        upload.seek(0)
    if page_count < 1:
        raise ValidationError("This PDF has no pages.", code="no_pages")


# --- active content in PDFs ------------------------------------------------------------
# A PDF can carry things a viewer runs or opens on the reader's computer. Résumés and
# deliverables are downloaded and opened by other people, so none of it is accepted.
PDF_ACTIVE_CONTENT_MESSAGES = {
    "pdf_javascript": (
        "This PDF contains JavaScript, which could run on the computer of whoever opens "
        "it. Save it again with “Print to PDF” (or export it without scripts) and upload "
        "that copy."
    ),
    "pdf_launch": (
        "This PDF contains a launch action, which tries to open another file or program. "
        "Save it again with “Print to PDF” and upload that copy."
    ),
    "pdf_embedded_file": (
        "This PDF contains embedded files (attachments). Upload a PDF without "
        "attachments, and share any other files separately."
    ),
    "pdf_automatic_action": (
        "This PDF runs actions automatically when it is opened or viewed. Save it again "
        "with “Print to PDF” and upload that copy."
    ),
    "pdf_xfa": (
        "This PDF contains an XFA form, which can run scripts. Save it again with "
        "“Print to PDF” and upload that copy."
    ),
}


def _resolved(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def _dictionary_findings(obj: DictionaryObject) -> set[str]:
    found = set()
    action = _resolved(obj.get("/S"))
    if "/JS" in obj or "/JavaScript" in obj or action == "/JavaScript":
        found.add("pdf_javascript")
    if action == "/Launch":
        found.add("pdf_launch")
    if (
        "/EmbeddedFiles" in obj
        or "/EF" in obj
        or _resolved(obj.get("/Type")) == "/EmbeddedFile"
        or _resolved(obj.get("/Subtype")) == "/FileAttachment"
    ):
        found.add("pdf_embedded_file")
    if "/AA" in obj:
        found.add("pdf_automatic_action")
    if "/XFA" in obj:
        found.add("pdf_xfa")
    return found


def _parsed_findings(reader: PdfReader) -> set[str]:
    """Walk every object reachable from the trailer (catalog, name trees, pages,
    annotations, form fields, outlines, action chains) and look at each dictionary's
    keys. Streams are dictionaries too; their data is never decoded."""
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            found |= _dictionary_findings(obj)
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return found


# "stream" not preceded by a letter: the keyword, not the end of "endstream".
_STREAM_DATA = re.compile(rb"(?<![A-Za-z])stream\r?\n.*?endstream", re.DOTALL)
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_RAW_NAMES = {
    b"JS": "pdf_javascript",
    b"JavaScript": "pdf_javascript",
    b"Launch": "pdf_launch",
    b"EmbeddedFiles": "pdf_embedded_file",
    b"EmbeddedFile": "pdf_embedded_file",
    b"EF": "pdf_embedded_file",
    b"FileAttachment": "pdf_embedded_file",
    b"AA": "pdf_automatic_action",
    b"XFA": "pdf_xfa",
}


def _raw_findings(data: bytes) -> set[str]:
    """For a file pypdf cannot parse (which a viewer may still open): the names written
    in plain text outside stream data, ``#xx`` escapes decoded."""
    text = _STREAM_DATA.sub(b" ", data)
    found = set()
    for match in _NAME.finditer(text):
        name = _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        if name in _RAW_NAMES:
            found.add(_RAW_NAMES[name])
    return found


def validate_pdf_active_content(upload: UploadedFile, *, reader: PdfReader | None = None) -> None:
    """Refuse a PDF with JavaScript, launch actions, embedded files, automatic actions
    (``/AA``) or an XFA form, saying which. An ``/OpenAction`` that only opens a page is
    fine; one that runs JavaScript or launches something is found like any other action.
    Shared by résumés and deliverables; ``reader`` saves parsing the file twice."""
    try:
        if reader is None:
            upload.seek(0)
            reader = PdfReader(upload)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValueError("encrypted with a password")
        found = _parsed_findings(reader)
    except Exception as exc:  # noqa: BLE001 — pypdf raises many kinds on broken files
        logger.info("PDF checked as raw bytes, pypdf could not walk it: %s", exc)
        upload.seek(0)
        found = _raw_findings(upload.read())
    finally:
        upload.seek(0)
    for code, message in PDF_ACTIVE_CONTENT_MESSAGES.items():
        if code in found:
            raise ValidationError(message, code=code)
