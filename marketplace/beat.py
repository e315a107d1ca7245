"""Periodic tasks run by Celery beat. Each task is idempotent: running it twice in a row
does the work once."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict] = {
    "projects-close-expired": {
        "task": "projects.tasks.close_expired_projects",
        "schedule": crontab(minute="*/15"),
    },
    # Applications still undecided past the response promise expire with a notice.
    "matching-expire-stale-applications": {
        "task": "matching.tasks.expire_stale_applications",
        "schedule": crontab(minute=15),
    },
    # Feedback windows that closed release both sides; second reminders at 7 days.
    "matching-release-feedback": {
        "task": "matching.tasks_feedback.release_feedback_after_window",
        "schedule": crontab(minute=10),
    },
    # Closed projects whose engagements all ended become completed.
    "matching-complete-finished-projects": {
        "task": "matching.tasks.complete_finished_projects",
        "schedule": crontab(minute=25),
    },
    # Offers past their response deadline expire; students hear two days before.
    "matching-offers-expire": {
        "task": "matching.tasks_offers.expire_overdue_offers",
        "schedule": crontab(minute=5),
    },
    "matching-offers-remind": {
        "task": "matching.tasks_offers.remind_expiring_offers",
        "schedule": crontab(hour=14, minute=0),
    },
    # Webhook deliveries whose task never ran (broker down, worker lost).
    "matching-webhooks-requeue-unsent": {
        "task": "matching.tasks.webhooks.requeue_unsent_webhook_deliveries",
        "schedule": crontab(minute="*/5"),
    },
    # Unanswered recommendation requests expire with a notice; members hear a week before.
    "matching-recommendation-requests-expire": {
        "task": "matching.tasks_recommendations.expire_recommendation_requests",
        "schedule": crontab(minute=35),
    },
    "matching-recommendation-requests-remind": {
        "task": "matching.tasks_recommendations.remind_recommendation_requests",
        "schedule": crontab(hour=14, minute=10),
    },
    # Notifications: emails whose task never ran (broker down, worker lost).
    "notifications-requeue-unsent": {
        "task": "accounts.tasks.requeue_unsent_notifications",
        "schedule": crontab(minute="*/5"),
    },
    "notifications-daily-digests": {
        "task": "accounts.tasks.send_daily_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    # Nudges.
    "projects-deadline-reminders": {
        "task": "projects.tasks.remind_project_deadlines",
        "schedule": crontab(minute=5),
    },
    "projects-saved-search-digests": {
        "task": "projects.tasks.send_saved_search_digests",
        "schedule": crontab(hour=6, minute=30),
    },
    "engagements-inactivity-reminders": {
        "task": "marketplace.nudges.remind_inactive_engagements",
        "schedule": crontab(minute=20),
    },
    # Students' data archives: expired ones deleted, builds a lost worker dropped requeued.
    "marketplace-sweep-data-exports": {
        "task": "marketplace.tasks.sweep_data_exports",
        "schedule": crontab(minute="*/15"),
    },
    # Placement statistics for the dashboards, recomputed nightly (also on "Refresh now").
    "marketplace-compute-statistics": {
        "task": "marketplace.tasks.compute_statistics",
        "schedule": crontab(hour=2, minute=30),
    },
}
