from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0004_data_export"),
    ]

    operations = [
        migrations.AddField(
            model_name="placementfact",
            name="engagements_recommended",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
