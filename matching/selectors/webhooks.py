"""Reads for the webhook pages. Only owners of the organization reach its endpoints and
their deliveries; anything of another organization is a 404 here."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Membership, User

from ..models import WebhookDelivery, WebhookEndpoint


def _owned(user: User) -> Q:
    return Q(
        organization__memberships__user=user,
        organization__memberships__role=Membership.Role.OWNER,
    )


def webhook_endpoint_list_for(*, user: User) -> QuerySet[WebhookEndpoint]:
    """The endpoints of the organization ``user`` owns, with how many deliveries are
    pending and failed."""
    return (
        WebhookEndpoint.objects.filter(_owned(user))
        .annotate(
            n_pending=Count("deliveries", filter=Q(deliveries__status="pending")),
            n_failed=Count("deliveries", filter=Q(deliveries__status="failed")),
        )
        .order_by("created_at", "pk")
    )


def webhook_endpoint_get_for(*, user: User, pk: int) -> WebhookEndpoint:
    return get_object_or_404(WebhookEndpoint.objects.filter(_owned(user)), pk=pk)


def webhook_delivery_list(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's delivery log, newest first; the bodies stay in the database."""
    return endpoint.deliveries.defer("body").order_by("-created_at", "-pk")


def webhook_delivery_get_for(*, user: User, pk: int) -> WebhookDelivery:
    return get_object_or_404(
        WebhookDelivery.objects.select_related("endpoint").filter(
            endpoint__organization__memberships__user=user,
            endpoint__organization__memberships__role=Membership.Role.OWNER,
        ),
        pk=pk,
    )
