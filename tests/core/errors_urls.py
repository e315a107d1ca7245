"""The site's URLs plus two views that fail, for tests/core/test_errors.py."""

from django.contrib.auth.decorators import login_not_required
from django.db import OperationalError
from django.urls import path

from marketplace.urls import handler500
from marketplace.urls import urlpatterns as site_urlpatterns


@login_not_required
def fails(request):
    raise RuntimeError("a bug")


@login_not_required
def database_gone(request):
    raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [
    path("test-errors/bug/", fails),
    path("test-errors/database/", database_gone),
    *site_urlpatterns,
]

__all__ = ["handler500", "urlpatterns"]
