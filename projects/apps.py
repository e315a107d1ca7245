from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self) -> None:
        from . import notification_kinds  # noqa: F401  (registers the kinds projects sends)
        from .catalogue import connect_catalogue_signals

        connect_catalogue_signals()
