from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and organizations"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects allauth's email_confirmed)
        from .models import Skill, SkillCategory
        from .selectors.skills import skill_taxonomy_changed

        # The taxonomy is cached per process (accounts.selectors.skills); skills are
        # edited in the admin and by data migrations, so model signals see every change.
        for model in (Skill, SkillCategory):
            for signal in (post_save, post_delete):
                signal.connect(
                    skill_taxonomy_changed,
                    sender=model,
                    dispatch_uid=f"skill-taxonomy-{model.__name__}-{signal is post_save}",
                )
