from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Matching"

    def ready(self) -> None:
        # Imported for their effects: registering the kinds matching sends, and
        # rescoring applications on profile changes.
        from . import notification_kinds, signals  # noqa: F401
