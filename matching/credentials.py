"""Open Badges 3.0 credentials for completed engagements, and their verification.

A credential is the OB 3.0 JSON shape (a W3C Verifiable Credential of type
OpenBadgeCredential) with a ``proof`` carrying an HMAC-SHA256 over the canonical JSON of
everything else (sorted keys, no spaces, UTF-8), keyed from SECRET_KEY through
``salted_hmac``. Verifying recomputes the HMAC over the submitted document: any change
(another id, another name, an added skill) breaks it. It is an integrity check only
this platform can perform — not a public-key signature a third party can check offline.

Credentials are built from stored data with absolute URLs on SITE_URL, so the same
engagement always gives the same document (until the data behind it changes, which does
not invalidate a copy issued earlier: its own HMAC still matches).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from .models import Endorsement, Engagement, ExperienceItem, HoursEntry

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
PROOF_TYPE = "InternlyHmacSha256"
HMAC_SALT = "matching.credentials.v1"


def _base() -> str:
    return str(getattr(settings, "SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


def credential_url(credential_id: uuid.UUID | str) -> str:
    return _base() + reverse("matching:credential", kwargs={"credential_id": credential_id})


def verify_url(credential_id: uuid.UUID | str) -> str:
    return _base() + reverse("matching:credential-verify", kwargs={"credential_id": credential_id})


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _identity_hash(email: str, salt: str) -> str:
    digest = hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()
    return f"sha256${digest}"


def canonical_json(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _hmac(document: dict[str, Any]) -> str:
    return salted_hmac(HMAC_SALT, canonical_json(document), algorithm="sha256").hexdigest()


def _unsigned(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "proof"}


def credential_build(*, item: ExperienceItem) -> dict[str, Any]:
    """The item's credential, with its proof. Reads the engagement, project, organization,
    student, hours and (released) endorsements."""
    engagement: Engagement = item.engagement
    project = engagement.project
    organization = project.organization
    student = engagement.student
    hours = HoursEntry.objects.filter(engagement=engagement).aggregate(total=Sum("hours"))["total"]
    skills: list[str] = []
    if engagement.feedback_released_at is not None:
        skills = sorted(
            Endorsement.objects.filter(engagement=engagement).values_list("skill__name", flat=True)
        )
    completed = engagement.completed_at or item.created_at
    hours_text = f" over {float(hours):g} logged hours" if hours else ""
    salt = item.credential_id.hex[:16]
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "id": credential_url(item.credential_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": _base() + organization.get_absolute_url(),
            "type": ["Profile"],
            "name": f"{organization.name} via Internly",
        },
        "validFrom": _iso(completed),
        "name": f"Micro-internship: {project.title}",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": _identity_hash(student.email, salt),
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": salt,
                }
            ],
            "name": student.get_full_name() or "Internly student",
            "achievement": {
                "id": credential_url(item.credential_id) + "#achievement",
                "type": ["Achievement"],
                "name": project.title,
                "description": project.summary,
                "criteria": {
                    "narrative": (
                        f"Completed the paid micro-internship “{project.title}” for "
                        f"{organization.name}{hours_text}; the work was reviewed and approved "
                        f"by the organization on {completed:%Y-%m-%d}."
                    )
                },
                "tag": skills,
            },
        },
    }
    document["proof"] = {
        "type": PROOF_TYPE,
        "created": _iso(completed),
        "proofPurpose": "assertionMethod",
        "verificationMethod": verify_url(item.credential_id),
        "proofValue": _hmac(document),
    }
    return document


@dataclass
class Verification:
    valid: bool
    reason: str
    revoked: bool

    def as_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "reason": self.reason, "revoked": self.revoked}


def _credential_uuid(document: dict[str, Any]) -> uuid.UUID | None:
    ident = document.get("id")
    if not isinstance(ident, str):
        return None
    tail = ident.rstrip("/").rsplit("/", 1)[-1]
    try:
        return uuid.UUID(tail)
    except ValueError:
        return None


def credential_verify(
    *, document: Any = None, credential_id: uuid.UUID | None = None
) -> Verification:
    """Is this credential genuine and unrevoked?

    With a ``document`` (the JSON a holder presents): its proof must be our HMAC over the
    rest, its id must name a credential we issued (and match ``credential_id`` when both
    are given), and that credential must not be revoked. With only ``credential_id``: the
    stored credential's status."""
    if document is None:
        if credential_id is None:
            return Verification(False, "No credential was given.", False)
        item = _item(credential_id)
        if item is None:
            return Verification(False, "No credential with this id was issued here.", False)
        if item.credential_revoked_at is not None:
            return Verification(False, "This credential was revoked by its holder.", True)
        return Verification(True, "This credential was issued here and is not revoked.", False)

    if not isinstance(document, dict):
        return Verification(False, "The credential is not a JSON object.", False)
    proof = document.get("proof")
    value = proof.get("proofValue") if isinstance(proof, dict) else None
    if not isinstance(value, str) or proof.get("type") != PROOF_TYPE:
        return Verification(False, "The credential has no proof from this platform.", False)
    document_id = _credential_uuid(document)
    if document_id is None:
        return Verification(False, "The credential has no valid id.", False)
    if credential_id is not None and document_id != credential_id:
        return Verification(
            False, "The credential's id does not match this verification address.", False
        )
    if not constant_time_compare(value, _hmac(_unsigned(document))):
        return Verification(False, "The credential was altered: its proof does not match.", False)
    item = _item(document_id)
    if item is None:
        return Verification(False, "No credential with this id was issued here.", False)
    if item.credential_revoked_at is not None:
        return Verification(False, "This credential was revoked by its holder.", True)
    return Verification(True, "Genuine: issued here, unaltered and not revoked.", False)


def _item(credential_id: uuid.UUID) -> ExperienceItem | None:
    # An item its student has not yet decided on is nobody else's to verify.
    return ExperienceItem.objects.filter(
        credential_id=credential_id, status=ExperienceItem.Status.DECIDED
    ).first()
