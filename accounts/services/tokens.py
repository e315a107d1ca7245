"""Personal access tokens for the API.

    active ──revoke──▶ revoked
       └───(time)────▶ expired

A token reads ``itk_<12 hex digits>_<secret>``. Its first 16 characters are its prefix,
stored in clear and shown in the settings so a person can tell tokens apart; the whole
token is stored only as its SHA-256 (``hash_token``), so a leaked table holds no usable
token. The token itself is returned once, by ``api_token_create``, and never again.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from ..exceptions import ApiTokenError
from ..models import ApiToken, User, hash_token

TOKEN_PREFIX = "itk_"
#: Lifetimes a person may choose, in days; a token never lives longer than a year.
LIFETIME_DAYS = (7, 30, 90, 365)
#: Tokens per user that are not revoked (expired ones count until revoked): a bound on
#: what one account can mint.
MAX_ACTIVE_TOKENS = 20
NAME_MAX = 80
#: ``last_used_at`` is written at most this often per token: an API client must not
#: turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _new_secret() -> tuple[str, str]:
    """(token, prefix). The prefix's 48 random bits make it unique in practice; the
    rest (43 characters, 256 bits) is the secret."""
    prefix = TOKEN_PREFIX + secrets.token_hex((ApiToken.PREFIX_LENGTH - len(TOKEN_PREFIX)) // 2)
    return f"{prefix}_{secrets.token_urlsafe(32)}", prefix


@transaction.atomic(durable=True)
def api_token_create(
    *, user: User, name: str, scope: str, lifetime_days: int
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with the plain token, which is not stored
    and cannot be shown again."""
    name = (name or "").strip()
    if not name:
        raise ApiTokenError(
            "Give the token a name, such as the tool that will use it.", field="name"
        )
    if len(name) > NAME_MAX:
        raise ApiTokenError(f"Keep the name under {NAME_MAX} characters.", field="name")
    if scope not in ApiToken.Scope.values:
        raise ApiTokenError("Choose read only or read and write.", field="scope")
    if lifetime_days not in LIFETIME_DAYS:
        raise ApiTokenError("Choose how long the token stays valid.", field="lifetime_days")
    if not user.is_active:
        raise ApiTokenError("This account is deactivated.")
    # Lock the user row: two creates at once cannot both pass the count below.
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise ApiTokenError(
            f"You have {MAX_ACTIVE_TOKENS} tokens already. Revoke one you no longer use first."
        )
    token, prefix = _new_secret()
    api_token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        token_hash=hash_token(token),
        scope=scope,
        expires_at=timezone.now() + timedelta(days=lifetime_days),
    )
    return api_token, token


@transaction.atomic(durable=True)
def api_token_revoke(*, api_token: ApiToken, actor: User) -> ApiToken:
    """Revoke one of the actor's own tokens; revoking twice changes nothing."""
    if api_token.user_id != actor.pk:
        raise ApiTokenError("Only the owner of a token can revoke it.")
    locked = ApiToken.objects.select_for_update().get(pk=api_token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    api_token.revoked_at = locked.revoked_at
    return api_token


def api_token_authenticate(*, token: str, now: datetime | None = None) -> ApiToken | None:
    """The active token ``token`` is, with its user, or None (unknown, revoked, expired,
    or its user deactivated). Records when it was last used, at most once a minute."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    now = now or timezone.now()
    api_token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if api_token is None or not api_token.user.is_active:
        return None
    last = api_token.last_used_at
    if last is None or now - last >= LAST_USED_RESOLUTION:
        # A plain UPDATE outside any transaction of the request: it needs no lock and
        # must not fail the request it belongs to.
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        api_token.last_used_at = now
    return api_token
