# Recommendations: written by hand so that it holds only these models (the network
# models of the same app come in 0007).

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_notification_delivery_preferences"),
        ("matching", "0005_payout_events"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Recommendation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "relationship",
                    models.CharField(max_length=300, verbose_name="How you know the student"),
                ),
                ("known_for", models.CharField(max_length=80, verbose_name="For how long")),
                ("work_done", models.TextField(max_length=2000, verbose_name="The work they did")),
                (
                    "results",
                    models.TextField(max_length=2000, verbose_name="Its measurable results"),
                ),
                ("strengths", models.JSONField(default=list)),
                (
                    "would_work_again",
                    models.BooleanField(verbose_name="Would work with the student again"),
                ),
                ("letter", models.TextField(max_length=6000)),
                ("waived", models.BooleanField()),
                ("show_on_record", models.BooleanField(default=False)),
                (
                    "status",
                    models.CharField(
                        choices=[("issued", "Current"), ("revoked", "Revoked by its author")],
                        default="issued",
                        max_length=16,
                    ),
                ),
                (
                    "verification_id",
                    models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
                ),
                ("signature", models.CharField(max_length=64)),
                ("issued_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                ("revoke_reason", models.TextField(blank=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="recommendations_written",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "engagement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="recommendations",
                        to="matching.engagement",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="recommendations",
                        to="accounts.organization",
                    ),
                ),
                (
                    "student",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recommendations",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-issued_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="RecommendationAttachment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("attached_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recommendation_attachments",
                        to="matching.application",
                    ),
                ),
                (
                    "recommendation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to="matching.recommendation",
                    ),
                ),
            ],
            options={
                "ordering": ["attached_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="RecommendationEvent",
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
                    "recommendation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="matching.recommendation",
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "pk"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="RecommendationRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("note", models.TextField(blank=True, max_length=1000)),
                (
                    "waived",
                    models.BooleanField(
                        help_text="The student waived their right to read the recommendation."
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Awaiting an answer"),
                            ("written", "Written"),
                            ("declined", "Declined"),
                            ("withdrawn", "Withdrawn"),
                            ("expired", "Expired unanswered"),
                        ],
                        default="pending",
                        max_length=16,
                    ),
                ),
                ("expires_at", models.DateTimeField()),
                ("decline_message", models.TextField(blank=True)),
                ("answered_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "engagement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recommendation_requests",
                        to="matching.engagement",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recommendation_requests",
                        to="accounts.organization",
                    ),
                ),
                (
                    "recommender",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recommendation_requests_received",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "student",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recommendation_requests",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.AddField(
            model_name="recommendation",
            name="request",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="recommendation",
                to="matching.recommendationrequest",
            ),
        ),
        migrations.CreateModel(
            name="RecommendationRequestEvent",
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
                    "request",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="matching.recommendationrequest",
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "pk"],
                "abstract": False,
            },
        ),
        migrations.AddConstraint(
            model_name="recommendationattachment",
            constraint=models.UniqueConstraint(
                fields=("recommendation", "application"), name="one_attachment_per_application"
            ),
        ),
        migrations.AddIndex(
            model_name="recommendationrequest",
            index=models.Index(
                fields=["recommender", "status"], name="recrequest_recommender_status"
            ),
        ),
        migrations.AddIndex(
            model_name="recommendationrequest",
            index=models.Index(fields=["student", "-created_at"], name="recrequest_student_newest"),
        ),
        migrations.AddIndex(
            model_name="recommendationrequest",
            index=models.Index(fields=["status", "expires_at"], name="recrequest_status_expires"),
        ),
        migrations.AddConstraint(
            model_name="recommendationrequest",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["pending", "written", "declined"])),
                fields=("engagement", "recommender"),
                name="one_live_recommendation_request",
            ),
        ),
        migrations.AddIndex(
            model_name="recommendation",
            index=models.Index(fields=["student", "status"], name="recommendation_student_status"),
        ),
        migrations.AddIndex(
            model_name="recommendation",
            index=models.Index(
                fields=["author", "-issued_at"], name="recommendation_author_newest"
            ),
        ),
        migrations.AddIndex(
            model_name="recommendation",
            index=models.Index(fields=["engagement", "status"], name="recommendation_engagement"),
        ),
        migrations.AddConstraint(
            model_name="recommendation",
            constraint=models.CheckConstraint(
                condition=models.Q(("show_on_record", True), ("waived", True), _negated=True),
                name="recommendation_waived_not_public",
            ),
        ),
    ]
