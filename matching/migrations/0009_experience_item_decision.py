# A new experience item waits for its student's decision before anyone else sees it.
#
# Existing items: an item the student has demonstrably looked at and acted on keeps
# exactly today's visibility (it becomes ``decided`` with ``is_visible`` unchanged).
# The evidence is any of: a visibility choice away from the defaults (hidden, ratings
# hidden or the quote shown), a bullet the student edited or approved, a revoked
# credential, or a share link the student created after the item existed (the record
# page that creates it lists every item). An item with none of these may never have
# been seen by its student, so it becomes ``pending``: hidden from others until the
# student decides, which is the point of the change. Reversing drops the field, which
# makes every item visible by ``is_visible`` again, as before.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


SEEN_NOTE = "Decided before the decision step existed: kept as the student had it"


def decide_items_the_student_saw(apps, schema_editor):
    ExperienceItem = apps.get_model("matching", "ExperienceItem")
    ExperienceItemEvent = apps.get_model("matching", "ExperienceItemEvent")
    ResumeBullet = apps.get_model("matching", "ResumeBullet")
    RecordShare = apps.get_model("matching", "RecordShare")
    touched_bullets = ResumeBullet.objects.filter(item=models.OuterRef("pk")).filter(
        ~models.Q(text="") | models.Q(approved_at__isnull=False)
    )
    later_share = RecordShare.objects.filter(
        student=models.OuterRef("student"), created_at__gte=models.OuterRef("created_at")
    )
    seen = ExperienceItem.objects.filter(
        models.Q(is_visible=False)
        | models.Q(show_ratings=False)
        | models.Q(show_quote=True)
        | models.Q(credential_revoked_at__isnull=False)
        | models.Exists(touched_bullets)
        | models.Exists(later_share)
    )
    seen_ids = list(seen.values_list("pk", flat=True))
    ExperienceItem.objects.filter(pk__in=seen_ids).update(status="decided")
    ExperienceItemEvent.objects.bulk_create(
        ExperienceItemEvent(item_id=pk, from_status="pending", to_status="decided", note=SEEN_NOTE)
        for pk in seen_ids
    )


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0008_webhooks"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="experienceitem",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "New: awaiting the student's decision"),
                    ("decided", "Decided by the student"),
                ],
                default="pending",
                max_length=16,
            ),
        ),
        migrations.CreateModel(
            name="ExperienceItemEvent",
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
                    "item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="matching.experienceitem",
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "pk"],
                "abstract": False,
            },
        ),
        migrations.RunPython(decide_items_the_student_saw, migrations.RunPython.noop),
    ]
