"""The payout's own state machine: its transition table pair by pair (each payout put in
its starting status by the real services), its history rows, the admin's "Mark paid"
and the migration that moved the old payout rows out of the engagement history."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse

from core.exceptions import DomainError, InvalidTransition
from core.statemachine import transition, transition_table_pairs
from matching.models import Engagement, EngagementEvent, Payout, PayoutEvent
from matching.services.engagements import payout_mark_paid
from tests.matching.engagement_helpers import engagement_in_status

S = Payout.Status

# Written out independently of the model so a change to TRANSITIONS must be deliberate.
LEGAL = {(S.DUE, S.PAID)}
PAIRS = list(transition_table_pairs(Payout))

pytestmark = pytest.mark.django_db


def payout_in_status(status: str, *, supervisor, employer) -> Payout:
    """A payout reached through the services: approving the work makes it due, the
    owner's "mark paid" makes it paid."""
    engagement = engagement_in_status(Engagement.Status.COMPLETED, supervisor=supervisor)
    payout = engagement.payout
    if status == S.PAID:
        payout_mark_paid(payout=payout, actor=employer, reference="TR-1")
    payout.refresh_from_db()
    assert payout.status == status
    return payout


def test_the_pairs_cover_every_ordered_pair_of_statuses():
    n = len(S.choices)
    assert len(PAIRS) == n * (n - 1)


@pytest.mark.parametrize(("from_status", "to_status", "legal"), PAIRS)
def test_can_transition_matches_the_lifecycle(from_status, to_status, legal):
    assert legal == ((from_status, to_status) in LEGAL)
    assert Payout.can_transition(from_status, to_status) is legal


@pytest.mark.parametrize(("from_status", "to_status", "legal"), PAIRS)
def test_transition_on_a_payout_moves_or_refuses(
    from_status, to_status, legal, supervisor, employer
):
    payout = payout_in_status(from_status, supervisor=supervisor, employer=employer)
    events_before = payout.events.count()
    with transaction.atomic():
        if legal:
            transition(payout, to_status=to_status, actor=employer, note="test")
        else:
            with pytest.raises(InvalidTransition):
                transition(payout, to_status=to_status, actor=employer, note="test")
    payout.refresh_from_db()
    if legal:
        assert payout.status == to_status
        last = payout.events.latest("pk")
        assert (last.from_status, last.to_status, last.actor) == (from_status, to_status, employer)
        assert payout.events.count() == events_before + 1
    else:
        assert payout.status == from_status
        assert payout.events.count() == events_before


def test_paid_has_no_way_out():
    assert Payout(status=S.PAID).available_statuses() == frozenset()
    assert Payout(status=S.DUE).available_statuses() == {S.PAID}


# ------------------------------------------------------------------------------
# The history the services write
# ------------------------------------------------------------------------------
def test_approving_the_work_opens_the_payout_history(supervisor, employer):
    payout = payout_in_status(S.DUE, supervisor=supervisor, employer=employer)
    (event,) = payout.events.all()
    assert (event.from_status, event.to_status, event.actor) == ("", S.DUE, supervisor)


def test_marking_paid_is_a_payout_event_not_an_engagement_event(supervisor, employer):
    payout = payout_in_status(S.DUE, supervisor=supervisor, employer=employer)
    engagement_events = EngagementEvent.objects.filter(engagement=payout.engagement).count()
    payout_mark_paid(payout=payout, actor=employer, reference="TR-9")
    last = payout.events.latest("pk")
    assert (last.from_status, last.to_status, last.actor) == (S.DUE, S.PAID, employer)
    assert last.note == f"Fee of {payout.amount} {payout.currency} marked paid (reference TR-9)"
    assert EngagementEvent.objects.filter(engagement=payout.engagement).count() == (
        engagement_events
    )


def test_a_refused_second_marking_writes_no_history(supervisor, employer):
    payout = payout_in_status(S.PAID, supervisor=supervisor, employer=employer)
    before = payout.events.count()
    with pytest.raises(DomainError, match="already marked paid"):
        payout_mark_paid(payout=payout, actor=employer, reference="TR-2")
    assert payout.events.count() == before


# ------------------------------------------------------------------------------
# Admin: status changes go through the service
# ------------------------------------------------------------------------------
def test_admin_mark_paid_action_uses_the_service(client, staff_user, supervisor, employer):
    due = payout_in_status(S.DUE, supervisor=supervisor, employer=employer)
    paid = payout_in_status(S.PAID, supervisor=supervisor, employer=employer)
    paid_events = paid.events.count()
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:matching_payout_changelist"),
        {"action": "mark_paid", "_selected_action": [due.pk, paid.pk]},
        follow=True,
    )
    assert "Marked 1 payout(s) paid." in response.content.decode()
    due.refresh_from_db()
    assert (due.status, due.marked_paid_by) == (S.PAID, staff_user)
    assert due.events.latest("pk").actor == staff_user
    assert paid.events.count() == paid_events


def test_admin_cannot_edit_the_status(client, staff_user, supervisor, employer):
    payout = payout_in_status(S.DUE, supervisor=supervisor, employer=employer)
    client.force_login(staff_user)
    url = reverse("admin:matching_payout_change", args=[payout.pk])
    client.post(url, {"status": S.PAID, "reference": "hand-edited"})
    payout.refresh_from_db()
    assert (payout.status, payout.reference) == (S.DUE, "")


# ------------------------------------------------------------------------------
# The data migration
# ------------------------------------------------------------------------------
def test_migration_moves_the_old_paid_rows_into_the_payout_history(supervisor, employer):
    migration = importlib.import_module("matching.migrations.0005_payout_events")
    due = payout_in_status(S.DUE, supervisor=supervisor, employer=employer)
    paid = payout_in_status(S.PAID, supervisor=supervisor, employer=employer)
    # The history as it was before this migration: no payout rows, and the marking
    # logged on the engagement with equal from- and to-status.
    paid_event = paid.events.get(to_status=S.PAID)
    PayoutEvent.objects.all().delete()
    legacy = EngagementEvent.objects.create(
        engagement=paid.engagement,
        from_status=Engagement.Status.COMPLETED,
        to_status=Engagement.Status.COMPLETED,
        actor=employer,
        note=paid_event.note,
    )
    migration.payout_history_forward(apps, SimpleNamespace(connection=connection))
    assert not EngagementEvent.objects.filter(pk=legacy.pk).exists()
    assert not EngagementEvent.objects.filter(from_status=F("to_status")).exists()
    assert list(due.events.values_list("from_status", "to_status", "actor")) == [
        ("", S.DUE, supervisor.pk)
    ]
    assert list(paid.events.values_list("from_status", "to_status", "actor", "note")) == [
        ("", S.DUE, supervisor.pk, "Work approved"),
        (S.DUE, S.PAID, employer.pk, paid_event.note),
    ]
    assert paid.events.get(to_status=S.PAID).created_at == legacy.created_at
    assert due.events.get().created_at == due.due_at


def test_the_workspace_timeline_shows_the_payment(client, supervisor, employer):
    payout = payout_in_status(S.PAID, supervisor=supervisor, employer=employer)
    client.force_login(payout.engagement.student)
    html = client.get(payout.engagement.get_absolute_url()).content.decode()
    timeline = html[html.index('id="timeline"') :]
    assert f"Fee of {payout.amount} {payout.currency} marked paid" in timeline
    assert employer.get_full_name() in timeline
