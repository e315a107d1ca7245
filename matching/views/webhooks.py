"""Webhooks in the organization's settings: its owners register endpoints, read the
delivery log and send a delivery again. Owners only (anyone else gets 403); another
organization's endpoint or delivery is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import organization_owner_required
from core.web import paginate, run_service

from ..forms.webhooks import WebhookEndpointForm
from ..selectors.webhooks import (
    webhook_delivery_get_for,
    webhook_delivery_list,
    webhook_endpoint_get_for,
    webhook_endpoint_list_for,
)
from ..services import webhooks as services

LOG_PAGE_SIZE = 25


@organization_owner_required
@require_GET
def webhook_list(request: HttpRequest) -> HttpResponse:
    context = {
        "organization": request.user.membership.organization,
        "endpoints": webhook_endpoint_list_for(user=request.user),
    }
    return render(request, "matching/webhook_list.html", context)


@organization_owner_required
@require_http_methods(["GET", "POST"])
def webhook_create(request: HttpRequest) -> HttpResponse:
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = run_service(
            request,
            services.webhook_endpoint_create,
            form=form,
            organization=request.user.membership.organization,
            actor=request.user,
            **form.cleaned_data,
        )
        if outcome.ok:
            messages.success(
                request, "Endpoint added. Use its signing secret to verify deliveries."
            )
            return redirect("organization-webhook-detail", outcome.result.pk)
    return render(request, "matching/webhook_form.html", {"form": form, "endpoint": None})


@organization_owner_required
@require_GET
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = webhook_endpoint_get_for(user=request.user, pk=pk)
    context = {
        "endpoint": endpoint,
        **paginate(request, webhook_delivery_list(endpoint=endpoint), per_page=LOG_PAGE_SIZE),
    }
    if request.htmx:
        return render(request, "matching/webhook_detail.html#delivery-log", context)
    return render(request, "matching/webhook_detail.html", context)


@organization_owner_required
@require_http_methods(["GET", "POST"])
def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = webhook_endpoint_get_for(user=request.user, pk=pk)
    initial = {"url": endpoint.url, "events": endpoint.events, "description": endpoint.description}
    form = WebhookEndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        outcome = run_service(
            request,
            services.webhook_endpoint_update,
            form=form,
            endpoint=endpoint,
            actor=request.user,
            **form.cleaned_data,
        )
        if outcome.ok:
            messages.success(request, "Endpoint saved.")
            return redirect("organization-webhook-detail", endpoint.pk)
    return render(request, "matching/webhook_form.html", {"form": form, "endpoint": endpoint})


@organization_owner_required
@require_http_methods(["GET", "POST"])
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = webhook_endpoint_get_for(user=request.user, pk=pk)
    if request.method == "POST":
        outcome = run_service(
            request, services.webhook_endpoint_delete, endpoint=endpoint, actor=request.user
        )
        if outcome.ok:
            messages.success(request, f"Endpoint {endpoint.url} deleted.")
            return redirect("organization-webhooks")
    return render(request, "matching/webhook_confirm_delete.html", {"endpoint": endpoint})


@organization_owner_required
@require_POST
def webhook_rotate_secret(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = webhook_endpoint_get_for(user=request.user, pk=pk)
    outcome = run_service(
        request, services.webhook_endpoint_rotate_secret, endpoint=endpoint, actor=request.user
    )
    if outcome.ok:
        messages.success(request, "New signing secret made. Deliveries are signed with it now.")
    return redirect("organization-webhook-detail", endpoint.pk)


@organization_owner_required
@require_POST
def webhook_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = webhook_endpoint_get_for(user=request.user, pk=pk)
    active = request.POST.get("active") == "1"
    outcome = run_service(
        request,
        services.webhook_endpoint_set_active,
        endpoint=endpoint,
        actor=request.user,
        active=active,
    )
    if outcome.ok:
        messages.success(request, "Endpoint enabled." if active else "Endpoint disabled.")
    return redirect("organization-webhook-detail", endpoint.pk)


@organization_owner_required
@require_POST
def webhook_delivery_resend(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = webhook_delivery_get_for(user=request.user, pk=pk)
    outcome = run_service(
        request, services.webhook_delivery_resend, delivery=delivery, actor=request.user
    )
    if outcome.ok:
        messages.success(request, f"Sending {delivery.get_event_display().lower()} again.")
    return redirect("organization-webhook-detail", delivery.endpoint_id)
