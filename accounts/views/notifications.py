from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from ..selectors.notifications import (
    notification_get_for,
    notification_list_for,
    notification_unread_count,
)
from ..services.notifications import notification_mark_all_read, notification_mark_read


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(notification_list_for(user=request.user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/notification_list.html",
        {"page_obj": page, "page_range": page.paginator.get_elided_page_range(page.number)},
    )


@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one item read and go where it points."""
    notification = notification_get_for(user=request.user, pk=pk)
    notification_mark_read(notification=notification)
    target = notification.link or "accounts:notifications"
    if request.htmx:
        return HttpResponseClientRedirect(notification.link or request.path)
    return redirect(target)


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = notification_mark_all_read(user=request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return redirect("accounts:notifications")


@require_GET
def notification_badge(request: HttpRequest) -> HttpResponse:
    """The unread badge alone, for htmx polling in the navigation."""
    return render(
        request,
        "base.html#notification-badge",
        {"unread_notifications": notification_unread_count(user=request.user)},
    )
