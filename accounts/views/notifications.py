"""The inbox, the unread badge, notification preferences and one-click unsubscribe.

Views that mark items read send the ``notifications-changed`` htmx event, which the
badge in the navigation listens for, so the count is current without waiting for the
30-second poll."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.signing import BadSignature
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from core.web import paginate

from ..forms.notifications import NotificationPreferencesForm
from ..notification_kinds import DIGEST_UNSUBSCRIBE, kind_get
from ..selectors.notifications import (
    notification_get_for,
    notification_list_for,
    notification_preferences_for,
    notification_unread_count,
)
from ..services.notifications import (
    notification_mark_all_read,
    notification_mark_read,
    notification_preferences_update,
    notification_unsubscribe,
    unsubscribe_token_read,
)

CHANGED_EVENT = "notifications-changed"
PER_PAGE = 25


def _inbox_context(request: HttpRequest) -> dict:
    return paginate(request, notification_list_for(user=request.user), per_page=PER_PAGE)


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/notification_list.html", _inbox_context(request))


@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one item read and go where it points."""
    notification = notification_get_for(user=request.user, pk=pk)
    notification_mark_read(notification=notification)
    if request.htmx:
        response = HttpResponseClientRedirect(notification.link or request.path)
        return trigger_client_event(response, CHANGED_EVENT)
    return redirect(notification.link or "accounts:notifications")


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = notification_mark_all_read(user=request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    if request.htmx:
        response = render(request, "accounts/notification_list.html#inbox", _inbox_context(request))
        return trigger_client_event(response, CHANGED_EVENT)
    return redirect("accounts:notifications")


@require_GET
def notification_badge(request: HttpRequest) -> HttpResponse:
    """The unread badge alone, for htmx polling in the navigation."""
    return render(
        request,
        "base.html#notification-badge",
        # Counted afresh: the poll also repairs a cached count that went stale.
        {"unread_notifications": notification_unread_count(user=request.user, fresh=True)},
    )


@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    preferences = notification_preferences_for(user=request.user)
    form = NotificationPreferencesForm(
        request.POST if request.method == "POST" else None, preferences=preferences
    )
    if request.method == "POST" and form.is_valid():
        notification_preferences_update(user=request.user, deliveries=form.deliveries())
        messages.success(request, "Your notification preferences are saved.")
        return redirect("accounts:notification-preferences")
    return render(request, "accounts/notification_preferences.html", {"form": form})


def _mask(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


@login_not_required
@csrf_exempt  # the signed token is the credential; RFC 8058 one-click POSTs carry no CSRF
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a confirmation page with one button. POST (that button, or a mail client's
    RFC 8058 one-click request): the kind goes to in-app only. A bad token: 400."""
    try:
        user, kind = unsubscribe_token_read(token)
    except BadSignature:
        return render(request, "accounts/notification_unsubscribe_invalid.html", status=400)
    context = {
        "token": token,
        "is_digest": kind == DIGEST_UNSUBSCRIBE,
        "kind": None if kind == DIGEST_UNSUBSCRIBE else kind_get(kind),
        "masked_email": _mask(user.email),
    }
    if request.method == "POST":
        notification_unsubscribe(user=user, kind=kind)
        return render(request, "accounts/notification_unsubscribe_done.html", context)
    return render(request, "accounts/notification_unsubscribe.html", context)
