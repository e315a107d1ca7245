"""The contents of a student's data archive: every record of theirs as JSON-ready
data, one document per kind (``ARCHIVE_KINDS``), and the files they gave us, written as
one zip. Every query is scoped to the student; what they may not see (feedback still
blind, the text of a letter they waived the right to read, another student's anything)
is left out.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from dataclasses import dataclass, field
from typing import IO, Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.text import get_valid_filename

from accounts.models import (
    Affiliation,
    ApiToken,
    Notification,
    NotificationPreference,
    StudentProfile,
    StudentSkill,
    User,
)
from matching.models import (
    Application,
    Connection,
    Endorsement,
    Engagement,
    ExperienceItem,
    Follow,
    InternFeedback,
    NetworkPreference,
    Offer,
    OutcomeReport,
    ProjectInvitation,
    Recommendation,
    RecommendationRequest,
    RecordShare,
    SupervisorFeedback,
)
from projects.models import SavedProject, SavedSearch

#: The JSON files of an archive, one per kind of record, in the order they are written.
ARCHIVE_KINDS = (
    "profile",
    "applications",
    "engagements",
    "feedback",
    "records",
    "offers",
    "notifications",
    "network",
    "recommendations",
    "api_tokens",
    "sign_ins",
)


@dataclass
class Archive:
    """What goes into the zip: a JSON document per kind, and the stored files with the
    path each gets inside the archive."""

    documents: dict[str, Any] = field(default_factory=dict)
    files: list[tuple[str, str]] = field(default_factory=list)  # (archive path, storage name)


def archive_write(*, user: User, handle: IO[bytes]) -> list[str]:
    """Write ``user``'s archive as a zip into ``handle``; return the paths it holds. A
    stored file that is missing is listed in manifest.json instead of failing."""
    archive = archive_collect(user=user)
    written: list[str] = []
    missing: list[str] = []
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for kind in ARCHIVE_KINDS:
            name = f"{kind}.json"
            zf.writestr(name, _json(archive.documents[kind]))
            written.append(name)
        for path, stored in archive.files:
            try:
                with default_storage.open(stored, "rb") as source, zf.open(path, "w") as target:
                    shutil.copyfileobj(source, target)
            except FileNotFoundError:
                missing.append(path)
                continue
            written.append(path)
        manifest = {
            "generated_at": timezone.now(),
            "account_id": user.pk,
            "contents": {kind: f"{kind}.json" for kind in ARCHIVE_KINDS},
            "files": [path for path, _ in archive.files if path not in missing],
            "missing_files": missing,
            "about": (
                "Everything Internly holds about you. Each JSON file is one kind of "
                "record; files/ holds the files you uploaded. Times are in UTC."
            ),
        }
        zf.writestr("manifest.json", _json(manifest))
        written.append("manifest.json")
    return written


def _json(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def _person(user: User | None, me: User) -> str:
    if user is None:
        return ""
    if user.pk == me.pk:
        return "you"
    return user.get_full_name() or "Internly user"


def _history(events) -> list[dict[str, Any]]:
    return [
        {"from": e.from_status, "to": e.to_status, "at": e.created_at, "note": e.note}
        for e in events
    ]


def archive_collect(*, user: User) -> Archive:
    """Every record of ``user``, as JSON-ready data, and their files. Each query is
    scoped to the user; nothing is read through another student."""
    archive = Archive()
    archive.documents["profile"] = _profile(user, archive)
    archive.documents["applications"] = _applications(user, archive)
    archive.documents["engagements"] = _engagements(user, archive)
    archive.documents["feedback"] = _feedback(user)
    archive.documents["records"] = _records(user)
    archive.documents["offers"] = _offers(user)
    archive.documents["notifications"] = [
        {
            "kind": n.kind,
            "text": n.text,
            "link": n.link,
            "created_at": n.created_at,
            "read_at": n.read_at,
            "delivery": n.delivery,
            "email_status": n.email_status,
        }
        for n in Notification.objects.filter(recipient=user).order_by("created_at", "pk")
    ]
    archive.documents["network"] = _network(user)
    archive.documents["recommendations"] = _recommendations(user)
    # Only the SHA-256 of a token is stored, and it is not theirs to need: never exported.
    archive.documents["api_tokens"] = [
        {
            "name": t.name,
            "prefix": t.prefix,
            "scope": t.scope,
            "created_at": t.created_at,
            "expires_at": t.expires_at,
            "last_used_at": t.last_used_at,
            "revoked_at": t.revoked_at,
        }
        for t in ApiToken.objects.filter(user=user).order_by("created_at", "pk")
    ]
    # University sign-ins linked to the account, with what the university released.
    archive.documents["sign_ins"] = [
        {
            "provider": a.provider,
            "subject": a.uid,
            "released": a.extra_data,
            "linked_at": a.date_joined,
            "last_sign_in": a.last_login,
        }
        for a in SocialAccount.objects.filter(user=user).order_by("date_joined", "pk")
    ]
    return archive


def _profile(user: User, archive: Archive) -> dict[str, Any]:
    profile = StudentProfile.objects.select_related("institution").filter(user=user).first()
    data: dict[str, Any] = {
        "account": {
            "id": user.pk,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "role": user.role,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "profile": None,
        "skills": [],
        "affiliations": [
            {"institution": a.institution.name, "started_at": a.started_at, "ended_at": a.ended_at}
            for a in Affiliation.objects.filter(student=user).select_related("institution")
        ],
        "saved_projects": [
            {"project": s.project.title, "project_id": s.project_id, "saved_at": s.created_at}
            for s in SavedProject.objects.filter(student=user).select_related("project")
        ],
        "saved_searches": [
            {"name": s.name, "filters": s.query_string, "created_at": s.created_at}
            for s in SavedSearch.objects.filter(student=user)
        ],
        "notification_preferences": [
            {"kind": p.kind, "delivery": p.delivery}
            for p in NotificationPreference.objects.filter(user=user)
        ],
    }
    if profile is not None:
        resume = ""
        if profile.resume:
            resume = "files/resume.pdf"
            archive.files.append((resume, profile.resume.name))
        data["profile"] = {
            "institution": profile.institution.name if profile.institution else "",
            "institution_verified": profile.institution_verified,
            "major": profile.major,
            "degree_level": profile.degree_level,
            "graduation_year": profile.graduation_year,
            "graduation_date": profile.graduation_date,
            "headline": profile.headline,
            "bio": profile.bio,
            "weekly_availability_hours": profile.weekly_availability_hours,
            "portfolio_url": profile.portfolio_url,
            "linkedin_url": profile.linkedin_url,
            "github_url": profile.github_url,
            "share_with_career_office": profile.share_with_career_office,
            "resume": resume,
            "resume_uploaded_at": profile.resume_uploaded_at,
            "updated_at": profile.updated_at,
        }
        data["skills"] = [
            {"skill": s.skill.name, "level": s.level, "level_label": s.get_level_display()}
            for s in StudentSkill.objects.filter(profile=profile).select_related("skill")
        ]
    return data


def _applications(user: User, archive: Archive) -> list[dict[str, Any]]:
    rows = []
    applications = (
        Application.objects.filter(student=user)
        .select_related("project__organization")
        .prefetch_related("events")
        .order_by("created_at", "pk")
    )
    for application in applications:
        project = application.project
        resume = ""
        if application.resume_snapshot:
            resume = f"files/applications/{application.pk}-resume.pdf"
            archive.files.append((resume, application.resume_snapshot.name))
        rows.append(
            {
                "id": application.pk,
                "project": project.title,
                "project_id": project.pk,
                "organization": project.organization.name,
                "status": application.status,
                "cover_note": application.cover_note,
                "screening_questions": project.screening_questions,
                "answers": application.answers,
                "resume_sent": resume,
                "decision_message": application.decision_message,
                "created_at": application.created_at,
                "decided_at": application.decided_at,
                "history": [
                    {"from": e.from_status, "to": e.to_status, "at": e.created_at}
                    for e in application.events.all()
                ],
            }
        )
    return rows


def _engagements(user: User, archive: Archive) -> list[dict[str, Any]]:
    rows = []
    engagements = (
        Engagement.objects.filter(student=user)
        .select_related("project__organization", "supervisor", "payout")
        .prefetch_related("events", "messages__author", "submissions__author", "hours")
        .order_by("started_at", "pk")
    )
    for engagement in engagements:
        submissions = []
        for submission in engagement.submissions.all():
            path = ""
            if submission.file and submission.author_id == user.pk:
                original = get_valid_filename(submission.original_filename or "")[:100] or "file"
                path = f"files/engagements/{engagement.pk}/{submission.pk}-{original}"
                archive.files.append((path, submission.file.name))
            submissions.append(
                {
                    "author": _person(submission.author, user),
                    "file": path,
                    "original_filename": submission.original_filename,
                    "size_bytes": submission.size_bytes,
                    "link": submission.link,
                    "note": submission.note,
                    "created_at": submission.created_at,
                }
            )
        payout = getattr(engagement, "payout", None)  # reverse one-to-one: None if absent
        rows.append(
            {
                "id": engagement.pk,
                "project": engagement.project.title,
                "organization": engagement.project.organization.name,
                "supervisor": _person(engagement.supervisor, user),
                "status": engagement.status,
                "checklist": engagement.checklist,
                "due_date": engagement.due_date,
                "fee": engagement.fee,
                "currency": engagement.currency,
                "started_at": engagement.started_at,
                "submitted_at": engagement.submitted_at,
                "completed_at": engagement.completed_at,
                "cancelled_at": engagement.cancelled_at,
                "cancel_reason": engagement.cancel_reason,
                "history": _history(engagement.events.all()),
                "messages": [
                    {
                        "author": _person(m.author, user),
                        "body": m.body,
                        "created_at": m.created_at,
                    }
                    for m in engagement.messages.all()
                ],
                "submissions": submissions,
                "hours": [
                    {"date": h.date, "hours": h.hours, "description": h.description}
                    for h in engagement.hours.all()
                ],
                "payout": None
                if payout is None
                else {
                    "amount": payout.amount,
                    "currency": payout.currency,
                    "status": payout.status,
                    "due_at": payout.due_at,
                    "paid_at": payout.paid_at,
                    "reference": payout.reference,
                },
            }
        )
    return rows


def _feedback(user: User) -> dict[str, Any]:
    received = (
        SupervisorFeedback.objects.filter(
            engagement__student=user, engagement__feedback_released_at__isnull=False
        )
        .select_related("engagement__project__organization")
        .prefetch_related("demonstrated_skills")
        .order_by("submitted_at", "pk")
    )
    given = (
        InternFeedback.objects.filter(engagement__student=user)
        .select_related("engagement__project__organization")
        .order_by("submitted_at", "pk")
    )
    return {
        "received": [
            {
                "engagement_id": f.engagement_id,
                "project": f.engagement.project.title,
                "organization": f.engagement.project.organization.name,
                "overall_rating": f.overall_rating,
                "competencies": dict(f.competency_ratings()),
                "written_feedback": f.written_feedback,
                "demonstrated_skills": sorted(s.name for s in f.demonstrated_skills.all()),
                "outcomes": f.outcomes,
                "would_hire": f.would_hire,
                "recommendation": f.recommendation,
                "recommendation_public": f.recommendation_public,
                "your_reply": f.intern_reply,
                "submitted_at": f.submitted_at,
            }
            for f in received
        ],
        "given": [
            {
                "engagement_id": f.engagement_id,
                "project": f.engagement.project.title,
                "organization": f.engagement.project.organization.name,
                "brief_clarity": f.brief_clarity,
                "mentorship": f.mentorship,
                "scope_fairness": f.scope_fairness,
                "would_recommend": f.would_recommend,
                "comment": f.comment,
                "submitted_at": f.submitted_at,
            }
            for f in given
        ],
    }


def _records(user: User) -> dict[str, Any]:
    items = (
        ExperienceItem.objects.filter(student=user)
        .select_related("engagement__project__organization")
        .prefetch_related("bullets")
        .order_by("created_at", "pk")
    )
    endorsements = (
        Endorsement.objects.filter(student=user, engagement__feedback_released_at__isnull=False)
        .select_related("skill", "engagement__project")
        .order_by("created_at", "pk")
    )
    return {
        "experience": [
            {
                "engagement_id": item.engagement_id,
                "project": item.engagement.project.title,
                "organization": item.engagement.project.organization.name,
                "is_visible": item.is_visible,
                "status": item.status,
                "show_ratings": item.show_ratings,
                "show_quote": item.show_quote,
                "credential_id": item.credential_id,
                "credential_revoked_at": item.credential_revoked_at,
                "created_at": item.created_at,
                "resume_bullets": [
                    {"draft": b.draft_text, "text": b.text, "approved_at": b.approved_at}
                    for b in item.bullets.all()
                ],
            }
            for item in items
        ],
        "endorsements": [
            {
                "skill": e.skill.name,
                "engagement_id": e.engagement_id,
                "project": e.engagement.project.title,
                "created_at": e.created_at,
            }
            for e in endorsements
        ],
        # Tokens are stored hashed: a link cannot be rebuilt, only its dates shown.
        "share_links": [
            {"created_at": s.created_at, "revoked_at": s.revoked_at}
            for s in RecordShare.objects.filter(student=user)
        ],
        "outcomes": [
            {
                "kind": o.kind,
                "employer_name": o.employer_name,
                "job_title": o.job_title,
                "program_name": o.program_name,
                "reported_at": o.reported_at,
            }
            for o in OutcomeReport.objects.filter(student=user).order_by("reported_at", "pk")
        ],
    }


def _offers(user: User) -> list[dict[str, Any]]:
    offers = (
        Offer.objects.filter(student=user)
        .select_related("organization")
        .prefetch_related("events")
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": offer.pk,
            "organization": offer.organization.name,
            "title": offer.title,
            "type": offer.type,
            "pay_amount": offer.pay_amount,
            "pay_period": offer.pay_period,
            "currency": offer.currency,
            "location": offer.location,
            "is_remote": offer.is_remote,
            "start_date": offer.start_date,
            "response_deadline": offer.response_deadline,
            "message": offer.message,
            "status": offer.status,
            "responded_at": offer.responded_at,
            "rescind_reason": offer.rescind_reason,
            "engagement_id": offer.engagement_id,
            "created_at": offer.created_at,
            "history": _history(offer.events.all()),
        }
        for offer in offers
    ]


def _network(user: User) -> dict[str, Any]:
    connections = (
        Connection.objects.filter(student=user)
        .select_related("supervisor", "organization", "requested_by", "engagement__project")
        .prefetch_related("events")
        .order_by("requested_at", "pk")
    )
    invitations = (
        ProjectInvitation.objects.filter(student=user)
        .select_related("project__organization", "invited_by")
        .prefetch_related("events")
        .order_by("created_at", "pk")
    )
    preference = NetworkPreference.objects.filter(student=user).first()
    return {
        # No row: the default, invitations on.
        "accepts_invitations": preference.accepts_invitations if preference else True,
        "connections": [
            {
                "with": _person(c.supervisor, user),
                "organization": c.organization.name,
                "project": c.engagement.project.title,
                "status": c.status,
                "requested_by": _person(c.requested_by, user),
                "note": c.note,
                "requested_at": c.requested_at,
                "connected_at": c.connected_at,
                "history": _history(c.events.all()),
            }
            for c in connections
        ],
        "follows": [
            {"organization": f.organization.name, "followed_at": f.created_at}
            for f in Follow.objects.filter(student=user)
            .select_related("organization")
            .order_by("created_at", "pk")
        ],
        "invitations": [
            {
                "id": i.pk,
                "project": i.project.title,
                "project_id": i.project_id,
                "organization": i.project.organization.name,
                "invited_by": _person(i.invited_by, user),
                "kind": i.kind,
                "message": i.message,
                "status": i.status,
                "created_at": i.created_at,
                "answered_at": i.answered_at,
                "engagement_id": i.engagement_id,
                "history": _history(i.events.all()),
            }
            for i in invitations
        ],
    }


def _recommendations(user: User) -> dict[str, Any]:
    requests = (
        RecommendationRequest.objects.filter(student=user)
        .select_related("recommender", "organization", "engagement__project")
        .prefetch_related("events")
        .order_by("created_at", "pk")
    )
    letters = (
        Recommendation.objects.filter(student=user)
        .select_related("author", "organization", "engagement__project")
        .prefetch_related("events", "attachments")
        .order_by("issued_at", "pk")
    )
    rows = []
    for rec in letters:
        row: dict[str, Any] = {
            "id": rec.pk,
            "engagement_id": rec.engagement_id,
            "project": rec.engagement.project.title,
            "organization": rec.organization.name,
            "author": _person(rec.author, user),
            "waived": rec.waived,
            "status": rec.status,
            "issued_at": rec.issued_at,
            "revoked_at": rec.revoked_at,
            "revoke_reason": rec.revoke_reason,
            "attached_to_applications": [a.application_id for a in rec.attachments.all()],
        }
        if rec.waived:
            # The student gave up reading it: its text, and the history notes around it,
            # stay out of their own archive too.
            row["letter_withheld"] = (
                "You waived your right to read this letter: its text is not included."
            )
        else:
            row.update(
                {
                    "relationship": rec.relationship,
                    "known_for": rec.known_for,
                    "work_done": rec.work_done,
                    "results": rec.results,
                    "strengths": rec.strengths,
                    "would_work_again": rec.would_work_again,
                    "letter": rec.letter,
                    "show_on_record": rec.show_on_record,
                    "verification_id": rec.verification_id,
                    "history": _history(rec.events.all()),
                }
            )
        rows.append(row)
    return {
        "requests": [
            {
                "id": r.pk,
                "engagement_id": r.engagement_id,
                "project": r.engagement.project.title,
                "organization": r.organization.name,
                "asked": _person(r.recommender, user),
                "note": r.note,
                "waived": r.waived,
                "status": r.status,
                "created_at": r.created_at,
                "expires_at": r.expires_at,
                "answered_at": r.answered_at,
                "decline_message": r.decline_message,
                "history": _history(r.events.all()),
            }
            for r in requests
        ],
        "letters": rows,
    }
