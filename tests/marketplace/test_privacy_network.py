"""The network, recommendations, API tokens and webhook deliveries in a student's data
archive and in the deletion of their account.

The state is built through the real services (tests/matching/network_helpers.py,
recommendation_helpers.py): three completed engagements with three supervisors, a
connection in each live state, invitations sent and declined, a follow, invitations
turned off, a letter the student may read, one they waived, a pending request, two API
tokens, and webhook deliveries of the organization that name the student.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.urls import reverse

from accounts.models import ApiToken, Notification, User
from accounts.services.tokens import api_token_authenticate, api_token_create, api_token_revoke
from marketplace.models import AccountDeletion
from marketplace.privacy.archive import ARCHIVE_KINDS, archive_collect, archive_write
from marketplace.privacy.erasure import FORMER_STUDENT, student_account_delete
from matching.models import (
    Connection,
    Engagement,
    Follow,
    NetworkPreference,
    ProjectInvitation,
    Recommendation,
    RecommendationAttachment,
    RecommendationRequest,
    WebhookDelivery,
)
from matching.selectors.network import connection_candidates_for, connection_list_for
from matching.selectors.recommendations import recommendation_verify
from matching.services.network import (
    connection_accept,
    connection_request,
    network_preference_update,
    organization_follow,
)
from matching.services.recommendations import (
    recommendation_attachments_set,
    recommendation_set_visibility,
)
from matching.services.webhooks import webhook_delivery_attempt
from tests.accounts.factories import MembershipFactory
from tests.marketplace.api.conftest import API
from tests.marketplace.privacy_helpers import World, privacy_world, read_zip
from tests.matching.engagement_helpers import engagement_in_status
from tests.matching.network_helpers import invitation_in_status
from tests.matching.recommendation_helpers import LETTER, ask, write
from tests.matching.webhook_helpers import (
    WebhookReceiver,
    endpoint_for,
    webhook_settings,  # noqa: F401 — a fixture
)

pytestmark = pytest.mark.django_db

CONNECT_NOTE = "It was a pleasure working with you on the research sprint."
SUPERVISOR_NOTE = "Let us stay in touch: more projects are coming."
REQUEST_NOTE = "Could you mention the survey I designed?"
WAIVED_LETTER = "Confidential: the student was the most thorough intern we have had."
INVITE_MESSAGE = "We would love to have you back for this one."


@dataclass
class Network:
    world: World
    supervisor2: User
    supervisor3: User
    connected: Connection
    asked_by_supervisor: Connection
    asked_by_student: Connection
    invitation_sent: ProjectInvitation
    invitation_declined: ProjectInvitation
    letter: Recommendation
    waived_letter: Recommendation
    pending_request: RecommendationRequest
    token: str
    token_row: ApiToken
    revoked_token_row: ApiToken


def completed_with(student, supervisor) -> Engagement:
    engagement = engagement_in_status(
        Engagement.Status.COMPLETED, student=student, supervisor=supervisor
    )
    return Engagement.objects.select_related("project__organization", "supervisor").get(
        pk=engagement.pk
    )


def network_world(world: World, organization) -> Network:
    student, supervisor = world.student, world.supervisor
    supervisor2 = MembershipFactory(organization=organization).user
    supervisor3 = MembershipFactory(organization=organization).user
    engagement1 = Engagement.objects.select_related("project__organization", "supervisor").get(
        pk=world.engagement.pk
    )
    engagement2 = completed_with(student, supervisor2)
    engagement3 = completed_with(student, supervisor3)

    connected = connection_request(actor=student, other=supervisor, note=CONNECT_NOTE)
    connection_accept(connection=connected, actor=supervisor)
    asked_by_supervisor = connection_request(actor=supervisor2, other=student, note=SUPERVISOR_NOTE)
    asked_by_student = connection_request(actor=student, other=supervisor3)

    invitation_sent = invitation_in_status("sent", engagement1)
    ProjectInvitation.objects.filter(pk=invitation_sent.pk).update(message=INVITE_MESSAGE)
    invitation_declined = invitation_in_status("declined", engagement1)
    network_preference_update(student=student, accepts_invitations=False)
    organization_follow(student=student, organization=organization)

    letter = write(ask(engagement1, note=REQUEST_NOTE))
    recommendation_set_visibility(recommendation=letter, actor=student, show_on_record=True)
    waived_letter = write(ask(engagement2, waived=True), letter=WAIVED_LETTER)
    recommendation_attachments_set(
        application=world.open_application, actor=student, recommendations=[letter, waived_letter]
    )
    pending_request = ask(engagement3, note=REQUEST_NOTE)

    token_row, token = api_token_create(user=student, name="My CLI", scope="read", lifetime_days=30)
    revoked_row, _ = api_token_create(user=student, name="Old", scope="write", lifetime_days=7)
    api_token_revoke(api_token=revoked_row, actor=student)

    for obj in (connected, asked_by_supervisor, asked_by_student, letter, waived_letter):
        obj.refresh_from_db()
    return Network(
        world=world,
        supervisor2=supervisor2,
        supervisor3=supervisor3,
        connected=connected,
        asked_by_supervisor=asked_by_supervisor,
        asked_by_student=asked_by_student,
        invitation_sent=invitation_sent,
        invitation_declined=invitation_declined,
        letter=letter,
        waived_letter=waived_letter,
        pending_request=pending_request,
        token=token,
        token_row=token_row,
        revoked_token_row=revoked_row,
    )


@pytest.fixture
def net(student, supervisor, other_student, organization) -> Network:
    return network_world(privacy_world(student, supervisor, other_student), organization)


@pytest.fixture
def receiver(webhook_settings):  # noqa: F811 — the imported fixture
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


def delete(net: Network, capture) -> AccountDeletion:
    student = net.world.student
    with capture(execute=True):
        return student_account_delete(user=student, actor=student)


# ------------------------------------------------------------------------------
# The archive
# ------------------------------------------------------------------------------
def test_the_archive_has_the_new_files_in_its_manifest(net, tmp_path):
    with open(tmp_path / "a.zip", "wb") as handle:
        written = archive_write(user=net.world.student, handle=handle)
    files = read_zip((tmp_path / "a.zip").read_bytes())
    for kind in ("network", "recommendations", "api_tokens"):
        assert kind in ARCHIVE_KINDS
        assert f"{kind}.json" in written and f"{kind}.json" in files
    manifest = json.loads(files["manifest.json"])
    assert manifest["contents"]["network"] == "network.json"
    assert manifest["contents"]["recommendations"] == "recommendations.json"
    assert manifest["contents"]["api_tokens"] == "api_tokens.json"
    network = json.loads(files["network.json"])
    assert network["accepts_invitations"] is False


def test_network_json(net):
    doc = archive_collect(user=net.world.student).documents["network"]
    organization = net.world.engagement.project.organization.name
    by_person = {c["with"]: c for c in doc["connections"]}
    assert set(by_person) == {
        net.world.supervisor.get_full_name(),
        net.supervisor2.get_full_name(),
        net.supervisor3.get_full_name(),
    }
    connected = by_person[net.world.supervisor.get_full_name()]
    assert connected["status"] == "connected" and connected["organization"] == organization
    assert connected["requested_by"] == "you" and connected["note"] == CONNECT_NOTE
    assert [h["to"] for h in connected["history"]] == ["pending", "connected"]
    asked = by_person[net.supervisor2.get_full_name()]
    assert asked["status"] == "pending" and asked["requested_by"] == asked["with"]
    assert doc["follows"] == [
        {"organization": organization, "followed_at": doc["follows"][0]["followed_at"]}
    ]
    statuses = {i["id"]: i["status"] for i in doc["invitations"]}
    assert statuses == {net.invitation_sent.pk: "sent", net.invitation_declined.pk: "declined"}
    sent = next(i for i in doc["invitations"] if i["id"] == net.invitation_sent.pk)
    assert sent["message"] == INVITE_MESSAGE and sent["kind"] == "apply"
    assert sent["invited_by"] == net.world.supervisor.get_full_name()
    assert doc["accepts_invitations"] is False


def test_recommendations_json_holds_a_readable_letter_but_never_a_waived_ones_text(net):
    doc = archive_collect(user=net.world.student).documents["recommendations"]
    requests = {r["id"]: r for r in doc["requests"]}
    assert len(requests) == 3
    pending = requests[net.pending_request.pk]
    assert pending["status"] == "pending" and pending["note"] == REQUEST_NOTE
    assert pending["asked"] == net.supervisor3.get_full_name() and pending["waived"] is False
    assert requests[net.waived_letter.request_id]["waived"] is True

    letters = {r["id"]: r for r in doc["letters"]}
    readable = letters[net.letter.pk]
    assert readable["letter"] == LETTER and readable["status"] == "issued"
    assert readable["author"] == net.world.supervisor.get_full_name()
    assert readable["show_on_record"] is True and len(readable["strengths"]) == 2
    assert readable["attached_to_applications"] == [net.world.open_application.pk]

    waived = letters[net.waived_letter.pk]
    assert waived["author"] == net.supervisor2.get_full_name()
    assert waived["status"] == "issued" and waived["issued_at"]
    for field in ("letter", "relationship", "work_done", "results", "strengths", "history"):
        assert field not in waived
    text = json.dumps(doc, default=str)
    assert WAIVED_LETTER not in text
    assert net.waived_letter.work_done in text  # the readable letter has the same fields…
    assert text.count(net.waived_letter.work_done) == 1  # …but only it shows them


def test_api_tokens_json_never_holds_the_hash_or_the_token(net):
    doc = archive_collect(user=net.world.student).documents["api_tokens"]
    assert [t["name"] for t in doc] == ["My CLI", "Old"]
    assert doc[0]["prefix"] == net.token_row.prefix and doc[0]["scope"] == "read"
    assert doc[0]["revoked_at"] is None and doc[1]["revoked_at"] is not None
    assert set(doc[0]) == {
        "name",
        "prefix",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    }
    text = json.dumps(doc, default=str)
    assert net.token_row.token_hash not in text and net.token not in text


def test_the_archive_holds_nothing_of_another_students_network(net, supervisor, other_student):
    other_engagement = engagement_in_status(
        Engagement.Status.COMPLETED, student=other_student, supervisor=supervisor
    )
    connection_request(actor=other_student, other=supervisor, note="Other student's note")
    ask(Engagement.objects.get(pk=other_engagement.pk), note="Other student's request")
    docs = archive_collect(user=net.world.student).documents
    text = json.dumps([docs["network"], docs["recommendations"]], default=str)
    assert "Other student" not in text and other_student.get_full_name() not in text


# ------------------------------------------------------------------------------
# Deletion
# ------------------------------------------------------------------------------
def test_pending_requests_are_withdrawn_and_invitations_declined_through_the_services(
    net, django_capture_on_commit_callbacks
):
    old_name = net.world.student.get_full_name()
    deletion = delete(net, django_capture_on_commit_callbacks)
    net.pending_request.refresh_from_db()
    assert net.pending_request.status == RecommendationRequest.Status.WITHDRAWN
    assert [e.to_status for e in net.pending_request.events.all()] == ["pending", "withdrawn"]
    assert net.pending_request.note == ""
    net.invitation_sent.refresh_from_db()
    assert net.invitation_sent.status == ProjectInvitation.Status.DECLINED
    assert net.invitation_sent.events.filter(to_status="declined").count() == 1
    # The invitation stays the organization's, its own message with it.
    assert net.invitation_sent.message == INVITE_MESSAGE
    # The people asked were told, as for any withdrawal or refusal, under the new name.
    told = Notification.objects.filter(
        recipient=net.supervisor3, kind="recommendation_request_withdrawn"
    ).get()
    assert FORMER_STUDENT in told.text and old_name not in told.text
    answered = Notification.objects.filter(
        recipient=net.world.supervisor, kind="project_invitation_answered"
    )
    assert answered.count() == 2  # the earlier "no", and this one
    assert all(old_name not in n.text for n in answered)
    summary = deletion.summary
    assert summary["recommendation_requests_withdrawn"] == 1
    assert summary["invitations_declined"] == 1


def test_connections_end_and_the_supervisors_network_drops_them(
    net, django_capture_on_commit_callbacks
):
    delete(net, django_capture_on_commit_callbacks)
    expected = {
        net.connected.pk: Connection.Status.REMOVED,
        net.asked_by_supervisor.pk: Connection.Status.DECLINED,
        net.asked_by_student.pk: Connection.Status.WITHDRAWN,
    }
    for pk, status in expected.items():
        connection = Connection.objects.get(pk=pk)
        assert connection.status == status
        # Ended by the student, as the audit row says; the row and its history remain.
        assert connection.events.order_by("-pk").first().actor_id == net.world.student.pk
    # The note the student wrote is erased; the supervisor's own stays theirs.
    assert Connection.objects.get(pk=net.connected.pk).note == ""
    assert Connection.objects.get(pk=net.asked_by_supervisor.pk).note == SUPERVISOR_NOTE
    for supervisor in (net.world.supervisor, net.supervisor2, net.supervisor3):
        assert not connection_list_for(user=supervisor).filter(student=net.world.student).exists()
        candidates = connection_candidates_for(user=supervisor)
        assert net.world.student.pk not in {c.person.pk for c in candidates}


def test_the_network_page_of_the_supervisor_no_longer_lists_them(
    client, net, django_capture_on_commit_callbacks
):
    name = net.world.student.get_full_name()
    client.force_login(net.world.supervisor)
    assert name in client.get(reverse("matching:network")).content.decode()
    delete(net, django_capture_on_commit_callbacks)
    page = client.get(reverse("matching:network"))
    assert page.status_code == 200
    # Neither as a connection nor as someone to ask: not by the old name, nor the new.
    assert name not in page.content.decode()
    assert FORMER_STUDENT not in page.content.decode()


def test_follows_and_the_invitation_setting_are_gone(net, django_capture_on_commit_callbacks):
    deletion = delete(net, django_capture_on_commit_callbacks)
    assert not Follow.objects.filter(student=net.world.student).exists()
    assert not NetworkPreference.objects.filter(student=net.world.student).exists()
    assert deletion.summary["follows_ended"] == 1


def test_letters_are_revoked_erased_and_no_longer_verify(
    client, net, django_capture_on_commit_callbacks
):
    delete(net, django_capture_on_commit_callbacks)
    for rec in (net.letter, net.waived_letter):
        rec.refresh_from_db()
        assert rec.status == Recommendation.Status.REVOKED and not rec.show_on_record
        assert (rec.letter, rec.relationship, rec.work_done, rec.results) == ("", "", "", "")
        assert rec.strengths == [] and rec.revoked_at is not None
        # Kept for the author's and the organization's record: who wrote it, and when.
        assert rec.author_id and rec.issued_at
        assert [e.to_status for e in rec.events.order_by("pk")] == ["issued", "revoked"]
        result = recommendation_verify(verification_id=rec.verification_id)
        assert not result.valid and "no longer valid" in result.reason
        assert result.recommendation is None

        url = reverse("matching:recommendation-verify", args=[rec.verification_id])
        page = client.get(url, HTTP_ACCEPT="text/html").content.decode()
        assert "no longer valid" in page and "Not valid" in page
        assert LETTER not in page and WAIVED_LETTER not in page
        assert rec.organization.name not in page
        answer = client.get(url, HTTP_ACCEPT="application/json").json()
        assert answer["valid"] is False and "no longer valid" in answer["reason"]
        assert set(answer) == {"valid", "genuine", "current", "reason"}
    assert not RecommendationAttachment.objects.filter(
        recommendation__student=net.world.student
    ).exists()


def test_api_tokens_are_revoked_and_do_not_authenticate(
    client, net, django_capture_on_commit_callbacks
):
    headers = {"Authorization": f"Bearer {net.token}"}
    assert client.get(f"{API}/student/profile", headers=headers).status_code == 200
    deletion = delete(net, django_capture_on_commit_callbacks)
    net.token_row.refresh_from_db()
    assert net.token_row.revoked_at is not None
    assert not ApiToken.objects.filter(user=net.world.student, revoked_at__isnull=True).exists()
    assert api_token_authenticate(token=net.token) is None
    assert client.get(f"{API}/student/profile", headers=headers).status_code == 401
    assert deletion.summary["api_tokens_revoked"] == 1


def test_the_account_deletion_summary_holds_counts_only(net, django_capture_on_commit_callbacks):
    summary = delete(net, django_capture_on_commit_callbacks).summary
    assert summary["recommendations_revoked"] == 2
    assert summary["recommendations_erased"] == 2
    assert summary["connections_ended"] == 3
    text = json.dumps(summary)
    assert LETTER not in text and net.world.student.email not in text


def test_another_students_network_is_untouched(
    net, supervisor, other_student, django_capture_on_commit_callbacks
):
    engagement = engagement_in_status(
        Engagement.Status.COMPLETED, student=other_student, supervisor=supervisor
    )
    theirs = connection_request(actor=other_student, other=supervisor)
    connection_accept(connection=theirs, actor=supervisor)
    their_letter = write(ask(Engagement.objects.get(pk=engagement.pk)))
    delete(net, django_capture_on_commit_callbacks)
    theirs.refresh_from_db()
    their_letter.refresh_from_db()
    assert theirs.status == Connection.Status.CONNECTED
    assert their_letter.status == Recommendation.Status.ISSUED and their_letter.letter == LETTER
    assert recommendation_verify(verification_id=their_letter.verification_id).valid


# ------------------------------------------------------------------------------
# Webhook deliveries
# ------------------------------------------------------------------------------
def test_stored_webhook_deliveries_are_anonymized_and_pending_ones_still_send(
    receiver,
    employer,
    student,
    supervisor,
    other_student,
    organization,
    django_capture_on_commit_callbacks,
):
    endpoint_for(receiver, "acme", owner=employer)
    privacy_world(student, supervisor, other_student)
    name = student.get_full_name()
    mentions = WebhookDelivery.objects.filter(body__contains=f'"id":{student.pk},"name":')
    # Recorded but not sent yet (their sends would go after a commit the test never makes).
    pending = list(mentions.filter(status=WebhookDelivery.Status.PENDING))
    assert pending and all(name in d.body for d in pending)
    other_name = other_student.get_full_name()
    assert WebhookDelivery.objects.filter(body__contains=other_name).exists()

    with django_capture_on_commit_callbacks(execute=True):
        student_account_delete(user=student, actor=student)

    assert mentions.exists()
    for delivery in mentions:
        body = json.loads(delivery.body)
        student_in = next(v["student"] for v in body["data"].values() if "student" in v)
        assert student_in == {"id": student.pk, "name": FORMER_STUDENT}
        assert name not in delivery.body and "student@state.edu" not in delivery.body
    # The other student's deliveries are theirs, unchanged.
    assert WebhookDelivery.objects.filter(body__contains=other_name).exists()

    delivery = pending[0]
    result = webhook_delivery_attempt(delivery_id=delivery.pk, attempt=delivery.attempts + 1)
    assert result.outcome == "succeeded"
    received = receiver.accepted("acme")[-1]
    assert received.valid and received.message_id == delivery.message_id
    assert name not in received.body.decode() and FORMER_STUDENT in received.body.decode()
