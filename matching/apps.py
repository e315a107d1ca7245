from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Matching"

    def ready(self) -> None:
        # accounts sits below matching and cannot import it: matching adds its own
        # section (the response record) to the organization's public page.
        from accounts.views.organizations import register_public_section

        from .selectors.stats import organization_response_stats

        def response_section(organization, request):
            return {
                "template": "matching/_organization_response.html",
                "stats": organization_response_stats(organization=organization),
            }

        register_public_section(response_section)
