"""A student's data archive: what it holds (every kind, the files, nothing of another
student), the build task run twice, the link's expiry and the sweep, and who may reach
the pages and the download."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from marketplace.models import DataExport
from marketplace.privacy import PrivacyError
from marketplace.privacy.archive import ARCHIVE_KINDS
from marketplace.privacy.export import (
    READY_EXPORTS_MAX,
    data_export_build,
    data_export_request,
    data_exports_sweep,
)
from marketplace.tasks.privacy import build_data_export, sweep_data_exports
from tests.marketplace.privacy_helpers import (
    COVER,
    DELIVERABLE,
    OTHER_COVER,
    OTHER_MESSAGE,
    STUDENT_MESSAGE,
    SUPERVISOR_MESSAGE,
    privacy_world,
    read_zip,
)
from tests.matching.factories import PDF_BYTES
from tests.matching.records_helpers import completed_engagement, give_supervisor_feedback

pytestmark = pytest.mark.django_db
LOGIN = reverse("account_login")


@pytest.fixture
def world(student, supervisor, other_student):
    return privacy_world(student, supervisor, other_student)


def prepared(student, capture) -> DataExport:
    """An archive requested and built as the button does it: the build is queued after
    commit and (eager Celery) runs then."""
    with capture(execute=True):
        export = data_export_request(user=student)
    export.refresh_from_db()
    return export


def archive_of(export: DataExport) -> dict[str, bytes]:
    with default_storage.open(export.file.name, "rb") as handle:
        return read_zip(handle.read())


def documents(files: dict[str, bytes]) -> dict:
    return {kind: json.loads(files[f"{kind}.json"]) for kind in ARCHIVE_KINDS}


# ------------------------------------------------------------------------------
# Contents
# ------------------------------------------------------------------------------
def test_the_archive_holds_every_kind_and_the_students_files(
    world, django_capture_on_commit_callbacks
):
    export = prepared(world.student, django_capture_on_commit_callbacks)
    assert export.status == DataExport.Status.READY
    files = archive_of(export)
    docs = documents(files)

    assert set(files) >= {f"{kind}.json" for kind in ARCHIVE_KINDS} | {"manifest.json"}
    profile = docs["profile"]
    assert profile["account"]["email"] == "student@state.edu"
    assert profile["profile"]["major"] == "Economics"
    assert profile["skills"] and profile["saved_searches"][0]["name"] == "Remote research"
    assert profile["email_addresses"] == [
        {"email": "student@state.edu", "verified": True, "primary": True}
    ]

    applications = {a["id"]: a for a in docs["applications"]}
    assert applications[world.open_application.pk]["cover_note"] == COVER
    assert applications[world.engagement.application_id]["status"] == "accepted"

    (engagement,) = docs["engagements"]
    assert [m["body"] for m in engagement["messages"]] == [STUDENT_MESSAGE, SUPERVISOR_MESSAGE]
    assert engagement["messages"][0]["author"] == "you"
    assert engagement["hours"][0]["hours"] == "3.50"
    assert engagement["payout"]["status"] == "due"
    assert [e["to"] for e in engagement["history"]][-2:] == ["submitted", "completed"]

    (received,) = docs["feedback"]["received"]
    assert received["written_feedback"] == "Clear, careful work, delivered early."
    assert docs["feedback"]["given"][0]["comment"] == "Great team."
    records = docs["records"]
    assert records["experience"][0]["credential_id"] == str(world.item.credential_id)
    assert [e["skill"] for e in records["endorsements"]] == ["Copywriting"]
    assert len(records["share_links"]) == 1
    assert records["outcomes"][0]["program_name"] == "MSc in Data Science"
    assert docs["offers"][0]["title"] == world.offer.title
    assert any(n["kind"] == "offer_extended" for n in docs["notifications"])

    # The files: the résumé, the résumé each application sent, the deliverable.
    submission = engagement["submissions"][0]
    assert files[submission["file"]] == DELIVERABLE
    assert files[profile["profile"]["resume"]].startswith(b"%PDF")
    assert files[applications[world.open_application.pk]["resume_sent"]].startswith(b"%PDF")
    manifest = json.loads(files["manifest.json"])
    assert manifest["missing_files"] == [] and submission["file"] in manifest["files"]


def test_the_archive_holds_nothing_of_another_student(world, django_capture_on_commit_callbacks):
    files = archive_of(prepared(world.student, django_capture_on_commit_callbacks))
    everything = b"".join(files.values())
    for foreign in (
        OTHER_MESSAGE,
        OTHER_COVER,
        world.other_student.email,
        world.other_student.get_full_name(),
    ):
        assert foreign.encode() not in everything
    docs = documents(files)
    assert world.other_application.pk not in {a["id"] for a in docs["applications"]}
    assert [e["id"] for e in docs["engagements"]] == [world.engagement.pk]


def test_feedback_still_blind_is_not_in_the_archive(student, supervisor):
    engagement = completed_engagement(student=student, supervisor=supervisor)
    give_supervisor_feedback(engagement, written_feedback="Not released to the intern yet.")
    export = DataExport.objects.create(user=student)
    data_export_build(export_id=export.pk)
    export.refresh_from_db()
    everything = b"".join(archive_of(export).values())
    assert b"Not released to the intern yet." not in everything
    assert documents(archive_of(export))["feedback"]["received"] == []


def test_a_missing_stored_file_is_listed_not_fatal(student):
    profile = student.student_profile
    from django.core.files.base import ContentFile

    profile.resume.save("resume.pdf", ContentFile(PDF_BYTES), save=True)
    default_storage.delete(profile.resume.name)
    export = DataExport.objects.create(user=student)
    data_export_build(export_id=export.pk)
    export.refresh_from_db()
    manifest = json.loads(archive_of(export)["manifest.json"])
    assert export.status == DataExport.Status.READY
    assert manifest["missing_files"] == ["files/resume.pdf"]


# ------------------------------------------------------------------------------
# The build: once, notified once, safe to run twice
# ------------------------------------------------------------------------------
def test_the_student_is_notified_once_when_ready(student, django_capture_on_commit_callbacks):
    export = prepared(student, django_capture_on_commit_callbacks)
    notices = Notification.objects.filter(recipient=student, kind="data_export_ready")
    assert notices.count() == 1
    assert notices.get().link == reverse("privacy-data")
    assert export.expires_at - export.ready_at == timedelta(days=7)


def test_the_build_task_is_idempotent(student, settings):
    settings.DATA_EXPORT_VALID_DAYS = 3
    export = DataExport.objects.create(user=student)
    assert build_data_export.delay(export.pk).get() == DataExport.Status.READY
    export.refresh_from_db()
    first = (export.file.name, export.ready_at, export.expires_at)
    assert build_data_export.delay(export.pk).get() == DataExport.Status.READY
    export.refresh_from_db()
    assert (export.file.name, export.ready_at, export.expires_at) == first
    assert export.expires_at - export.ready_at == timedelta(days=3)
    assert Notification.objects.filter(recipient=student, kind="data_export_ready").count() == 1
    stored = default_storage.listdir(f"data-exports/{student.pk}")[1]
    assert stored == [export.file.name.rsplit("/", 1)[-1]]
    assert build_data_export.delay(10**9).get() == "missing"


def test_a_build_that_fails_marks_the_archive_failed_and_stores_nothing(student, monkeypatch):
    export = DataExport.objects.create(user=student)

    def broken(**kwargs):
        raise ValueError("cannot serialise")

    monkeypatch.setattr("marketplace.privacy.archive.archive_collect", broken)
    with pytest.raises(ValueError):
        build_data_export.delay(export.pk)
    export.refresh_from_db()
    assert export.status == DataExport.Status.FAILED
    assert "cannot serialise" in export.error
    assert not default_storage.exists(f"data-exports/{student.pk}")
    # The student can ask again.
    assert data_export_request(user=student).status == DataExport.Status.PENDING


def test_one_archive_in_preparation_at_a_time(student):
    data_export_request(user=student)
    with pytest.raises(PrivacyError, match="already being prepared"):
        data_export_request(user=student)
    assert DataExport.objects.filter(user=student).count() == 1


def test_ready_archives_are_capped(student, django_capture_on_commit_callbacks):
    for _ in range(READY_EXPORTS_MAX):
        prepared(student, django_capture_on_commit_callbacks)
    with pytest.raises(PrivacyError, match="archives ready"):
        data_export_request(user=student)


def test_only_students_request_archives(employer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        data_export_request(user=employer)


# ------------------------------------------------------------------------------
# Expiry and the sweep
# ------------------------------------------------------------------------------
def expire(export: DataExport) -> None:
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))


def test_an_expired_link_is_a_404_and_is_not_listed(
    client, student, django_capture_on_commit_callbacks
):
    export = prepared(student, django_capture_on_commit_callbacks)
    url = reverse("privacy-data-download", args=[export.token])
    client.force_login(student)
    assert client.get(url).status_code == 200
    expire(export)
    assert client.get(url).status_code == 404
    page = client.get(reverse("privacy-data"))
    assert page.context["exports"] == []
    assert export.token not in page.content.decode()


def test_the_sweep_deletes_expired_archives_and_their_files(
    student, other_student, django_capture_on_commit_callbacks
):
    old = prepared(student, django_capture_on_commit_callbacks)
    fresh = prepared(other_student, django_capture_on_commit_callbacks)
    expire(old)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_data_exports.delay().get() == 1
    assert not DataExport.objects.filter(pk=old.pk).exists()
    assert not default_storage.exists(old.file.name)
    assert DataExport.objects.filter(pk=fresh.pk).exists()
    assert default_storage.exists(fresh.file.name)
    # Run again: nothing left to do.
    assert data_exports_sweep() == (0, [])


def test_the_sweep_builds_again_an_archive_whose_task_was_lost(student):
    # Requested without its on-commit build ever running: a broker that was down.
    export = data_export_request(user=student)
    DataExport.objects.filter(pk=export.pk).update(
        created_at=timezone.now() - timedelta(minutes=20)
    )
    sweep_data_exports.delay().get()
    export.refresh_from_db()
    assert export.status == DataExport.Status.READY


# ------------------------------------------------------------------------------
# Pages and roles
# ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("student", 200), ("employer", 403), ("career_officer", 403)],
)
def test_data_page_by_role(as_role, role, status):
    response = as_role(role).get(reverse("privacy-data"))
    assert response.status_code == status
    if role == "anonymous":
        assert response.url.startswith(LOGIN)


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("employer", 403), ("career_officer", 403)],
)
def test_only_students_prepare_archives(as_role, role, status):
    response = as_role(role).post(reverse("privacy-data-prepare"))
    assert response.status_code == status
    assert not DataExport.objects.exists()


def test_prepare_button_builds_and_lists_the_archive(
    client, student, django_capture_on_commit_callbacks
):
    client.force_login(student)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy-data-prepare"))
    assert response.status_code == 302 and response.url == reverse("privacy-data")
    export = DataExport.objects.get(user=student)
    assert export.status == DataExport.Status.READY
    content = client.get(response.url).content.decode()
    assert "We are preparing your archive" in content
    assert reverse("privacy-data-download", args=[export.token]) in content


def test_prepare_twice_while_pending_shows_a_message(client, student):
    client.force_login(student)
    client.post(reverse("privacy-data-prepare"))  # its build is never run here
    response = client.post(reverse("privacy-data-prepare"), follow=True)
    assert "already being prepared" in response.content.decode()
    assert DataExport.objects.filter(user=student).count() == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 200),
        ("other_student", 404),
        ("employer", 404),
        ("career_officer", 404),
        ("anonymous", 302),
    ],
)
def test_only_the_owner_downloads(
    as_role, student, role, status, django_capture_on_commit_callbacks
):
    export = prepared(student, django_capture_on_commit_callbacks)
    response = as_role(role).get(reverse("privacy-data-download", args=[export.token]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/zip"
        assert response["Cache-Control"] == "private, no-store"
        assert "manifest.json" in read_zip(b"".join(response.streaming_content))


def test_a_pending_archive_has_no_download(client, student):
    export = data_export_request(user=student)
    client.force_login(student)
    assert client.get(reverse("privacy-data-download", args=[export.token])).status_code == 404


def test_the_profile_page_links_to_the_data_page(client, student):
    client.force_login(student)
    content = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("privacy-data") in content and reverse("account-delete") in content
