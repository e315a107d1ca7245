"""Deleting a student's account: personal data and files gone, links and credentials
dead, login impossible; the organization's records (engagement, messages, payout
ledger, offers) whole and shown as "Former student"; the placement figures still
computed; refused while work is in progress; the confirmation step; every role."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, StudentSkill, User
from marketplace.models import AccountDeletion, DataExport, PlacementFact
from marketplace.placement import placement_rebuild
from marketplace.privacy import PrivacyError
from marketplace.privacy.erasure import (
    FORMER_STUDENT,
    former_student_email,
    student_account_delete,
)
from marketplace.privacy.export import data_export_build
from matching.models import (
    Application,
    ApplicationEvent,
    Endorsement,
    Engagement,
    ExperienceItem,
    HoursEntry,
    InternFeedback,
    Message,
    Offer,
    OutcomeReport,
    Payout,
    RecordShare,
    ResumeBullet,
    Submission,
    SupervisorFeedback,
)
from matching.services.engagements import payout_mark_paid
from projects.models import SavedSearch
from tests.accounts.factories import PASSWORD
from tests.marketplace.privacy_helpers import (
    OTHER_COVER,
    OTHER_MESSAGE,
    STUDENT_MESSAGE,
    SUPERVISOR_MESSAGE,
    privacy_world,
)
from tests.matching.engagement_helpers import engagement_in_status

pytestmark = pytest.mark.django_db
LOGIN = reverse("account_login")
FACT_FIGURES = (
    "applications",
    "accepted",
    "engagements_started",
    "engagements_completed",
    "feedback_count",
    "overall_rating_sum",
    "offers_extended",
)


@pytest.fixture
def world(student, supervisor, other_student):
    return privacy_world(student, supervisor, other_student)


def stored_files(world) -> list[str]:
    """Every file of the student in storage: résumé, résumé copies sent with
    applications, the deliverable."""
    student = world.student
    names = [student.student_profile.resume.name]
    names += [
        a.resume_snapshot.name
        for a in Application.objects.filter(student=student)
        if a.resume_snapshot
    ]
    names += [s.file.name for s in Submission.objects.filter(author=student) if s.file]
    return names


def delete(world, capture) -> AccountDeletion:
    with capture(execute=True):
        return student_account_delete(user=world.student, actor=world.student)


# ------------------------------------------------------------------------------
# What goes
# ------------------------------------------------------------------------------
def test_personal_data_is_erased(world, django_capture_on_commit_callbacks):
    student = world.student
    old_name = student.get_full_name()
    delete(world, django_capture_on_commit_callbacks)

    student = User.objects.get(pk=student.pk)
    assert student.get_full_name() == FORMER_STUDENT and str(student) == FORMER_STUDENT
    assert student.email == former_student_email(student.pk)
    assert not student.is_active and not student.has_usable_password()
    assert not EmailAddress.objects.filter(user=student).exists()
    profile = student.student_profile
    assert (profile.headline, profile.bio, profile.resume.name) == ("", "", "")
    assert not profile.share_with_career_office
    assert not StudentSkill.objects.filter(profile=profile).exists()
    # The academic attributes the aggregate figures count by stay.
    assert (profile.major, profile.graduation_year) == ("Economics", 2027)

    assert not Application.objects.filter(student=student).exclude(cover_note="").exists()
    assert not Notification.objects.filter(recipient=student).exists()
    assert not SavedSearch.objects.filter(student=student).exists()
    assert not ResumeBullet.objects.filter(item__student=student).exists()
    assert not Endorsement.objects.filter(student=student).exists()
    feedback = SupervisorFeedback.objects.get(engagement=world.engagement)
    assert [s.name for s in feedback.demonstrated_skills.all()] == ["Copywriting"]
    assert OutcomeReport.objects.get(student=student).program_name == ""
    assert not SupervisorFeedback.objects.get(engagement=world.engagement).recommendation_public
    # Organizations' inboxes no longer name the student.
    assert not Notification.objects.filter(text__contains=old_name).exists()
    assert Notification.objects.filter(
        recipient=world.supervisor, text__contains=FORMER_STUDENT
    ).exists()


def test_files_are_deleted_from_storage(world, django_capture_on_commit_callbacks):
    export = DataExport.objects.create(user=world.student)
    data_export_build(export_id=export.pk)
    export.refresh_from_db()
    names = stored_files(world) + [export.file.name]
    # The résumé, the copies sent with two applications, the deliverable, the archive.
    assert len(names) == 5 and all(default_storage.exists(name) for name in names)

    deletion = delete(world, django_capture_on_commit_callbacks)

    assert not any(default_storage.exists(name) for name in names)
    assert not DataExport.objects.filter(user=world.student).exists()
    assert deletion.summary["files_deleted"] == 5
    # The deliverable was a file only: its submission row went with it.
    assert not Submission.objects.filter(author=world.student).exists()


def test_a_rollback_keeps_the_files(world, monkeypatch):
    names = stored_files(world)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("marketplace.privacy.erasure.AccountDeletion.objects.create", broken)
    with pytest.raises(RuntimeError):
        student_account_delete(user=world.student, actor=world.student)
    assert all(default_storage.exists(name) for name in names)
    assert User.objects.get(pk=world.student.pk).is_active


def test_login_is_impossible(client, world, django_capture_on_commit_callbacks):
    email = world.student.email
    client.force_login(world.student)
    delete(world, django_capture_on_commit_callbacks)
    # The open session is dead too.
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    fresh = Client()
    assert not fresh.login(email=email, password=PASSWORD)
    assert not fresh.login(email=former_student_email(world.student.pk), password=PASSWORD)
    # Through the login form as a person would.
    fresh.post(LOGIN, {"login": email, "password": PASSWORD})
    assert "_auth_user_id" not in fresh.session
    assert fresh.get(reverse("accounts:profile")).status_code == 302


def test_credentials_verify_as_revoked_and_share_links_stop(
    client, world, django_capture_on_commit_callbacks
):
    credential_id = world.item.credential_id
    share_url = reverse("matching:record-public", args=[world.share_token])
    assert client.get(share_url).status_code == 200
    deletion = delete(world, django_capture_on_commit_callbacks)

    assert client.get(share_url).status_code == 404
    assert not RecordShare.objects.filter(student=world.student, revoked_at__isnull=True).exists()
    verify = reverse("matching:credential-verify", args=[credential_id])
    result = json.loads(client.get(verify, HTTP_ACCEPT="application/json").content)
    assert result["valid"] is False and result["revoked"] is True
    page = client.get(verify, HTTP_ACCEPT="text/html").content.decode()
    assert "no longer valid" in page
    assert client.get(reverse("matching:credential", args=[credential_id])).status_code == 410
    assert not ExperienceItem.objects.get(pk=world.item.pk).is_visible
    assert deletion.summary["credentials_revoked"] == 1
    assert deletion.summary["share_links_revoked"] == 1


def test_open_applications_and_offers_are_answered_through_the_services(
    world, django_capture_on_commit_callbacks
):
    delete(world, django_capture_on_commit_callbacks)
    application = Application.objects.get(pk=world.open_application.pk)
    assert application.status == Application.Status.WITHDRAWN
    event = ApplicationEvent.objects.get(application=application, to_status="withdrawn")
    assert event.actor_id == world.student.pk
    offer = Offer.objects.get(pk=world.offer.pk)
    assert offer.status == Offer.Status.DECLINED
    assert offer.events.filter(to_status="declined").exists()
    assert Notification.objects.filter(recipient=world.supervisor, kind="offer_declined").exists()


def test_an_overdue_open_offer_is_expired(world, django_capture_on_commit_callbacks):
    from tests.matching.offers_helpers import make_overdue

    make_overdue(world.offer)
    delete(world, django_capture_on_commit_callbacks)
    assert Offer.objects.get(pk=world.offer.pk).status == Offer.Status.EXPIRED


# ------------------------------------------------------------------------------
# What stays, consistent
# ------------------------------------------------------------------------------
def test_the_organizations_records_stay_whole(world, employer, django_capture_on_commit_callbacks):
    engagement = world.engagement
    payout = Payout.objects.get(engagement=engagement)
    before = (payout.amount, payout.currency, payout.status)
    delete(world, django_capture_on_commit_callbacks)

    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.COMPLETED
    assert engagement.student_id == world.student.pk
    payout.refresh_from_db()
    assert (payout.amount, payout.currency, payout.status) == before
    assert list(Message.objects.filter(engagement=engagement).values_list("body", flat=True)) == [
        STUDENT_MESSAGE,
        SUPERVISOR_MESSAGE,
    ]
    assert HoursEntry.objects.filter(engagement=engagement).count() == 1
    assert SupervisorFeedback.objects.get(engagement=engagement).overall_rating == 4
    assert InternFeedback.objects.get(engagement=engagement).mentorship == 4
    # The ledger goes on: the organization can still mark the fee paid.
    payout_mark_paid(payout=payout, actor=employer, reference="Transfer 42")
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID


def test_the_other_party_sees_former_student(client, world, django_capture_on_commit_callbacks):
    old_name = world.student.get_full_name()
    delete(world, django_capture_on_commit_callbacks)
    client.force_login(world.supervisor)
    response = client.get(reverse("matching:engagement-detail", args=[world.engagement.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert FORMER_STUDENT in content and STUDENT_MESSAGE in content
    assert old_name not in content and "student@state.edu" not in content


def test_the_organizations_applicant_page_still_renders(
    client, world, django_capture_on_commit_callbacks
):
    delete(world, django_capture_on_commit_callbacks)
    client.force_login(world.supervisor)
    pk = world.engagement.application_id
    response = client.get(reverse("matching:applicant-detail", args=[pk]))
    assert response.status_code == 200 and FORMER_STUDENT in response.content.decode()
    assert client.get(reverse("matching:applicant-resume", args=[pk])).status_code == 404


def test_another_students_data_is_untouched(world, django_capture_on_commit_callbacks):
    other = world.other_student
    before = (other.get_full_name(), other.email)
    delete(world, django_capture_on_commit_callbacks)
    other.refresh_from_db()
    assert (other.get_full_name(), other.email, other.is_active) == (*before, True)
    assert Application.objects.get(pk=world.other_application.pk).cover_note == OTHER_COVER
    assert Message.objects.filter(author=other, body=OTHER_MESSAGE).exists()
    assert default_storage.exists(other.student_profile.resume.name)


def test_placement_statistics_still_compute(world, django_capture_on_commit_callbacks):
    placement_rebuild()
    before = {
        f.student_id: {name: getattr(f, name) for name in FACT_FIGURES}
        for f in PlacementFact.objects.all()
    }
    assert before[world.student.pk]["engagements_completed"] == 1
    delete(world, django_capture_on_commit_callbacks)

    assert placement_rebuild() > 0
    after = {
        f.student_id: {name: getattr(f, name) for name in FACT_FIGURES}
        for f in PlacementFact.objects.all()
    }
    assert after == before
    assert not PlacementFact.objects.get(student_id=world.student.pk).active


def test_an_audit_row_is_written(world, django_capture_on_commit_callbacks):
    deletion = delete(world, django_capture_on_commit_callbacks)
    row = AccountDeletion.objects.get(user=world.student)
    assert row == deletion and row.actor_id == world.student.pk
    assert row.summary["applications_withdrawn"] == 1
    assert row.summary["offers_declined"] == 1
    assert "student@state.edu" not in json.dumps(row.summary)


# ------------------------------------------------------------------------------
# Refusals
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("status", ["active", "submitted", "revision_requested"])
def test_work_in_progress_refuses_and_changes_nothing(student, supervisor, status):
    engagement = engagement_in_status(status, student=student, supervisor=supervisor)
    with pytest.raises(PrivacyError, match=engagement.project.title):
        student_account_delete(user=student, actor=student)
    student.refresh_from_db()
    assert student.is_active and student.email == "student@state.edu"
    assert not AccountDeletion.objects.exists()


def test_finished_work_does_not_refuse(student, supervisor, django_capture_on_commit_callbacks):
    engagement_in_status("cancelled", student=student, supervisor=supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        student_account_delete(user=student, actor=student)
    assert not User.objects.get(pk=student.pk).is_active


def test_only_the_student_deletes_their_account(student, other_student, employer, staff_user):
    for actor in (other_student, staff_user):
        with pytest.raises(PermissionDenied):
            student_account_delete(user=student, actor=actor)
    with pytest.raises(PermissionDenied):
        student_account_delete(user=employer, actor=employer)
    assert User.objects.get(pk=student.pk).is_active


def test_deleting_twice_is_refused(student, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        student_account_delete(user=student, actor=student)
    with pytest.raises(PrivacyError, match="already deleted"):
        student_account_delete(user=student, actor=student)
    assert AccountDeletion.objects.count() == 1


# ------------------------------------------------------------------------------
# The confirmation page
# ------------------------------------------------------------------------------
URL = reverse("account-delete")


def test_wrong_password_changes_nothing(client, world):
    client.force_login(world.student)
    response = client.post(URL, {"confirmation": "not my password"})
    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    student = User.objects.get(pk=world.student.pk)
    assert student.is_active and student.email == "student@state.edu"
    assert Application.objects.get(pk=world.open_application.pk).is_undecided
    assert all(default_storage.exists(name) for name in stored_files(world))


def test_the_right_password_deletes_and_logs_out(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.student)
    assert "Delete my account" in client.get(URL).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"confirmation": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("home")
    assert "_auth_user_id" not in client.session
    assert not User.objects.get(pk=world.student.pk).is_active
    page = client.get(reverse("home"))
    assert "Your account is deleted" in page.content.decode()


def test_the_page_lists_work_in_progress_and_refuses(client, student, supervisor):
    engagement = engagement_in_status("active", student=student, supervisor=supervisor)
    client.force_login(student)
    page = client.get(URL).content.decode()
    assert engagement.project.title in page and engagement.get_absolute_url() in page
    response = client.post(URL, {"confirmation": PASSWORD})
    assert response.status_code == 400
    assert "Finish it, or cancel it" in response.content.decode()
    assert User.objects.get(pk=student.pk).is_active


def test_an_account_without_a_password_confirms_with_its_email(
    client, student, django_capture_on_commit_callbacks
):
    student.set_unusable_password()
    student.save(update_fields=["password"])
    client.force_login(student)
    response = client.post(URL, {"confirmation": "someone@else.edu"})
    assert response.status_code == 400
    assert User.objects.get(pk=student.pk).is_active
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"confirmation": " Student@State.edu "})
    assert response.status_code == 302
    assert not User.objects.get(pk=student.pk).is_active


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    ("role", "status"), [("anonymous", 302), ("employer", 403), ("career_officer", 403)]
)
def test_only_students_reach_the_deletion_page(as_role, role, status, method, employer):
    response = getattr(as_role(role), method)(URL, {"confirmation": PASSWORD})
    assert response.status_code == status
    if role == "anonymous":
        assert response.url.startswith(LOGIN)
    assert User.objects.get(pk=employer.pk).is_active
