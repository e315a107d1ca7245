"""The engagement's transition table, checked pair by pair, and the model helpers."""

import pytest
from django.db import transaction
from django.urls import reverse

from core.exceptions import InvalidTransition
from core.statemachine import transition, transition_table_pairs
from matching.models import Engagement, EngagementEvent, Submission, submission_upload_to
from tests.matching.engagement_helpers import make_engagement

S = Engagement.Status

# Written out independently of the model so a change to TRANSITIONS must be deliberate.
LEGAL = {
    (S.ACTIVE, S.SUBMITTED),
    (S.ACTIVE, S.CANCELLED),
    (S.SUBMITTED, S.COMPLETED),
    (S.SUBMITTED, S.REVISION_REQUESTED),
    (S.SUBMITTED, S.CANCELLED),
    (S.REVISION_REQUESTED, S.SUBMITTED),
    (S.REVISION_REQUESTED, S.CANCELLED),
}
PAIRS = list(transition_table_pairs(Engagement))


def test_the_pairs_cover_every_ordered_pair_of_statuses():
    n = len(S.choices)
    assert len(PAIRS) == n * (n - 1)


@pytest.mark.parametrize(("from_status", "to_status", "legal"), PAIRS)
def test_can_transition_matches_the_lifecycle(from_status, to_status, legal):
    assert legal == ((from_status, to_status) in LEGAL)
    assert Engagement.can_transition(from_status, to_status) is legal


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status", "legal"), PAIRS)
def test_transition_on_a_row_moves_or_refuses(from_status, to_status, legal, supervisor):
    engagement = make_engagement(supervisor=supervisor)
    # Put the row in the starting state without the services: this tests the table.
    Engagement.objects.filter(pk=engagement.pk).update(status=from_status)
    engagement.refresh_from_db()
    events_before = EngagementEvent.objects.filter(engagement=engagement).count()
    with transaction.atomic():
        if legal:
            transition(engagement, to_status=to_status, actor=supervisor, note="test")
        else:
            with pytest.raises(InvalidTransition):
                transition(engagement, to_status=to_status, actor=supervisor, note="test")
    engagement.refresh_from_db()
    events = EngagementEvent.objects.filter(engagement=engagement)
    if legal:
        assert engagement.status == to_status
        last = events.latest("pk")
        assert (last.from_status, last.to_status) == (from_status, to_status)
        assert last.actor == supervisor
        assert events.count() == events_before + 1
    else:
        assert engagement.status == from_status
        assert events.count() == events_before


@pytest.mark.parametrize("status", [s for s, _ in S.choices])
def test_final_statuses_have_no_way_out(status):
    engagement = Engagement(status=status)
    assert engagement.is_final is (status in (S.COMPLETED, S.CANCELLED))
    assert bool(engagement.available_statuses()) is not engagement.is_final


def test_uploads_are_stored_under_our_own_name():
    submission = Submission(engagement_id=42)
    name = submission_upload_to(submission, "../../etc/My Report.PDF")
    assert name.startswith("engagements/42/")
    assert name.endswith(".pdf")
    assert ".." not in name
    assert "My Report" not in name


@pytest.mark.django_db
def test_absolute_url_is_the_workspace(supervisor):
    engagement = make_engagement(supervisor=supervisor)
    url = reverse("matching:engagement-detail", args=[engagement.pk])
    assert engagement.get_absolute_url() == url
