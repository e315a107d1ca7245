"""Pages the kernel answers for every app. (The 500 and 503 pages are core.errors.)"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form came without a valid token, most often because its page
    was opened long ago or in another session. The page says so in plain words (Django
    logs the technical reason on django.security.csrf) and, rendered with the request,
    hands out a fresh token for the next try."""
    context = {"cookies_missing": reason == REASON_NO_CSRF_COOKIE}
    return render(request, "errors/csrf.html", context, status=403)
