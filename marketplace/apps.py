from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = "Marketplace"

    def ready(self) -> None:
        # notification_kinds registers the kinds this layer sends.
        from . import notification_kinds, signals  # noqa: F401

        signals.connect()
