"""The notification kinds about project postings and finding projects. accounts keeps
the registry and delivers; ProjectsConfig.ready() imports this module to fill it."""

from accounts.notification_kinds import EMPLOYER, STUDENT, Delivery, notification_kind, register

register(
    "Your project postings",
    notification_kind(
        "project_deadline_approaching",
        "Your project's application deadline is near",
        Delivery.EMAIL,
        EMPLOYER,
    ),
    notification_kind(
        "project_auto_closed",
        "Your project closed at its deadline",
        Delivery.EMAIL,
        EMPLOYER,
        aliases=("project_deadline_closed",),
    ),
    notification_kind("project_approved", "Your project was approved", Delivery.EMAIL, EMPLOYER),
    notification_kind(
        "project_returned", "Your project was returned for changes", Delivery.EMAIL, EMPLOYER
    ),
    notification_kind(
        "project_filled", "All slots of a project are filled", Delivery.EMAIL, EMPLOYER
    ),
    notification_kind(
        "project_closed", "A project you applied to closed", Delivery.IN_APP, STUDENT, EMPLOYER
    ),
    notification_kind(
        "project_cancelled", "A project was cancelled", Delivery.EMAIL, STUDENT, EMPLOYER
    ),
    position=50,
)

register(
    "Finding projects",
    notification_kind(
        "saved_search_digest", "New projects match your saved searches", Delivery.EMAIL, STUDENT
    ),
    position=60,
)
