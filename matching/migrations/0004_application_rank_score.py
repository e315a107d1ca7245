"""Application.rank_score: the applicant ranking stored on the row, so the employer's
applicant list sorts and paginates in SQL. Existing rows are scored in batches with the
same code the services use (matching.services.ranking: it reads only columns that exist
from here on); the index replaces (project, status), which is its prefix."""

from django.db import migrations, models

from matching.services.ranking import BATCH_SIZE, rescore_rows


def backfill_rank_scores(apps, schema_editor):
    """Score every application, BATCH_SIZE at a time (a fixed number of queries per
    batch, no per-row query). Rows whose score is already right are not written, so
    running it again changes nothing."""
    application = apps.get_model("matching", "Application")
    using = schema_editor.connection.alias
    rows = application.objects.using(using).order_by("pk")
    last = 0
    while True:
        batch = list(
            rows.filter(pk__gt=last).values_list("pk", "project_id", "student_id", "rank_score")[
                :BATCH_SIZE
            ]
        )
        if not batch:
            return
        rescore_rows(batch, using=using)
        last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_notification_delivery_preferences"),
        ("matching", "0003_offer_constraints"),
        ("projects", "0004_discovery_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="rank_score",
            field=models.FloatField(
                default=0,
                help_text="How well the applicant fits the project: the 0–100 match score "
                "(skills and weekly hours) plus their track record (completed "
                "micro-internships, average supervisor rating). Computed by "
                "matching.services.ranking; never edited by hand.",
            ),
        ),
        # Fill before indexing: the updates do not have to maintain the new index.
        migrations.RunPython(backfill_rank_scores, migrations.RunPython.noop, elidable=True),
        migrations.RemoveIndex(model_name="application", name="application_project_status"),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                fields=["project", "status", "-rank_score", "created_at"],
                name="application_project_rank",
            ),
        ),
    ]
