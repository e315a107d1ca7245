from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Shared kernel"

    def ready(self) -> None:
        from .sites import site_sync

        # Sent for the sites app, after its own handler has created the default
        # "example.com" record (core comes later in INSTALLED_APPS; core has no models,
        # so no post_migrate is sent for core itself).
        if apps.is_installed("django.contrib.sites"):
            post_migrate.connect(
                site_sync, sender=apps.get_app_config("sites"), dispatch_uid="core.site_sync"
            )
