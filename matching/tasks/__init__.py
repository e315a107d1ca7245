"""Background work of the matching app, one module per stage. Celery's autodiscovery
imports this package, so importing every module here registers every task.

Each task names itself (``name=``) with the name it had before these modules became a
package: the beat schedule and messages already queued refer to tasks by name, so moving
a function between modules must not rename its task.
"""

from .applications import (
    complete_finished_projects,
    expire_stale_applications,
    rescore_student_applications,
)
from .feedback import release_feedback_after_window
from .network import notify_followers_of_project
from .offers import expire_overdue_offers, remind_expiring_offers
from .recommendations import expire_recommendation_requests, remind_recommendation_requests
from .webhooks import requeue_unsent_webhook_deliveries, send_webhook_delivery

__all__ = [
    "complete_finished_projects",
    "expire_overdue_offers",
    "expire_recommendation_requests",
    "expire_stale_applications",
    "notify_followers_of_project",
    "release_feedback_after_window",
    "remind_expiring_offers",
    "remind_recommendation_requests",
    "requeue_unsent_webhook_deliveries",
    "rescore_student_applications",
    "send_webhook_delivery",
]
