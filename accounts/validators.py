"""Upload checks. A file is judged by its content, never by its name or the browser's
content type: both are chosen by the uploader."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from pypdf import PdfReader

logger = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"


def validate_resume(upload: UploadedFile) -> None:
    """A résumé is a non-empty, readable, unencrypted PDF of at most RESUME_MAX_BYTES."""
    limit = settings.RESUME_MAX_BYTES
    size = upload.size or 0
    if size == 0:
        raise ValidationError("The file is empty. Choose your résumé as a PDF.", code="empty")
    if size > limit:
        raise ValidationError(
            "The file is %(size)s; a résumé can be at most %(limit)s.",
            code="too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
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
