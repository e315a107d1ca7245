from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("floor/", views.floor, name="floor"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("me/", include("accounts.urls")),
    path("projects/", include("projects.urls")),
    path("work/", include("matching.urls")),
    path("insights/", include("marketplace.urls_dashboards")),
]
