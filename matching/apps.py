from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Matching"

    def ready(self) -> None:
        # accounts sits below matching and cannot import it: matching adds its own
        # sections (the response record, interns' ratings) to the organization's public page.
        from accounts.views.organizations import register_public_section

        from . import signals  # noqa: F401  (rescores applications on profile changes)
        from .selectors.feedback import organization_ratings_summary
        from .selectors.stats import organization_response_stats

        def response_section(organization, request):
            return {
                "template": "matching/_organization_response.html",
                "stats": organization_response_stats(organization=organization),
            }

        def ratings_section(organization, request):
            return {
                "template": "matching/_organization_ratings.html",
                "ratings": organization_ratings_summary(organization=organization),
            }

        register_public_section(response_section)
        register_public_section(ratings_section)
