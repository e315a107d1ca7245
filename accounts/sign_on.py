"""An institution's identity provider as allauth sees it, and what the provider releases
about a person as Internly reads it.

``InstitutionSignOn`` rows are the one place an institution's SAML or OpenID Connect
provider is configured; allauth's providers get an (unsaved) ``SocialApp`` built from
the row here, so there is no second copy of the configuration to keep in step.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from allauth.socialaccount.models import SocialApp
from django.urls import reverse
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from .models import InstitutionSignOn

logger = logging.getLogger(__name__)

SAML = InstitutionSignOn.Protocol.SAML
OIDC = InstitutionSignOn.Protocol.OIDC

# Our field -> the SAML attribute names (standard OIDs, their common friendly names,
# then plain names) or OpenID Connect claims that may hold it. An institution's
# ``attribute_mapping`` replaces the list of any field it names.
DEFAULT_ATTRIBUTES: dict[str, dict[str, list[str]]] = {
    SAML: {
        "email": ["urn:oid:0.9.2342.19200300.100.1.3", "mail", "email"],
        "first_name": ["urn:oid:2.5.4.42", "givenName", "first_name"],
        "last_name": ["urn:oid:2.5.4.4", "sn", "last_name"],
        "major": ["major"],
        "graduation_date": ["graduation_date"],
    },
    OIDC: {
        "email": ["email"],
        "first_name": ["given_name"],
        "last_name": ["family_name"],
        "major": ["major"],
        "graduation_date": ["graduation_date"],
    },
}
MAPPED_FIELDS = frozenset(DEFAULT_ATTRIBUTES[SAML])


def attribute_names(sign_on: InstitutionSignOn) -> dict[str, list[str]]:
    names = dict(DEFAULT_ATTRIBUTES[sign_on.protocol])
    for field, value in (sign_on.attribute_mapping or {}).items():
        names[field] = [value] if isinstance(value, str) else list(value)
    return names


def provider_id(sign_on: InstitutionSignOn) -> str:
    """allauth's id for the provider: the institution's slug. It names the login URL
    and keys the linked accounts, so two institutions' subjects never mix."""
    return sign_on.institution.slug


def social_app_for(sign_on: InstitutionSignOn) -> SocialApp:
    name = sign_on.institution.name
    if sign_on.protocol == OIDC:
        return SocialApp(
            provider="openid_connect",
            provider_id=provider_id(sign_on),
            name=name,
            client_id=sign_on.oidc_client_id,
            secret=sign_on.oidc_client_secret,
            settings={"server_url": sign_on.oidc_issuer, "oauth_pkce_enabled": True},
        )
    idp: dict[str, Any] = {"entity_id": sign_on.saml_entity_id}
    if sign_on.saml_metadata_url:
        idp["metadata_url"] = sign_on.saml_metadata_url
    else:
        idp.update(sso_url=sign_on.saml_sso_url, x509cert=sign_on.saml_certificate)
    names = attribute_names(sign_on)
    return SocialApp(
        provider="saml",
        provider_id=provider_id(sign_on),
        name=name,
        client_id=provider_id(sign_on),
        settings={
            "idp": idp,
            "attribute_mapping": {
                field: names[field] for field in ("email", "first_name", "last_name")
            },
            # A response is believed only with a signed assertion, for this service
            # provider, within its validity window (python3-saml's strict mode).
            "advanced": {"strict": True, "want_assertion_signed": True},
        },
    )


def login_url(sign_on: InstitutionSignOn) -> str:
    """Where a POST starts the sign-in (allauth's provider login view)."""
    if sign_on.protocol == OIDC:
        return reverse("openid_connect_login", kwargs={"provider_id": provider_id(sign_on)})
    return reverse("saml_login", kwargs={"organization_slug": provider_id(sign_on)})


def provider_origins(sign_on: InstitutionSignOn) -> list[str]:
    """The origins the browser is sent to when the sign-in starts: the page holding the
    button lets its form go there (CSP form-action)."""
    urls = [sign_on.oidc_issuer] if sign_on.protocol == OIDC else [sign_on.saml_sso_url]
    origins = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


def saml_idp_from_metadata(*, xml: str = "", url: str = "", entity_id: str = "") -> dict[str, str]:
    """The entity id, single sign-on URL and signing certificate in an identity
    provider's metadata (pasted XML, or fetched from its URL). Raises ValueError with a
    message for the staff member when the metadata does not hold them."""
    try:
        if url:
            parsed = OneLogin_Saml2_IdPMetadataParser.parse_remote(
                url, entity_id=entity_id or None, timeout=10
            )
        else:
            parsed = OneLogin_Saml2_IdPMetadataParser.parse(xml, entity_id=entity_id or None)
    except Exception as error:  # the parser raises whatever lxml or the fetch raised
        raise ValueError(f"The metadata could not be read: {error}") from error
    idp = parsed.get("idp") or {}
    certificate = idp.get("x509cert") or next(
        iter((idp.get("x509certMulti") or {}).get("signing") or []), ""
    )
    found = {
        "entity_id": idp.get("entityId", ""),
        "sso_url": (idp.get("singleSignOnService") or {}).get("url", ""),
        "certificate": certificate,
    }
    missing = [name.replace("_", " ") for name, value in found.items() if not value]
    if missing:
        raise ValueError(f"The metadata has no {', '.join(missing)}.")
    return found


def _first(values: Any) -> str:
    if isinstance(values, list | tuple):
        values = values[0] if values else ""
    return str(values).strip() if values is not None else ""


def released_value(sign_on: InstitutionSignOn, extra_data: dict, field: str) -> str:
    """The value of one of our fields in what the provider released (allauth keeps it in
    the social account's ``extra_data``: SAML attributes, or the OIDC id token and
    userinfo claims), or "" when it released none."""
    if sign_on.protocol == OIDC:
        released = {**(extra_data.get("id_token") or {}), **(extra_data.get("userinfo") or {})}
    else:
        released = extra_data
    for name in attribute_names(sign_on).get(field, []):
        value = _first(released.get(name))
        if value:
            return value
    return ""


def released_graduation(value: str) -> tuple[date | None, int | None]:
    """A released graduation date ("2027-05-15") or year ("2027"), as (date, year);
    anything else is ignored rather than guessed at."""
    try:
        if len(value) == 4 and value.isdigit():
            year = int(value)
            return (None, year) if 1950 <= year <= 2100 else (None, None)
        day = date.fromisoformat(value[:10])
        return day, day.year
    except ValueError:
        logger.info("ignored a released graduation date that is not a date: %r", value)
        return None, None
