"""Seed the skill taxonomy so every database has it. Idempotent: get_or_create by slug,
so running it on a database that already has some of these skills changes nothing.

The data comes from accounts/skill_taxonomy.py, a plain data module with no imports
from the app, so importing it here does not depend on the current models.
"""

from django.db import migrations
from django.utils.text import slugify

from accounts.skill_taxonomy import SKILL_TAXONOMY


def seed_skills(apps, schema_editor):
    SkillCategory = apps.get_model("accounts", "SkillCategory")
    Skill = apps.get_model("accounts", "Skill")
    for category_name, category_slug, skill_names in SKILL_TAXONOMY:
        category, _ = SkillCategory.objects.get_or_create(
            slug=category_slug, defaults={"name": category_name}
        )
        for name in skill_names:
            Skill.objects.get_or_create(
                slug=slugify(name), defaults={"name": name, "category": category}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    # Reversing keeps the skills: students and projects may already point at them.
    operations = [migrations.RunPython(seed_skills, migrations.RunPython.noop)]
