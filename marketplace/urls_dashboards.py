"""Dashboards. Included from marketplace/urls.py under "insights/"."""

from django.urls import path

from . import views_access_log
from . import views_dashboards as views

app_name = "dashboards"

urlpatterns = [
    path("career/", views.career_dashboard, name="career"),
    path("career/export.csv", views.career_export, name="career-export"),
    path("career/report.pdf", views.career_report, name="career-report"),
    path(
        "career/access-log.csv",
        views_access_log.access_log_export,
        name="career-access-log",
    ),
    path("methodology/", views.methodology, name="methodology"),
    path("employer/", views.employer_dashboard, name="employer"),
    path("employer/export.csv", views.employer_export, name="employer-export"),
    path("site/", views.site_summary, name="site"),
    path("refresh/", views.stats_refresh, name="refresh"),
    path("runs/<int:pk>/status/", views.stats_run_status, name="run-status"),
]
