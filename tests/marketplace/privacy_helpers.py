"""A student with one of everything Internly keeps, built through the real services,
for the data-export and account-deletion tests.

    privacy_world(student, supervisor, other_student)   the World below

The student: a résumé, a completed engagement (messages both ways, hours, a deliverable
file, approved, payout due, feedback both ways and released, an endorsed skill), its
record item with a credential, a share link, an offer citing it, a self-reported
outcome, a saved search, and an undecided application elsewhere. The other student works
for the same supervisor and writes to them: none of it may leak into the student's
archive, and none of it may change when the student's account is deleted.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from matching.models import Application, Engagement, ExperienceItem, Offer
from matching.services.engagements import (
    engagement_approve,
    engagement_log_hours,
    engagement_post_message,
    engagement_submit_work,
)
from matching.services.offers import outcome_report_create
from matching.services.records import record_share_create
from projects.models import SavedSearch
from tests.accounts.factories import SkillFactory
from tests.matching.engagement_helpers import make_engagement, upload
from tests.matching.factories import submitted_application
from tests.matching.offers_helpers import extend_offer
from tests.matching.records_helpers import (
    give_intern_feedback,
    give_supervisor_feedback,
    record_item,
)
from tests.projects.factories import open_project

STUDENT_MESSAGE = "Here is my first draft of the interview plan."
SUPERVISOR_MESSAGE = "Thanks, this looks good. Go ahead."
OTHER_MESSAGE = "Message from the other student, about their own project."
OTHER_COVER = "The other student's cover note, which is nobody else's business."
DELIVERABLE = b"Findings of the market research sprint, by the student.\n"
COVER = "I would love to help with this: I ran the numbers for our student society."


@dataclass
class World:
    student: User
    supervisor: User
    other_student: User
    engagement: Engagement
    item: ExperienceItem
    share_token: str
    offer: Offer
    open_application: Application
    other_engagement: Engagement
    other_application: Application


def privacy_world(student: User, supervisor: User, other_student: User) -> World:
    engagement = make_engagement(student=student, supervisor=supervisor)
    engagement_post_message(engagement=engagement, actor=student, body=STUDENT_MESSAGE)
    engagement_post_message(engagement=engagement, actor=supervisor, body=SUPERVISOR_MESSAGE)
    engagement_log_hours(
        engagement=engagement,
        actor=student,
        date=timezone.localdate(),
        hours=Decimal("3.5"),
        description="Interviews",
    )
    engagement_submit_work(
        engagement=engagement,
        actor=student,
        file=upload("findings.txt", DELIVERABLE, "text/plain"),
        note="The findings",
    )
    engagement_approve(engagement=engagement, actor=supervisor)
    give_supervisor_feedback(engagement, skills=[SkillFactory(name="Copywriting")])
    give_intern_feedback(engagement)
    engagement.refresh_from_db()
    item = record_item(engagement)
    _, token = record_share_create(student=student)
    offer = extend_offer(engagement)
    outcome_report_create(
        student=student, kind="graduate_school", program_name="MSc in Data Science"
    )
    SavedSearch.objects.create(student=student, name="Remote research", query_string="q=research")
    open_application = submitted_application(
        project=open_project(), student=student, cover_note=COVER
    )

    other_engagement = make_engagement(student=other_student, supervisor=supervisor)
    engagement_post_message(engagement=other_engagement, actor=other_student, body=OTHER_MESSAGE)
    other_application = submitted_application(
        project=open_application.project, student=other_student, cover_note=OTHER_COVER
    )
    return World(
        student=student,
        supervisor=supervisor,
        other_student=other_student,
        engagement=engagement,
        item=item,
        share_token=token,
        offer=offer,
        open_application=open_application,
        other_engagement=other_engagement,
        other_application=other_application,
    )


def read_zip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
