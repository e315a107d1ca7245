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
from .offers import expire_overdue_offers, remind_expiring_offers

__all__ = [
    "complete_finished_projects",
    "expire_overdue_offers",
    "expire_stale_applications",
    "release_feedback_after_window",
    "remind_expiring_offers",
    "rescore_student_applications",
]
