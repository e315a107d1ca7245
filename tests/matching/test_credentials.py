"""Open Badges 3.0 credentials: the public JSON, and verification — genuine, revoked,
tampered, unknown, another student's id in a modified payload, malformed input."""

import copy
import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from matching.credentials import credential_build, credential_verify
from matching.services.records import RecordError, experience_item_revoke_credential
from tests.accounts.factories import SkillFactory, StudentFactory
from tests.matching.records_helpers import (
    completed_engagement,
    give_supervisor_feedback,
    record_item,
    released_engagement,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(student, supervisor):
    engagement = released_engagement(
        student=student, supervisor=supervisor, skills=[SkillFactory(name="Data cleaning")]
    )
    return record_item(engagement)


@pytest.fixture
def other_item(db):
    return record_item(released_engagement(student=StudentFactory(email="b@state.edu")))


def verify_post(client, credential_id, document):
    return client.post(
        reverse("matching:credential-verify", args=[credential_id]),
        data=json.dumps(document),
        content_type="application/json",
    )


def fetch(client, item) -> dict:
    response = client.get(reverse("matching:credential", args=[item.credential_id]))
    assert response.status_code == 200
    return json.loads(response.content)


def test_credential_is_public_open_badges_json(client, item, student):
    response = client.get(reverse("matching:credential", args=[item.credential_id]))
    assert response.status_code == 200  # anonymous
    assert response["Content-Type"].startswith("application/ld+json")
    doc = json.loads(response.content)
    assert doc["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert doc["id"].startswith("http") and str(item.credential_id) in doc["id"]
    assert doc["issuer"]["type"] == ["Profile"]
    assert item.engagement.project.organization.name in doc["issuer"]["name"]
    assert doc["validFrom"].endswith("Z")
    subject = doc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    identifier = subject["identifier"][0]
    assert identifier["hashed"] is True and identifier["identityHash"].startswith("sha256$")
    assert student.email not in response.content.decode()  # hashed, never in clear
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["name"] == item.engagement.project.title
    assert achievement["criteria"]["narrative"]
    assert achievement["tag"] == ["Data cleaning"]
    assert doc["proof"]["proofValue"]


def test_blind_endorsements_are_not_in_the_credential(student, supervisor):
    engagement = completed_engagement(student=student, supervisor=supervisor)
    give_supervisor_feedback(engagement, skills=[SkillFactory(name="Secret skill")])
    doc = credential_build(item=record_item(engagement))
    assert doc["credentialSubject"]["achievement"]["tag"] == []


def test_build_is_deterministic(item):
    assert credential_build(item=item) == credential_build(item=item)


def test_genuine_credential_verifies(client, item):
    doc = fetch(client, item)
    response = verify_post(client, item.credential_id, doc)
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "valid": True,
        "reason": "Genuine: issued here, unaltered and not revoked.",
        "revoked": False,
    }


def test_verify_by_id_and_by_query_parameter(client, item):
    url = reverse("matching:credential-verify", args=[item.credential_id])
    assert json.loads(client.get(url).content)["valid"] is True
    doc = fetch(client, item)
    result = json.loads(client.get(url, {"credential": json.dumps(doc)}).content)
    assert result["valid"] is True


def test_verify_is_csrf_exempt(item):
    client = Client(enforce_csrf_checks=True)
    doc = fetch(client, item)
    assert json.loads(verify_post(client, item.credential_id, doc).content)["valid"] is True


def test_revoked_credential(client, item, student):
    doc = fetch(client, item)
    client.force_login(student)
    response = client.post(reverse("matching:record-credential-revoke", args=[item.pk]))
    assert response.status_code == 302
    client.logout()
    result = json.loads(verify_post(client, item.credential_id, doc).content)
    assert result["valid"] is False and result["revoked"] is True
    by_id = json.loads(
        client.get(reverse("matching:credential-verify", args=[item.credential_id])).content
    )
    assert by_id["revoked"] is True and by_id["valid"] is False
    gone = client.get(reverse("matching:credential", args=[item.credential_id]))
    assert gone.status_code == 410


def test_revoke_twice_is_refused_and_only_by_the_owner(item, student, other_item):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        experience_item_revoke_credential(item=item, actor=other_item.student)
    experience_item_revoke_credential(item=item, actor=student)
    with pytest.raises(RecordError, match="already"):
        experience_item_revoke_credential(item=item, actor=student)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d.update(name="Senior data scientist"),
        lambda d: d["credentialSubject"]["achievement"]["tag"].append("Rocket science"),
        lambda d: d["credentialSubject"].update(name="Someone Else"),
        lambda d: d.update(validFrom="2019-01-01T00:00:00Z"),
        lambda d: d["proof"].update(proofValue="0" * 64),
    ],
    ids=["title", "added-skill", "name", "date", "forged-proof"],
)
def test_tampered_credential_is_invalid(client, item, tamper):
    doc = fetch(client, item)
    tamper(doc)
    result = json.loads(verify_post(client, item.credential_id, doc).content)
    assert result["valid"] is False and result["revoked"] is False
    assert "altered" in result["reason"]


def test_unknown_id(client):
    missing = uuid.uuid4()
    url = reverse("matching:credential-verify", args=[missing])
    result = json.loads(client.get(url).content)
    assert result["valid"] is False and "No credential" in result["reason"]
    assert client.get(reverse("matching:credential", args=[missing])).status_code == 404


def test_another_students_id_in_a_modified_payload_is_invalid(client, item, other_item):
    doc = fetch(client, item)
    forged = copy.deepcopy(doc)
    forged["id"] = doc["id"].replace(str(item.credential_id), str(other_item.credential_id))
    # At the other credential's address and at this one: both refuse it.
    for address in (other_item.credential_id, item.credential_id):
        result = json.loads(verify_post(client, address, forged).content)
        assert result["valid"] is False


def test_a_genuine_credential_checked_at_another_address_is_invalid(client, item, other_item):
    doc = fetch(client, item)
    result = json.loads(verify_post(client, other_item.credential_id, doc).content)
    assert result["valid"] is False and "does not match" in result["reason"]


@pytest.mark.parametrize(
    "body",
    ["{not json", "[1, 2]", json.dumps({"id": "x"}), json.dumps({"proof": "nope"})],
    ids=["malformed", "array", "no-proof", "bad-proof"],
)
def test_malformed_input_is_invalid_not_500(client, item, body):
    response = client.post(
        reverse("matching:credential-verify", args=[item.credential_id]),
        data=body,
        content_type="application/json",
    )
    assert response.status_code in (200, 400)
    assert json.loads(response.content)["valid"] is False


def test_verify_without_document_or_id():
    assert credential_verify().valid is False


def test_browsers_get_a_readable_page(client, item):
    url = reverse("matching:credential-verify", args=[item.credential_id])
    response = client.get(url, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert response.status_code == 200
    assert b"Credential verification" in response.content and b"Valid." in response.content


def test_verify_rejects_other_methods(client, item):
    url = reverse("matching:credential-verify", args=[item.credential_id])
    assert client.put(url).status_code == 405
