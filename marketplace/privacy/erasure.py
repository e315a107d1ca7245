"""Deleting a student's account: their personal data is erased or anonymized, their files
are deleted from storage, their links and credentials stop working, and the records
other people legitimately keep stay whole and consistent.

    student_account_delete
      1. refuse while an engagement is in progress (the student finishes it or cancels
         it with a reason first: that decision affects an organization and a payout,
         so it is not taken silently on their behalf)
      2. revoke API tokens, withdraw undecided applications and pending
         recommendation requests, answer open offers, decline invitations, end
         connections (withdraw the student's own requests, decline the others', remove
         the connected ones) and unfollow, all through the services that do it (each
         its own durable transaction: they cannot nest in ours), so the other side
         hears and the history rows are written as for anyone doing it
      3. in one durable transaction, re-checking 1–2 under the user's row lock: erase
         the account and profile, revoke credentials and share links, revoke and erase
         recommendation letters about the student, take their name out of stored
         webhook deliveries, delete what only the student needed, write the
         ``AccountDeletion`` audit row; the files go from storage after commit

What stays, anonymized ("Former student"): applications' and engagements' status and
dates, messages, hours, the payout ledger, feedback (its ratings and the skills it saw
demonstrated), offers, affiliations, and the academic attributes (institution, major,
class) the placement figures count by; ended connections, answered invitations,
recommendation requests and revoked, emptied letters keep their status and history.
Connections end rather than show "Former student": a connection is a standing,
two-sided choice, not a record of past work like a message, so the supervisor's network
drops it while its row and history remain. The retention table in the README says why
for each.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.utils import timezone

from accounts.models import (
    ApiToken,
    DigestRun,
    Membership,
    Notification,
    NotificationPreference,
    StudentProfile,
    StudentSkill,
    User,
)
from accounts.services.tokens import api_token_revoke
from core.exceptions import DomainError
from matching.models import (
    Application,
    Connection,
    Endorsement,
    Engagement,
    ExperienceItem,
    Follow,
    Offer,
    OutcomeReport,
    ProjectInvitation,
    RecommendationRequest,
    RecordShare,
    ResumeBullet,
    Submission,
    SupervisorFeedback,
)
from matching.services.applications import application_withdraw
from matching.services.network import (
    connection_decline,
    connection_remove,
    connection_withdraw,
    invitation_decline,
    network_erase_for_student,
    organization_unfollow,
)
from matching.services.offers import offer_decline, offer_expire
from matching.services.recommendations import (
    recommendation_request_withdraw,
    recommendations_erase_for_student,
)
from matching.services.webhooks import webhook_deliveries_anonymize_student
from projects.models import Project, SavedProject, SavedSearch

from ..models import AccountDeletion, DataExport
from . import PrivacyError, delete_stored_files_on_commit
from .selectors import engagements_in_progress_for

FORMER_STUDENT = "Former student"
LIVE_CONNECTIONS = (Connection.Status.PENDING, Connection.Status.CONNECTED)
DECLINE_REASON = "The student closed their Internly account."
# Names shorter than this are not replaced in other people's notifications: "Al" would
# also match inside unrelated words.
NAME_REPLACE_MIN = 4


def former_student_email(user_id: int) -> str:
    """A unique address that can receive nothing (.invalid is reserved, RFC 2606)."""
    return f"former-student-{user_id}@deleted.invalid"


def _refuse_if_in_progress(user: User) -> None:
    titles = [e.project.title for e in engagements_in_progress_for(user=user)]
    if titles:
        listed = ", ".join(f"“{title}”" for title in titles)
        raise PrivacyError(
            f"You still have work in progress on {listed}. Finish it, or cancel it with a "
            "reason from its page, before deleting your account."
        )


def _withdraw_open_applications(user: User) -> int:
    withdrawn = 0
    for application in Application.objects.filter(student=user, status__in=Application.UNDECIDED):
        try:
            application_withdraw(application=application, actor=user)
        except DomainError:
            continue  # decided meanwhile: the check under the lock sees what it became
        withdrawn += 1
    return withdrawn


def _answer_open_offers(user: User) -> tuple[int, int]:
    """Decline offers still open; expire those whose deadline passed but which the
    nightly task has not expired yet (they can no longer be declined)."""
    declined = expired = 0
    today = timezone.localdate()
    for offer in Offer.objects.filter(student=user, status=Offer.Status.EXTENDED):
        try:
            if offer.response_deadline < today:
                offer_expire(offer=offer, today=today)
                expired += 1
            else:
                offer_decline(offer=offer, actor=user, reason=DECLINE_REASON)
                declined += 1
        except DomainError:
            continue  # answered meanwhile: the check under the lock sees it
    return declined, expired


def _close_the_rest(user: User) -> dict[str, int]:
    """Revoke tokens, withdraw pending recommendation requests, decline invitations,
    end connections and unfollow, each through its service. One answered or ended
    meanwhile is skipped: the check under the lock sees what it became."""
    counts = dict.fromkeys(
        (
            "api_tokens_revoked",
            "recommendation_requests_withdrawn",
            "invitations_declined",
            "connections_ended",
            "follows_ended",
        ),
        0,
    )

    def attempt(key: str, action) -> None:
        try:
            action()
        except DomainError:
            return
        counts[key] += 1

    # First: a token must not keep acting for the account while it is being deleted.
    for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True):
        attempt("api_tokens_revoked", lambda t=token: api_token_revoke(api_token=t, actor=user))
    for request in RecommendationRequest.objects.filter(
        student=user, status=RecommendationRequest.Status.PENDING
    ):
        attempt(
            "recommendation_requests_withdrawn",
            lambda r=request: recommendation_request_withdraw(request=r, actor=user),
        )
    for invitation in ProjectInvitation.objects.filter(
        student=user, status=ProjectInvitation.Status.SENT
    ).select_related("project", "invited_by"):
        attempt(
            "invitations_declined",
            lambda i=invitation: invitation_decline(invitation=i, actor=user),
        )
    for connection in Connection.objects.filter(student=user, status__in=LIVE_CONNECTIONS):
        if connection.status == Connection.Status.CONNECTED:
            end = connection_remove
        elif connection.requested_by_id == user.pk:
            end = connection_withdraw
        else:
            end = connection_decline
        attempt("connections_ended", lambda c=connection, end=end: end(connection=c, actor=user))
    for follow in Follow.objects.filter(student=user).select_related("organization"):
        attempt(
            "follows_ended",
            lambda f=follow: organization_unfollow(student=user, organization=f.organization),
        )
    return counts


def _still_open(user: User) -> bool:
    """Something the steps before the lock close is open again (or was answered the
    other way meanwhile); follows need no check, the erasure deletes any left."""
    return (
        Application.objects.filter(student=user, status__in=Application.UNDECIDED).exists()
        or Offer.objects.filter(student=user, status=Offer.Status.EXTENDED).exists()
        or RecommendationRequest.objects.filter(
            student=user, status=RecommendationRequest.Status.PENDING
        ).exists()
        or ProjectInvitation.objects.filter(
            student=user, status=ProjectInvitation.Status.SENT
        ).exists()
        or Connection.objects.filter(student=user, status__in=LIVE_CONNECTIONS).exists()
        or ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    )


def student_account_delete(*, user: User, actor: User) -> AccountDeletion:
    """Delete ``user``'s student account (see the module docstring). Only the student
    can do it. Raises ``PrivacyError`` while an engagement is in progress; nothing is
    changed then."""
    if actor is None or actor.pk != user.pk:
        raise PermissionDenied("Only the student can delete their own account.")
    if not user.is_student:
        raise PermissionDenied("Only student accounts can be deleted here.")
    if not user.is_active:
        raise PrivacyError("This account is already deleted.")
    _refuse_if_in_progress(user)

    closed = _close_the_rest(user)
    withdrawn = _withdraw_open_applications(user)
    declined, expired = _answer_open_offers(user)

    with transaction.atomic(durable=True):
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active:
            raise PrivacyError("This account is already deleted.")
        _refuse_if_in_progress(locked)
        if _still_open(locked):
            raise PrivacyError(
                "An application, an offer, an invitation or a connection changed while your "
                "account was being deleted. Please try again."
            )
        summary = _erase(locked)
        summary.update(
            applications_withdrawn=withdrawn,
            offers_declined=declined,
            offers_expired=expired,
            **closed,
        )
        deletion = AccountDeletion.objects.create(user=locked, actor=actor, summary=summary)
    for name in ("first_name", "last_name", "email", "is_active", "password"):
        setattr(user, name, getattr(locked, name))
    return deletion


def _erase(user: User) -> dict[str, Any]:
    """The erasure itself, inside the caller's transaction. Returns counts for the
    audit row."""
    now = timezone.now()
    files: list[str] = []
    summary: dict[str, Any] = {}

    old_name, old_email = user.get_full_name(), user.email
    organizations = _organizations_dealt_with(user)
    summary["notifications_scrubbed"] = _scrub_others_notifications(
        user, organizations=organizations, names=[old_name, old_email]
    )
    summary["webhook_deliveries_anonymized"] = webhook_deliveries_anonymize_student(
        student_id=user.pk, name=FORMER_STUDENT, organization_ids=organizations
    )

    user.first_name, user.last_name = FORMER_STUDENT, ""
    user.email = former_student_email(user.pk)
    user.set_unusable_password()  # also ends every session: their auth hash changes
    user.is_active = False
    user.last_login = None
    user.save(
        update_fields=["first_name", "last_name", "email", "password", "is_active", "last_login"]
    )
    summary["email_addresses_deleted"] = EmailAddress.objects.filter(user=user).delete()[0]
    # A university sign-in still linked would sign its subject in to the erased account.
    summary["sign_ins_unlinked"] = SocialAccount.objects.filter(user=user).delete()[0]

    profile = StudentProfile.objects.select_for_update().filter(user=user).first()
    if profile is not None:
        files.append(profile.resume.name)
        # Institution, major, degree and class stay: the placement figures count by them
        # (only in aggregate, never named once the account is inactive).
        profile.headline = profile.bio = ""
        profile.portfolio_url = profile.linkedin_url = profile.github_url = ""
        profile.resume.name = ""
        profile.resume_uploaded_at = None
        profile.share_with_career_office = False
        profile.save(
            update_fields=[
                "headline",
                "bio",
                "portfolio_url",
                "linkedin_url",
                "github_url",
                "resume",
                "resume_uploaded_at",
                "share_with_career_office",
                "updated_at",
            ]
        )
        summary["skills_deleted"] = StudentSkill.objects.filter(profile=profile).delete()[0]

    applications = Application.objects.filter(student=user)
    files += [name for name in applications.values_list("resume_snapshot", flat=True) if name]
    summary["applications_anonymized"] = applications.update(
        cover_note="", answers=[], resume_snapshot=""
    )

    summary["files_of_submissions"] = _erase_submissions(user, files)

    items = ExperienceItem.objects.filter(student=user)
    summary["credentials_revoked"] = items.filter(credential_revoked_at__isnull=True).update(
        credential_revoked_at=now
    )
    items.update(is_visible=False, show_quote=False)
    ResumeBullet.objects.filter(item__student=user).delete()
    # Endorsements only fed the student's own record; the supervisor's feedback keeps
    # the skills it saw demonstrated.
    summary["endorsements_deleted"] = Endorsement.objects.filter(student=user).delete()[0]
    SupervisorFeedback.objects.filter(engagement__student=user).update(
        recommendation_public=False, intern_reply=""
    )
    summary.update(recommendations_erase_for_student(student=user))
    summary.update(network_erase_for_student(student=user))
    summary["share_links_revoked"] = RecordShare.objects.filter(
        student=user, revoked_at__isnull=True
    ).update(revoked_at=now)
    # The kind and date say "outcome known" for the figures; the details were personal.
    OutcomeReport.objects.filter(student=user).update(
        employer_name="", job_title="", program_name=""
    )

    summary["notifications_deleted"] = Notification.objects.filter(recipient=user).delete()[0]
    NotificationPreference.objects.filter(user=user).delete()
    DigestRun.objects.filter(user=user).delete()
    SavedProject.objects.filter(student=user).delete()
    SavedSearch.objects.filter(student=user).delete()

    # Locked first: a build under way finishes (and names its file) before we read it.
    exports = list(
        DataExport.objects.select_for_update().filter(user=user).values_list("pk", "file")
    )
    files += [name for _, name in exports]
    summary["data_exports_deleted"] = DataExport.objects.filter(
        pk__in=[pk for pk, _ in exports]
    ).delete()[0]

    files = [name for name in files if name]
    summary["files_deleted"] = len(files)
    delete_stored_files_on_commit(files)
    return summary


def _erase_submissions(user: User, files: list[str]) -> int:
    """Deliverable files the student uploaded go; a submission that also gave a link
    keeps the link (the organization's record that work was handed in), one that was
    only the file goes with it (a submission is a file or a link, never neither)."""
    submissions = Submission.objects.filter(author=user).exclude(file="")
    names = list(submissions.values_list("file", flat=True))
    files += names
    submissions.filter(link="").delete()
    submissions.update(file="", original_filename="", size_bytes=0)
    return len(names)


def _organizations_dealt_with(user: User) -> set[int]:
    """Organizations the student applied to, worked for or had an offer from: every
    invitation, connection and recommendation follows a completed engagement, so their
    organizations are among these."""
    return set(
        Project.objects.filter(
            Q(applications__student=user) | Q(engagements__student=user)
        ).values_list("organization_id", flat=True)
    ) | set(Offer.objects.filter(student=user).values_list("organization_id", flat=True))


def _scrub_others_notifications(user: User, *, organizations: set[int], names: list[str]) -> int:
    """Replace the student's name and address in the notifications the organizations
    they dealt with received ("Ada Lovelace applied to …"). Only those recipients'
    rows are searched (their inbox index), not every notification."""
    recipients = (
        set(
            Membership.objects.filter(organization_id__in=organizations).values_list(
                "user_id", flat=True
            )
        )
        | set(Engagement.objects.filter(student=user).values_list("supervisor_id", flat=True))
        # People who may have left the organization since: they still hold the notices.
        | set(Connection.objects.filter(student=user).values_list("supervisor_id", flat=True))
        | set(
            RecommendationRequest.objects.filter(student=user).values_list(
                "recommender_id", flat=True
            )
        )
        | set(
            ProjectInvitation.objects.filter(student=user).values_list("invited_by_id", flat=True)
        )
    )
    recipients.discard(user.pk)
    changed = 0
    for name in names:
        if len(name.strip()) < NAME_REPLACE_MIN:
            continue
        changed += Notification.objects.filter(
            recipient_id__in=recipients, text__contains=name
        ).update(text=Replace("text", Value(name), Value(FORMER_STUDENT)))
    return changed
