"""The notification kinds: what each one is called, where it sits on the preferences
page, who can receive it and how it is delivered unless the user chose otherwise.

Delivery:

    in_app   only in the inbox (no email)
    email    an email right away (the default for a kind nobody registered)
    digest   collected into one email a day (accounts.tasks.send_daily_digests)

A kind that is not registered here still works: ``kind_get`` describes it with a label
made from its key and email delivery, so a new ``notify(kind=...)`` never breaks.
This module imports nothing from the app so models can use ``Delivery``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Delivery(models.TextChoices):
    IN_APP = "in_app", "In the app only"
    EMAIL = "email", "Email right away"
    DIGEST = "digest", "Daily digest email"


STUDENT = "student"
EMPLOYER = "employer"
CAREER_OFFICE = "career_office"
EVERYONE = frozenset({STUDENT, EMPLOYER, CAREER_OFFICE})

# Groups in the order the preferences page lists them.
GROUP_APPLICATIONS = "Applications"
GROUP_ENGAGEMENTS = "Projects in progress"
GROUP_FEEDBACK = "Feedback"
GROUP_OFFERS = "Offers"
GROUP_POSTINGS = "Your project postings"
GROUP_DISCOVERY = "Finding projects"
GROUP_ORGANIZATION = "Organization and team"
GROUP_OTHER = "Other"
GROUPS = (
    GROUP_APPLICATIONS,
    GROUP_ENGAGEMENTS,
    GROUP_FEEDBACK,
    GROUP_OFFERS,
    GROUP_POSTINGS,
    GROUP_DISCOVERY,
    GROUP_ORGANIZATION,
    GROUP_OTHER,
)


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: str
    group: str
    default: str = Delivery.EMAIL
    audience: frozenset[str] = EVERYONE
    # Registered kinds have their own email template; unknown ones use the generic one.
    registered: bool = True


def _kind(key: str, label: str, group: str, default: str, *audience: str) -> NotificationKind:
    return NotificationKind(
        key=key,
        label=label,
        group=group,
        default=default,
        audience=frozenset(audience) if audience else EVERYONE,
    )


_E, _D, _I = Delivery.EMAIL, Delivery.DIGEST, Delivery.IN_APP

KINDS: dict[str, NotificationKind] = {
    k.key: k
    for k in (
        # --- applications ---------------------------------------------------------
        _kind(
            "application_received",
            "Someone applied to your project",
            GROUP_APPLICATIONS,
            _D,
            EMPLOYER,
        ),
        _kind(
            "application_withdrawn",
            "An applicant withdrew",
            GROUP_APPLICATIONS,
            _I,
            EMPLOYER,
        ),
        _kind(
            "application_shortlisted",
            "Your application was shortlisted",
            GROUP_APPLICATIONS,
            _E,
            STUDENT,
        ),
        _kind(
            "application_accepted",
            "Your application was accepted",
            GROUP_APPLICATIONS,
            _E,
            STUDENT,
        ),
        _kind(
            "application_rejected",
            "Your application was not selected",
            GROUP_APPLICATIONS,
            _E,
            STUDENT,
        ),
        _kind(
            "application_expired",
            "Your application expired undecided",
            GROUP_APPLICATIONS,
            _E,
            STUDENT,
        ),
        # --- engagements ----------------------------------------------------------
        _kind(
            "engagement_started",
            "A project started",
            GROUP_ENGAGEMENTS,
            _E,
            STUDENT,
            EMPLOYER,
        ),
        _kind(
            "message_received",
            "New message on a project",
            GROUP_ENGAGEMENTS,
            _E,
            STUDENT,
            EMPLOYER,
        ),
        _kind(
            "deliverable_submitted",
            "Work was submitted for review",
            GROUP_ENGAGEMENTS,
            _E,
            EMPLOYER,
        ),
        _kind(
            "revision_requested",
            "A revision was requested",
            GROUP_ENGAGEMENTS,
            _E,
            STUDENT,
        ),
        _kind(
            "engagement_completed",
            "A project was completed",
            GROUP_ENGAGEMENTS,
            _E,
            STUDENT,
            EMPLOYER,
        ),
        _kind(
            "engagement_cancelled",
            "A project in progress was cancelled",
            GROUP_ENGAGEMENTS,
            _E,
            STUDENT,
            EMPLOYER,
        ),
        _kind(
            "engagement_inactive",
            "Reminder: no activity on a project for 3 days",
            GROUP_ENGAGEMENTS,
            _E,
            STUDENT,
            EMPLOYER,
        ),
        _kind(
            "due_date_extended",
            "A due date was extended",
            GROUP_ENGAGEMENTS,
            _E,
            STUDENT,
        ),
        _kind("payout_due", "A payout is due", GROUP_ENGAGEMENTS, _E, EMPLOYER),
        _kind("payout_marked_paid", "A payout was marked paid", GROUP_ENGAGEMENTS, _E, STUDENT),
        # --- feedback -------------------------------------------------------------
        _kind(
            "feedback_due",
            "Feedback is due",
            GROUP_FEEDBACK,
            _E,
            STUDENT,
            EMPLOYER,
        ),
        _kind(
            "feedback_visible",
            "Feedback about you is visible",
            GROUP_FEEDBACK,
            _E,
            STUDENT,
            EMPLOYER,
        ),
        _kind(
            "feedback_waiting",
            "The other side gave feedback: yours is awaited",
            GROUP_FEEDBACK,
            _E,
            STUDENT,
            EMPLOYER,
        ),
        _kind(
            "feedback_reply",
            "A reply to your feedback",
            GROUP_FEEDBACK,
            _E,
            STUDENT,
            EMPLOYER,
        ),
        # --- offers ---------------------------------------------------------------
        _kind("offer_extended", "You received an offer", GROUP_OFFERS, _E, STUDENT),
        _kind("offer_accepted", "An offer was accepted", GROUP_OFFERS, _E, EMPLOYER),
        _kind("offer_declined", "An offer was declined", GROUP_OFFERS, _E, EMPLOYER),
        _kind("offer_rescinded", "An offer was withdrawn", GROUP_OFFERS, _E, STUDENT),
        _kind("offer_expiring", "An offer expires soon", GROUP_OFFERS, _E, STUDENT, EMPLOYER),
        _kind("offer_expired", "An offer expired", GROUP_OFFERS, _E, STUDENT, EMPLOYER),
        # --- postings -------------------------------------------------------------
        _kind(
            "project_deadline_approaching",
            "Your project's application deadline is near",
            GROUP_POSTINGS,
            _E,
            EMPLOYER,
        ),
        _kind(
            "project_auto_closed",
            "Your project closed at its deadline",
            GROUP_POSTINGS,
            _E,
            EMPLOYER,
        ),
        _kind("project_approved", "Your project was approved", GROUP_POSTINGS, _E, EMPLOYER),
        _kind(
            "project_returned",
            "Your project was returned for changes",
            GROUP_POSTINGS,
            _E,
            EMPLOYER,
        ),
        _kind("project_filled", "All slots of a project are filled", GROUP_POSTINGS, _E, EMPLOYER),
        _kind(
            "project_closed",
            "A project you applied to closed",
            GROUP_POSTINGS,
            _I,
            STUDENT,
            EMPLOYER,
        ),
        _kind(
            "project_cancelled",
            "A project was cancelled",
            GROUP_POSTINGS,
            _E,
            STUDENT,
            EMPLOYER,
        ),
        # --- discovery ------------------------------------------------------------
        _kind(
            "saved_search_digest",
            "New projects match your saved searches",
            GROUP_DISCOVERY,
            _E,
            STUDENT,
        ),
        # --- organizations and institutions --------------------------------------
        _kind(
            "invitation_sent",
            "You were invited to join a team",
            GROUP_ORGANIZATION,
            _E,
        ),
        _kind(
            "organization_verified",
            "Your organization was verified",
            GROUP_ORGANIZATION,
            _E,
            EMPLOYER,
        ),
        _kind(
            "organization_unverified",
            "Your organization's verification was removed",
            GROUP_ORGANIZATION,
            _E,
            EMPLOYER,
        ),
        _kind(
            "organization_member_joined",
            "Someone joined your organization",
            GROUP_ORGANIZATION,
            _D,
            EMPLOYER,
        ),
        _kind(
            "organization_member_left",
            "Someone left your organization",
            GROUP_ORGANIZATION,
            _D,
            EMPLOYER,
        ),
        _kind(
            "organization_member_removed",
            "You were removed from an organization",
            GROUP_ORGANIZATION,
            _E,
            EMPLOYER,
        ),
        _kind(
            "organization_member_promoted",
            "Your role in the organization changed",
            GROUP_ORGANIZATION,
            _E,
            EMPLOYER,
        ),
        _kind(
            "career_office_member_joined",
            "Someone joined your career office",
            GROUP_ORGANIZATION,
            _D,
            CAREER_OFFICE,
        ),
    )
}

# Keys some services use for a registered kind: they share its preference and template.
ALIASES: dict[str, str] = {
    "work_submitted": "deliverable_submitted",
    "project_deadline_closed": "project_auto_closed",
    "organization_invitation": "invitation_sent",
    "career_office_invitation": "invitation_sent",
}

# The token kind of a digest email's unsubscribe link: every digest kind → in-app.
DIGEST_UNSUBSCRIBE = "digest"


def canonical_kind(key: str) -> str:
    return ALIASES.get(key, key)


def kind_get(key: str) -> NotificationKind:
    """The kind's description; an unknown key gets a readable label and email delivery."""
    key = canonical_kind(key)
    kind = KINDS.get(key)
    if kind is not None:
        return kind
    label = key.replace("_", " ").replace("-", " ").strip().capitalize() or "Notification"
    return NotificationKind(key=key, label=label, group=GROUP_OTHER, registered=False)


def kinds_for_role(role: str | None) -> list[NotificationKind]:
    """Kinds a user of this role can receive (all of them for an unknown role)."""
    if role not in EVERYONE:
        return list(KINDS.values())
    return [k for k in KINDS.values() if role in k.audience]


def kinds_by_group(kinds: list[NotificationKind]) -> list[tuple[str, list[NotificationKind]]]:
    grouped: dict[str, list[NotificationKind]] = {}
    for kind in kinds:
        grouped.setdefault(kind.group, []).append(kind)
    return [(group, grouped[group]) for group in GROUPS if group in grouped]
