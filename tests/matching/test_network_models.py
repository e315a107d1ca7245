"""The connection and invitation transition tables: every (from, to) pair, as data and
through transition(), with the audit row."""

import pytest
from django.db import transaction
from django.urls import reverse

from core.exceptions import InvalidTransition
from core.statemachine import transition, transition_table_pairs
from matching.models import Connection, ConnectionEvent, ProjectInvitation, ProjectInvitationEvent
from tests.matching.network_helpers import connection_in_status, invitation_in_status

CS = Connection.Status
IS = ProjectInvitation.Status

CONNECTION_LEGAL = {
    (CS.PENDING, CS.CONNECTED),
    (CS.PENDING, CS.DECLINED),
    (CS.PENDING, CS.WITHDRAWN),
    (CS.CONNECTED, CS.REMOVED),
    (CS.DECLINED, CS.PENDING),
    (CS.WITHDRAWN, CS.PENDING),
    (CS.REMOVED, CS.PENDING),
}
INVITATION_LEGAL = {
    (IS.SENT, IS.ACCEPTED),
    (IS.SENT, IS.DECLINED),
    (IS.SENT, IS.WITHDRAWN),
}
CONNECTION_PAIRS = list(transition_table_pairs(Connection))
INVITATION_PAIRS = list(transition_table_pairs(ProjectInvitation))


def test_the_tables_cover_every_pair():
    assert {(f, t) for f, t, legal in CONNECTION_PAIRS if legal} == CONNECTION_LEGAL
    assert {(f, t) for f, t, legal in INVITATION_PAIRS if legal} == INVITATION_LEGAL
    assert len(CONNECTION_PAIRS) == len(CS.choices) * (len(CS.choices) - 1)
    assert len(INVITATION_PAIRS) == len(IS.choices) * (len(IS.choices) - 1)


def test_answered_invitations_are_final():
    for status in (IS.ACCEPTED, IS.DECLINED, IS.WITHDRAWN):
        assert ProjectInvitation.TRANSITIONS[status] == frozenset()


def _check(obj, history, from_status, to_status, legal):
    before = history.count()
    with transaction.atomic():
        if legal:
            transition(obj, to_status=to_status, actor=None, note="test")
        else:
            with pytest.raises(InvalidTransition):
                transition(obj, to_status=to_status, actor=None, note="test")
    obj.refresh_from_db()
    if legal:
        assert obj.status == to_status
        last = history.last()
        assert (last.from_status, last.to_status, last.note) == (from_status, to_status, "test")
        assert history.count() == before + 1
    else:
        assert obj.status == from_status
        assert history.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status", "legal"), CONNECTION_PAIRS)
def test_connection_transition_applies_the_table_and_audits(
    engagement, from_status, to_status, legal
):
    connection = connection_in_status(from_status, engagement)
    history = ConnectionEvent.objects.filter(connection=connection)
    _check(connection, history, from_status, to_status, legal)


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status", "legal"), INVITATION_PAIRS)
def test_invitation_transition_applies_the_table_and_audits(
    engagement, from_status, to_status, legal
):
    invitation = invitation_in_status(from_status, engagement)
    history = ProjectInvitationEvent.objects.filter(invitation=invitation)
    _check(invitation, history, from_status, to_status, legal)


@pytest.mark.django_db
def test_str_and_urls(engagement):
    connection = connection_in_status(CS.CONNECTED, engagement)
    assert "Connected" in str(connection)
    assert connection.get_absolute_url() == reverse("matching:network")
    invitation = invitation_in_status(IS.SENT, engagement)
    assert invitation.project.title in str(invitation)
    assert invitation.get_absolute_url() == reverse(
        "matching:invitation-detail", kwargs={"pk": invitation.pk}
    )
