"""Payout gets its own history (PayoutEvent), like the other stateful models. Existing
payouts get their rows: "" → due when the work was approved (by whoever approved it),
and due → paid for the ones marked paid, moved from the engagement events that used to
log them (from- and to-status equal, note "Fee of … marked paid")."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F

BATCH = 1000


def _paid_logs(apps, using):
    engagement_event = apps.get_model("matching", "EngagementEvent")
    return engagement_event.objects.using(using).filter(
        from_status=F("to_status"), note__startswith="Fee of ", note__contains=" marked paid"
    )


def _create(payout_event, rows, using):
    # created_at is auto_now_add: set the historical times after the insert.
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        events = payout_event.objects.using(using).bulk_create([event for event, _ in batch])
        for event, (_, at) in zip(events, batch, strict=True):
            event.created_at = at
        payout_event.objects.using(using).bulk_update(events, ["created_at"])


def payout_history_forward(apps, schema_editor):
    using = schema_editor.connection.alias
    payout = apps.get_model("matching", "Payout")
    payout_event = apps.get_model("matching", "PayoutEvent")
    engagement_event = apps.get_model("matching", "EngagementEvent")
    approved_by = dict(
        engagement_event.objects.using(using)
        .filter(to_status="completed")
        .exclude(from_status="completed")
        .values_list("engagement_id", "actor_id")
    )
    paid_logs = {event.engagement_id: event for event in _paid_logs(apps, using)}
    rows = []
    for p in payout.objects.using(using).order_by("pk").iterator():
        rows.append(
            (
                payout_event(
                    payout_id=p.pk,
                    from_status="",
                    to_status="due",
                    actor_id=approved_by.get(p.engagement_id),
                    note="Work approved",
                ),
                p.due_at,
            )
        )
        if p.status == "paid":
            log = paid_logs.get(p.engagement_id)
            rows.append(
                (
                    payout_event(
                        payout_id=p.pk,
                        from_status="due",
                        to_status="paid",
                        actor_id=log.actor_id if log else p.marked_paid_by_id,
                        note=log.note if log else "Marked paid",
                    ),
                    (log.created_at if log else p.paid_at) or p.due_at,
                )
            )
    _create(payout_event, rows, using)
    _paid_logs(apps, using).delete()


def payout_history_backward(apps, schema_editor):
    using = schema_editor.connection.alias
    payout_event = apps.get_model("matching", "PayoutEvent")
    engagement_event = apps.get_model("matching", "EngagementEvent")
    rows = [
        (
            engagement_event(
                engagement_id=event.payout.engagement_id,
                from_status="completed",
                to_status="completed",
                actor_id=event.actor_id,
                note=event.note,
            ),
            event.created_at,
        )
        for event in payout_event.objects.using(using)
        .filter(to_status="paid")
        .select_related("payout")
        .order_by("pk")
    ]
    _create(engagement_event, rows, using)


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0004_application_rank_score"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PayoutEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("from_status", models.CharField(max_length=32)),
                ("to_status", models.CharField(max_length=32)),
                ("note", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "payout",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="matching.payout",
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "pk"],
                "abstract": False,
            },
        ),
        migrations.RunPython(payout_history_forward, payout_history_backward),
    ]
