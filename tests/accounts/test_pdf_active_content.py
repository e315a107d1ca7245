"""PDFs with active content (JavaScript, launch actions, embedded files, automatic
actions, XFA forms) are refused as résumés and as deliverables, with a message that says
why; ordinary PDFs, including ones that open at a page or link to a web site, pass.

Every PDF here is a real one written by pypdf's PdfWriter."""

import io
import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfWriter
from pypdf.actions import JavaScript, PageTrigger
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from accounts.models import StudentProfile
from accounts.validators import validate_pdf_active_content, validate_resume
from matching.models import Submission
from matching.validators import validate_submission_file
from tests.matching.engagement_helpers import make_engagement

pytestmark = pytest.mark.django_db

ALERT = "app.alert('hello from the résumé');"
RAW_FALLBACK_LOG = "PDF checked as raw bytes"


def _name(value: str) -> NameObject:
    return NameObject(value)


def _action(kind: str, **entries) -> DictionaryObject:
    action = DictionaryObject({_name("/Type"): _name("/Action"), _name("/S"): _name(kind)})
    for key, value in entries.items():
        action[_name(f"/{key}")] = value
    return action


def _writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    return writer


def _bytes(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _annotate(writer: PdfWriter, annotation: DictionaryObject) -> None:
    annotation.update(
        {
            _name("/Type"): _name("/Annot"),
            _name("/Rect"): ArrayObject([NumberObject(n) for n in (10, 10, 100, 40)]),
        }
    )
    writer.pages[0][_name("/Annots")] = ArrayObject([writer._add_object(annotation)])


# --- the PDFs ---------------------------------------------------------------------------
def clean_pdf() -> bytes:
    """Opens at the first page (an /OpenAction that is a destination, as word processors
    write it) and has a web link: nothing that runs."""
    writer = _writer()
    page = writer.pages[0].indirect_reference
    writer._root_object[_name("/OpenAction")] = ArrayObject([page, _name("/Fit")])
    link = DictionaryObject(
        {
            _name("/Subtype"): _name("/Link"),
            _name("/A"): _action("/URI", URI=TextStringObject("https://example.com")),
        }
    )
    _annotate(writer, link)
    return _bytes(writer)


def open_action_javascript() -> bytes:
    """The reported case: JavaScript run by the catalog's /OpenAction."""
    writer = _writer()
    writer._root_object[_name("/OpenAction")] = writer._add_object(
        _action("/JavaScript", JS=TextStringObject(ALERT))
    )
    return _bytes(writer)


def document_javascript() -> bytes:
    """Document-level JavaScript in the /Names /JavaScript tree. (``add_open_action`` is
    what pypdf's deprecated ``add_js`` calls.)"""
    writer = _writer()
    writer.add_open_action(JavaScript(ALERT))
    return _bytes(writer)


def page_open_javascript() -> bytes:
    writer = _writer()
    writer.pages[0].add_action(PageTrigger.OPEN, JavaScript(ALERT))
    return _bytes(writer)


def link_javascript() -> bytes:
    """JavaScript run when a link is clicked, not on opening."""
    writer = _writer()
    link = DictionaryObject(
        {
            _name("/Subtype"): _name("/Link"),
            _name("/A"): _action("/JavaScript", JS=TextStringObject(ALERT)),
        }
    )
    _annotate(writer, link)
    return _bytes(writer)


def chained_javascript() -> bytes:
    """A harmless first action whose /Next runs JavaScript."""
    writer = _writer()
    script = writer._add_object(_action("/JavaScript", JS=TextStringObject(ALERT)))
    first = _action("/URI", URI=TextStringObject("https://example.com"), Next=script)
    writer._root_object[_name("/OpenAction")] = writer._add_object(first)
    return _bytes(writer)


def open_action_launch() -> bytes:
    writer = _writer()
    launch = _action("/Launch", F=TextStringObject("C:\\Windows\\System32\\calc.exe"))
    writer._root_object[_name("/OpenAction")] = writer._add_object(launch)
    return _bytes(writer)


def attachment() -> bytes:
    writer = _writer()
    writer.add_attachment("payload.exe", b"MZ\x90\x00 not really a program")
    return _bytes(writer)


def file_attachment_annotation() -> bytes:
    writer = _writer()
    spec = DictionaryObject(
        {_name("/Type"): _name("/Filespec"), _name("/F"): TextStringObject("notes.txt")}
    )
    _annotate(
        writer,
        DictionaryObject({_name("/Subtype"): _name("/FileAttachment"), _name("/FS"): spec}),
    )
    return _bytes(writer)


def page_open_uri() -> bytes:
    """No script, but an action that fires by itself when the page is shown."""
    writer = _writer()
    writer.pages[0][_name("/AA")] = DictionaryObject(
        {_name("/O"): _action("/URI", URI=TextStringObject("https://tracker.example.com"))}
    )
    return _bytes(writer)


def xfa_form() -> bytes:
    writer = _writer()
    writer._root_object[_name("/AcroForm")] = DictionaryObject(
        {
            _name("/Fields"): ArrayObject(),
            _name("/XFA"): TextStringObject("<xdp:xdp><script>app.alert(1)</script></xdp:xdp>"),
        }
    )
    return _bytes(writer)


def unparseable_with_escaped_javascript() -> bytes:
    """pypdf cannot read this (no cross-reference table), a forgiving viewer might; the
    name is written with a #xx escape (/J#53 is /JS)."""
    return (
        b"%PDF-1.4\n1 0 obj<< /Type /Catalog /OpenAction << /S /JavaScript /J#53 "
        b"(app.alert(1)) >> >>endobj\ntrailer<<>>\n%%EOF\n"
    )


def unparseable_script_only_in_stream_data() -> bytes:
    """Unreadable too, but "/JS" appears only inside stream data, which is not a name."""
    return (
        b"%PDF-1.4\n1 0 obj<< /Length 14 >>stream\n(/JS /Launch)\nendstream\nendobj\n"
        b"trailer<<>>\n%%EOF\n"
    )


REFUSED = {
    "open_action_javascript": (open_action_javascript, "pdf_javascript"),
    "document_javascript": (document_javascript, "pdf_javascript"),
    "page_open_javascript": (page_open_javascript, "pdf_javascript"),
    "link_javascript": (link_javascript, "pdf_javascript"),
    "chained_javascript": (chained_javascript, "pdf_javascript"),
    "open_action_launch": (open_action_launch, "pdf_launch"),
    "attachment": (attachment, "pdf_embedded_file"),
    "file_attachment_annotation": (file_attachment_annotation, "pdf_embedded_file"),
    "page_open_uri": (page_open_uri, "pdf_automatic_action"),
    "xfa_form": (xfa_form, "pdf_xfa"),
}
MESSAGES = {
    "pdf_javascript": "This PDF contains JavaScript",
    "pdf_launch": "This PDF contains a launch action",
    "pdf_embedded_file": "This PDF contains embedded files",
    "pdf_automatic_action": "This PDF runs actions automatically",
    "pdf_xfa": "This PDF contains an XFA form",
}


def _upload(content: bytes, name: str = "cv.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _refusal(validator, content: bytes, name: str = "cv.pdf") -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        validator(_upload(content, name))
    return excinfo.value


# --- the shared check ------------------------------------------------------------------
@pytest.mark.parametrize(("build", "code"), REFUSED.values(), ids=REFUSED.keys())
def test_active_content_is_refused_with_a_reason(build, code, caplog):
    caplog.set_level(logging.INFO, logger="accounts.validators")
    error = _refusal(validate_pdf_active_content, build())
    assert error.code == code
    assert MESSAGES[code] in error.messages[0]
    # Found by walking the parsed document, not by the raw-bytes fallback.
    assert RAW_FALLBACK_LOG not in caplog.text


def test_a_clean_pdf_passes_and_the_file_is_rewound():
    upload = _upload(clean_pdf())
    upload.read(10)
    validate_pdf_active_content(upload)
    assert upload.tell() == 0


def test_an_unreadable_pdf_is_checked_by_its_names(caplog):
    caplog.set_level(logging.INFO, logger="accounts.validators")
    error = _refusal(validate_pdf_active_content, unparseable_with_escaped_javascript())
    assert error.code == "pdf_javascript"
    assert RAW_FALLBACK_LOG in caplog.text
    validate_pdf_active_content(_upload(unparseable_script_only_in_stream_data()))


# --- résumés ------------------------------------------------------------------------------
@pytest.mark.parametrize(("build", "code"), REFUSED.values(), ids=REFUSED.keys())
def test_resume_with_active_content_is_refused(build, code):
    error = _refusal(validate_resume, build())
    assert error.code == code


def test_clean_resume_is_accepted():
    validate_resume(_upload(clean_pdf()))


def test_the_profile_page_refuses_a_resume_with_javascript(client, student, settings):
    client.force_login(student)
    response = client.post(
        reverse("accounts:profile-edit"),
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "weekly_availability_hours": 10,
            "resume": _upload(open_action_javascript()),
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["resume"]
    assert any(MESSAGES["pdf_javascript"] in error for error in errors)
    assert not StudentProfile.objects.get(user=student).resume
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


# --- deliverables -------------------------------------------------------------------------
@pytest.mark.parametrize(("build", "code"), REFUSED.values(), ids=REFUSED.keys())
def test_deliverable_with_active_content_is_refused(build, code):
    error = _refusal(validate_submission_file, build(), "report.pdf")
    assert error.code == code


def test_clean_deliverable_is_accepted():
    validate_submission_file(_upload(clean_pdf(), "report.pdf"))


def test_only_pdfs_are_checked_for_pdf_active_content():
    """A text file that mentions /JavaScript is just text."""
    validate_submission_file(_upload(b"Notes: the /JavaScript and /Launch keys.\n", "notes.txt"))


@pytest.fixture
def engagement(student, supervisor):
    return make_engagement(student=student, supervisor=supervisor)


def _submit(client, engagement, content: bytes):
    return client.post(
        reverse("matching:engagement-submit", args=[engagement.pk]),
        {"file": _upload(content, "report.pdf"), "note": "Here it is."},
    )


def test_the_workspace_refuses_a_deliverable_with_an_attachment(client, engagement, student):
    client.force_login(student)
    response = _submit(client, engagement, attachment())
    assert response.status_code == 200
    assert MESSAGES["pdf_embedded_file"] in response.content.decode()
    assert not Submission.objects.exists()
    assert not (Path(settings.MEDIA_ROOT) / "engagements").exists()


def test_the_workspace_accepts_a_clean_pdf_deliverable(client, engagement, student):
    client.force_login(student)
    response = _submit(client, engagement, clean_pdf())
    assert response.status_code == 302
    assert Submission.objects.get().original_filename == "report.pdf"
