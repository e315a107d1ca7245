"""The notification kinds about applications, projects in progress, feedback and
offers. accounts keeps the registry and delivers; MatchingConfig.ready() imports this
module to fill it."""

from accounts.notification_kinds import EMPLOYER, STUDENT, Delivery, notification_kind, register

_E, _D, _I = Delivery.EMAIL, Delivery.DIGEST, Delivery.IN_APP

register(
    "Applications",
    notification_kind("application_received", "Someone applied to your project", _D, EMPLOYER),
    notification_kind("application_withdrawn", "An applicant withdrew", _I, EMPLOYER),
    notification_kind("application_shortlisted", "Your application was shortlisted", _E, STUDENT),
    notification_kind("application_accepted", "Your application was accepted", _E, STUDENT),
    notification_kind("application_rejected", "Your application was not selected", _E, STUDENT),
    notification_kind("application_expired", "Your application expired undecided", _E, STUDENT),
    position=10,
)

register(
    "Projects in progress",
    notification_kind("engagement_started", "A project started", _E, STUDENT, EMPLOYER),
    notification_kind("message_received", "New message on a project", _E, STUDENT, EMPLOYER),
    notification_kind(
        "deliverable_submitted",
        "Work was submitted for review",
        _E,
        EMPLOYER,
        aliases=("work_submitted",),
    ),
    notification_kind("revision_requested", "A revision was requested", _E, STUDENT),
    notification_kind("engagement_completed", "A project was completed", _E, STUDENT, EMPLOYER),
    notification_kind(
        "engagement_cancelled", "A project in progress was cancelled", _E, STUDENT, EMPLOYER
    ),
    notification_kind(
        "engagement_inactive",
        "Reminder: no activity on a project for 3 days",
        _E,
        STUDENT,
        EMPLOYER,
    ),
    notification_kind("due_date_extended", "A due date was extended", _E, STUDENT),
    notification_kind("payout_due", "A payout is due", _E, EMPLOYER),
    notification_kind("payout_marked_paid", "A payout was marked paid", _E, STUDENT),
    position=20,
)

register(
    "Feedback",
    notification_kind("feedback_due", "Feedback is due", _E, STUDENT, EMPLOYER),
    notification_kind("feedback_visible", "Feedback about you is visible", _E, STUDENT, EMPLOYER),
    notification_kind(
        "feedback_waiting",
        "The other side gave feedback: yours is awaited",
        _E,
        STUDENT,
        EMPLOYER,
    ),
    notification_kind("feedback_reply", "A reply to your feedback", _E, STUDENT, EMPLOYER),
    position=30,
)

register(
    "Offers",
    notification_kind("offer_extended", "You received an offer", _E, STUDENT),
    notification_kind("offer_accepted", "An offer was accepted", _E, EMPLOYER),
    notification_kind("offer_declined", "An offer was declined", _E, EMPLOYER),
    notification_kind("offer_rescinded", "An offer was withdrawn", _E, STUDENT),
    notification_kind("offer_expiring", "An offer expires soon", _E, STUDENT, EMPLOYER),
    notification_kind("offer_expired", "An offer expired", _E, STUDENT, EMPLOYER),
    position=40,
)

register(
    "Your network",
    notification_kind(
        "connection_requested", "Someone asked to connect with you", _E, STUDENT, EMPLOYER
    ),
    notification_kind(
        "connection_accepted", "A connection request was accepted", _I, STUDENT, EMPLOYER
    ),
    notification_kind(
        "followed_project_posted",
        "An organization you follow posted a project",
        _D,
        STUDENT,
    ),
    notification_kind("project_invitation", "You were invited to a project", _E, STUDENT),
    notification_kind(
        "project_invitation_answered", "A student answered your invitation", _E, EMPLOYER
    ),
    position=45,
)

register(
    "Webhooks",
    notification_kind(
        "webhook_endpoint_disabled",
        "A webhook endpoint kept failing and was disabled",
        _E,
        EMPLOYER,
    ),
    position=48,
)

register(
    "Recommendations",
    notification_kind(
        "recommendation_requested", "A student asks you for a recommendation", _E, EMPLOYER
    ),
    notification_kind(
        "recommendation_reminder", "Reminder: a recommendation request expires soon", _E, EMPLOYER
    ),
    notification_kind(
        "recommendation_request_withdrawn",
        "A request for a recommendation was withdrawn",
        _I,
        EMPLOYER,
    ),
    notification_kind(
        "recommendation_request_expired",
        "A request for a recommendation expired unanswered",
        _E,
        STUDENT,
        EMPLOYER,
    ),
    notification_kind(
        "recommendation_written", "A recommendation was written for you", _E, STUDENT
    ),
    notification_kind(
        "recommendation_declined", "A request for a recommendation was declined", _E, STUDENT
    ),
    notification_kind("recommendation_revoked", "A recommendation was withdrawn", _E, STUDENT),
    position=42,
)
