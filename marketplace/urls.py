from django.contrib import admin
from django.urls import include, path

from matching.views import employer_projects, organization_page, project_page

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("floor/", views.floor, name="floor"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # Pages that show several layers' data are composed in the highest of them (matching)
    # and named at the site level, so lower layers can link to them.
    path(
        "me/organizations/<slug:slug>/",
        organization_page.organization_public,
        name="organization-public",
    ),
    path("projects/mine/", employer_projects.employer_project_list, name="employer-projects"),
    path("projects/<int:pk>/manage/", employer_projects.project_manage, name="project-manage"),
    path("me/", include("accounts.urls")),
    # Before the projects include, which keeps the rest of /projects/.
    path("projects/<int:pk>/", project_page.project_detail, name="project-detail"),
    path("projects/", include("projects.urls")),
    path("work/", include("matching.urls")),
    path("insights/", include("marketplace.urls_dashboards")),
]
