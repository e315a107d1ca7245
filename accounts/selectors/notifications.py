from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404

from ..models import Notification, User


def notification_list_for(*, user: User) -> QuerySet[Notification]:
    """The user's inbox: unread first, then newest first."""
    return Notification.objects.filter(recipient=user).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-pk"
    )


def notification_get_for(*, user: User, pk: int) -> Notification:
    return get_object_or_404(Notification, pk=pk, recipient=user)


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
