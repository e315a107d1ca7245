"""Matching models, by stage: ``core`` (applications, engagements and their workspace)
and ``records`` (feedback, endorsements, the experience record, offers, outcomes),
``network`` (connections, follows, invitations to apply) and ``webhooks`` (employers'
endpoints and their delivery log)."""

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
from .network import (
    Connection,
    ConnectionEvent,
    Follow,
    NetworkPreference,
    ProjectInvitation,
    ProjectInvitationEvent,
)
from .recommendations import (
    Recommendation,
    RecommendationAttachment,
    RecommendationEvent,
    RecommendationRequest,
    RecommendationRequestEvent,
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
from .webhooks import WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "Application",
    "ApplicationEvent",
    "Competency",
    "Connection",
    "ConnectionEvent",
    "Endorsement",
    "Engagement",
    "EngagementEvent",
    "ExperienceItem",
    "Follow",
    "HoursEntry",
    "InternFeedback",
    "Message",
    "NetworkPreference",
    "Offer",
    "OfferEvent",
    "OutcomeReport",
    "Payout",
    "PayoutEvent",
    "ProjectInvitation",
    "ProjectInvitationEvent",
    "Recommendation",
    "RecommendationAttachment",
    "RecommendationEvent",
    "RecommendationRequest",
    "RecommendationRequestEvent",
    "RecordShare",
    "ResumeBullet",
    "Submission",
    "SupervisorFeedback",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "submission_upload_to",
]
