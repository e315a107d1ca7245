from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Demo data and the benchmark: development tooling that no product code imports."""

    name = "devtools"
    verbose_name = "Development tooling"
