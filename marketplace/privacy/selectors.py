"""Reads for the privacy pages, scoped to the asking user: another person's archive is
a 404, whatever its token."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from matching.models import Engagement, Payout

from ..models import DataExport


def data_export_list_for(*, user: User) -> list[DataExport]:
    """The user's archives still worth listing: being prepared, failed, or ready and not
    yet expired (an expired one waits for the purge but is no longer offered)."""
    now = timezone.now()
    return list(
        DataExport.objects.filter(user=user)
        .filter(~Q(status=DataExport.Status.READY) | Q(expires_at__gt=now))
        .order_by("-created_at", "-pk")
    )


def data_export_get_for_download(*, user: User, token: str) -> DataExport:
    """The user's own archive named by ``token``, ready and unexpired; else 404."""
    export = (
        DataExport.objects.filter(
            user_id=user.pk,
            token=token,
            status=DataExport.Status.READY,
            expires_at__gt=timezone.now(),
        )
        .exclude(file="")
        .first()
    )
    if export is None:
        raise Http404("No such archive, or its link has expired.")
    return export


def engagements_in_progress_for(*, user: User) -> QuerySet[Engagement]:
    """The student's engagements that are not finished: while one exists the account
    cannot be deleted (see ``erasure.student_account_delete``)."""
    return (
        Engagement.objects.filter(student=user)
        .exclude(status__in=Engagement.FINAL)
        .select_related("project__organization")
        .order_by("due_date", "pk")
    )


def payouts_due_for(*, user: User) -> QuerySet[Payout]:
    """Fees still owed to the student (the ledger keeps them after a deletion, but the
    student will no longer hear when they are marked paid)."""
    return (
        Payout.objects.filter(engagement__student=user, status=Payout.Status.DUE)
        .select_related("engagement__project__organization")
        .order_by("due_at", "pk")
    )
