from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and organizations"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects allauth's email_confirmed)
