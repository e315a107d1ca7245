"""Matching models, by stage: ``core`` (applications, engagements and their workspace)
and ``records`` (feedback, endorsements, the experience record, offers, outcomes)."""

from .core import (
    Application,
    ApplicationEvent,
    Engagement,
    EngagementEvent,
    HoursEntry,
    Message,
    Payout,
    PayoutEvent,
    Submission,
    submission_upload_to,
)
from .records import (
    Competency,
    Endorsement,
    ExperienceItem,
    InternFeedback,
    Offer,
    OfferEvent,
    OutcomeReport,
    RecordShare,
    ResumeBullet,
    SupervisorFeedback,
)

__all__ = [
    "Application",
    "ApplicationEvent",
    "Competency",
    "Endorsement",
    "Engagement",
    "EngagementEvent",
    "ExperienceItem",
    "HoursEntry",
    "InternFeedback",
    "Message",
    "Offer",
    "OfferEvent",
    "OutcomeReport",
    "Payout",
    "PayoutEvent",
    "RecordShare",
    "ResumeBullet",
    "Submission",
    "SupervisorFeedback",
    "submission_upload_to",
]
