"""Routes of the test identity provider: DOT under /o/, a sign-in page, the control API."""

from django.contrib.auth.views import LoginView
from django.urls import include, path

from . import views

urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path(
        "accounts/login/",
        LoginView.as_view(template_name="oidc_provider/login.html"),
        name="login",
    ),
    path("_control/health", views.health, name="control-health"),
    path("_control/client", views.register_client, name="control-client"),
    path("_control/users", views.upsert_user, name="control-users"),
    path("_control/mode", views.mode, name="control-mode"),
]
