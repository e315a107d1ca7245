from django.contrib import admin
from django.urls import include, path

from accounts.views.sign_on import university_sign_in
from core.observability.metrics import metrics
from matching.views import employer_projects, exports, organization_page, project_page

from . import views, views_privacy
from .api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    # Prometheus, with the METRICS_TOKEN bearer token (core/observability/metrics.py).
    path("metrics", metrics, name="metrics"),
    path("floor/", views.floor, name="floor"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("admin/", admin.site.urls),
    path("accounts/university/", university_sign_in, name="university-sign-in"),
    path("accounts/", include("allauth.urls")),
    # The public REST API (marketplace.api): token-authenticated, documented at /api/v1/docs.
    path("api/v1/", api.urls),
    # Pages that show several layers' data are composed in the highest of them (matching)
    # and named at the site level, so lower layers can link to them.
    path(
        "me/organizations/<slug:slug>/",
        organization_page.organization_public,
        name="organization-public",
    ),
    path(
        "me/organizations/<slug:slug>/export/<slug:kind>.csv",
        exports.organization_export,
        name="organization-export",
    ),
    path("me/organization/webhooks/", include("matching.urls_webhooks")),
    path("projects/mine/", employer_projects.employer_project_list, name="employer-projects"),
    path("projects/<int:pk>/manage/", employer_projects.project_manage, name="project-manage"),
    # A student's own data: the archive and deleting the account (views_privacy).
    path("me/data/", views_privacy.data_page, name="privacy-data"),
    path("me/data/prepare/", views_privacy.data_prepare, name="privacy-data-prepare"),
    path(
        "me/data/download/<str:token>/",
        views_privacy.data_download,
        name="privacy-data-download",
    ),
    path("me/delete/", views_privacy.account_delete, name="account-delete"),
    path("", include("accounts.urls")),  # /me/… and the public /skills/search/
    # Before the projects include, which keeps the rest of /projects/.
    path("projects/<int:pk>/", project_page.project_detail, name="project-detail"),
    path("projects/", include("projects.urls")),
    path("work/", include("matching.urls")),
    path("insights/", include("marketplace.urls_dashboards")),
]

# A database that cannot be reached answers "briefly unavailable" (503), not a bare 500.
handler500 = "core.errors.server_error"
