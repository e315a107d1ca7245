"""Hand-ins: only whitelisted types judged by content, at most 20 MB, never empty, and
never a path the uploader chose. A refused upload stores nothing at all."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from core.exceptions import DomainError
from matching.models import Engagement, Submission
from matching.services.engagements import engagement_submit_work
from matching.validators import SUBMISSION_MAX_BYTES, safe_original_filename
from tests.matching.engagement_helpers import (  # noqa: F401
    PDF_BYTES,
    make_engagement,
    upload,
)

pytestmark = pytest.mark.django_db


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _office(folder: str) -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", f"{folder}/document.xml": b"<doc/>"})


GOOD = {
    "report.pdf": PDF_BYTES,
    "notes.docx": _office("word"),
    "model.xlsx": _office("xl"),
    "deck.pptx": _office("ppt"),
    "chart.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
    "photo.jpg": b"\xff\xd8\xff\xe0" + b"\x00" * 32,
    "photo.JPEG": b"\xff\xd8\xff\xe1" + b"\x00" * 32,
    "bundle.zip": _zip({"a.txt": b"hello"}),
    "data.csv": "name,amount\nCafé,3\n".encode(),
    "readme.txt": b"plain text",
    "summary.md": b"# Summary\n\n- done\n",
}
BAD = {
    "virus.exe": (b"MZ\x90\x00" + b"\x00" * 32, "not accepted"),
    "page.html": (b"<html><script>alert(1)</script></html>", "not accepted"),
    "script.svg": (b"<svg onload=alert(1)>", "not accepted"),
    "noextension": (PDF_BYTES, "not accepted"),
    "../../etc/passwd": (b"root:x:0:0:root:/root:/bin/bash\n", "not accepted"),
    "fake.pdf": (b"<html>not a pdf</html>", "content is something else"),
    "fake.png": (PDF_BYTES, "content is something else"),
    "fake.docx": (_zip({"a.txt": b"hello"}), "not a valid Office document"),
    "renamed.xlsx": (_office("word"), "not a valid Office document"),
    "binary.txt": (b"abc\x00\x01\x02def", "not plain text"),
    "empty.pdf": (b"", "empty"),
}


def stored_files() -> list[Path]:
    """Every file in the submissions folder (résumés live elsewhere in the storage)."""
    root = Path(settings.MEDIA_ROOT) / "engagements"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def engagement(student, supervisor):
    return make_engagement(student=student, supervisor=supervisor)


def _assert_nothing_stored(engagement):
    assert stored_files() == []
    assert not Submission.objects.exists()
    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.ACTIVE


# ------------------------------------------------------------------------------
# Through the service
# ------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "content"), GOOD.items())
def test_every_allowed_type_is_accepted(name, content, engagement, student):
    submission = engagement_submit_work(
        engagement=engagement, actor=student, file=upload(name, content)
    )
    assert submission.original_filename == name
    assert submission.size_bytes == len(content)
    files = stored_files()
    assert len(files) == 1
    assert files[0].read_bytes() == content
    assert files[0].parent == Path(settings.MEDIA_ROOT) / "engagements" / str(engagement.pk)
    assert files[0].name != name  # our own name, not the uploader's


@pytest.mark.parametrize(("name", "content", "error"), [(n, c, e) for n, (c, e) in BAD.items()])
def test_bad_files_are_refused_and_nothing_is_stored(name, content, error, engagement, student):
    with pytest.raises(DomainError, match=error) as excinfo:
        engagement_submit_work(engagement=engagement, actor=student, file=upload(name, content))
    assert excinfo.value.field == "file"
    _assert_nothing_stored(engagement)


def test_oversize_is_refused_and_nothing_is_stored(engagement, student):
    content = PDF_BYTES + b"\x00" * (SUBMISSION_MAX_BYTES + 1 - len(PDF_BYTES))
    with pytest.raises(DomainError, match="at most 20"):
        engagement_submit_work(
            engagement=engagement, actor=student, file=upload("big.pdf", content)
        )
    _assert_nothing_stored(engagement)


def test_exactly_20_mb_is_accepted(engagement, student):
    content = PDF_BYTES + b"\x00" * (SUBMISSION_MAX_BYTES - len(PDF_BYTES))
    submission = engagement_submit_work(
        engagement=engagement, actor=student, file=upload("max.pdf", content)
    )
    assert submission.size_bytes == SUBMISSION_MAX_BYTES


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("..\\..\\windows\\report.pdf", "report.pdf"),
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        ("a/b.pdf", "b.pdf"),
        ("../../etc/report.pdf", "report.pdf"),
        ("..report.pdf", "report.pdf"),
        ('re<po>rt:"?.pdf', "report.pdf"),
    ],
)
def test_path_like_names_are_neutralised(name, kept, engagement, student):
    file = upload("placeholder.pdf", PDF_BYTES)
    file._name = name  # bypass Django's own basename() to test ours
    submission = engagement_submit_work(engagement=engagement, actor=student, file=file)
    assert submission.original_filename == kept
    media = Path(settings.MEDIA_ROOT).resolve()
    files = stored_files()
    assert len(files) == 1
    assert files[0].resolve().is_relative_to(media / "engagements" / str(engagement.pk))
    assert files[0].suffix == ".pdf"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("", "file"),
        ("...", "file"),
        ("\x00\x1fnote.txt", "note.txt"),
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
    ],
)
def test_safe_original_filename(raw, clean):
    assert safe_original_filename(raw) == clean


def test_an_illegal_state_stores_no_file(engagement, student):
    engagement_submit_work(engagement=engagement, actor=student, link="https://example.com")
    with pytest.raises(DomainError):
        engagement_submit_work(
            engagement=engagement, actor=student, file=upload("late.pdf", PDF_BYTES)
        )
    assert stored_files() == []
    assert Submission.objects.count() == 1


# ------------------------------------------------------------------------------
# Through the page
# ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("virus.exe", b"MZ\x90\x00", "This type of file is not accepted."),
        ("fake.pdf", b"hello", "its content is something else"),
        ("empty.pdf", b"", "The submitted file is empty."),
        ("../../etc/passwd", b"root:x:0:0", "This type of file is not accepted."),
    ],
)
def test_the_page_shows_upload_errors_and_stores_nothing(
    name, content, error, client, engagement, student
):
    client.force_login(student)
    url = reverse("matching:engagement-submit", args=[engagement.pk])
    response = client.post(url, {"file": upload(name, content), "note": "x"})
    assert response.status_code == 200
    assert error in response.content.decode()
    _assert_nothing_stored(engagement)


def test_the_page_refuses_an_oversize_file(client, engagement, student):
    client.force_login(student)
    content = PDF_BYTES + b"\x00" * (SUBMISSION_MAX_BYTES + 1 - len(PDF_BYTES))
    response = client.post(
        reverse("matching:engagement-submit", args=[engagement.pk]),
        {"file": upload("big.pdf", content)},
    )
    # One byte over: the two sizes round alike in MB, so both are given in bytes.
    assert (
        "The file is 20,971,521\xa0bytes; a submission can be at most 20,971,520\xa0bytes"
        in response.content.decode()
    )
    _assert_nothing_stored(engagement)


def test_the_page_keeps_only_the_basename(client, engagement, student):
    client.force_login(student)
    response = client.post(
        reverse("matching:engagement-submit", args=[engagement.pk]),
        {"file": upload("..\\..\\secret\\report.pdf", PDF_BYTES)},
    )
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.original_filename == "report.pdf"
    assert submission.file.name.startswith(f"engagements/{engagement.pk}/")


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "ftp://example.com/f", "file:///etc/passwd", "not a url"]
)
def test_the_page_refuses_non_http_links(link, client, engagement, student):
    client.force_login(student)
    response = client.post(
        reverse("matching:engagement-submit", args=[engagement.pk]), {"link": link}
    )
    assert response.status_code == 200
    assert not Submission.objects.exists()
    html = response.content.decode()
    assert "https://" in html and ("Enter a valid URL." in html or "Give a link" in html)
