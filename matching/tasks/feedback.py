"""Background work for two-sided feedback.

``release_feedback_after_window`` runs from beat: it releases the feedback of every
engagement whose window (FEEDBACK_WINDOW_DAYS after completion) has closed, and sends
the second "feedback due" reminder SECOND_REMINDER_DAYS after completion to whichever
side has not given theirs. Each engagement is handled in its own short transaction and
re-checked under its row lock; notifications carry dedupe keys, so running the task
twice releases and notifies once.
"""

from __future__ import annotations

import logging

from celery import shared_task

from ..services.feedback import (
    feedback_release_after_window,
    feedback_release_due_ids,
    feedback_remind,
    feedback_reminder_due_ids,
)

logger = logging.getLogger(__name__)


@shared_task(name="matching.tasks_feedback.release_feedback_after_window")
def release_feedback_after_window() -> dict[str, int]:
    released = 0
    for engagement_id in feedback_release_due_ids():
        if feedback_release_after_window(engagement_id=engagement_id):
            released += 1
    reminded = 0
    for engagement_id in feedback_reminder_due_ids():
        feedback_remind(engagement_id=engagement_id)
        reminded += 1
    if released:
        logger.info("released feedback of %s engagement(s) after the window", released)
    return {"released": released, "reminded": reminded}
