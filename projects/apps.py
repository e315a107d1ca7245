from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self) -> None:
        # accounts sits below projects and cannot import it: projects adds the
        # organization's open projects to the organization's public page.
        from accounts.views.organizations import register_public_section

        from .selectors.organizations import project_list_open_for_organization

        def open_projects_section(organization, request):
            return {
                "template": "projects/_organization_projects.html",
                "projects": project_list_open_for_organization(organization=organization),
                "organization": organization,
            }

        register_public_section(open_projects_section)
