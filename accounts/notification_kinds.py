"""The registry of notification kinds: what each one is called, where it sits on the
preferences page, who can receive it and how it is delivered unless the user chose
otherwise.

Delivery:

    in_app   only in the inbox (no email)
    email    an email right away
    digest   collected into one email a day (accounts.tasks.send_daily_digests)

accounts only delivers notifications; it never writes their content. So each app
declares the kinds it sends in its own ``notification_kinds`` module, which calls
``register`` when the app loads (from its AppConfig.ready()); accounts declares its
own kinds at the bottom of this module. ``notify`` with a kind nobody registered raises
``UnknownNotificationKind``: a typo in a kind is a bug, not a silent email.
This module imports nothing from the app so models can use ``Delivery``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.db import models


class Delivery(models.TextChoices):
    IN_APP = "in_app", "In the app only"
    EMAIL = "email", "Email right away"
    DIGEST = "digest", "Daily digest email"


STUDENT = "student"
EMPLOYER = "employer"
CAREER_OFFICE = "career_office"
EVERYONE = frozenset({STUDENT, EMPLOYER, CAREER_OFFICE})

# The token kind of a digest email's unsubscribe link: every digest kind → in-app.
DIGEST_UNSUBSCRIBE = "digest"


class UnknownNotificationKind(LookupError):
    """A kind no app registered: a programming error, never shown to a user."""

    def __init__(self, key: str):
        super().__init__(
            f"Unknown notification kind {key!r}: declare it with register() in the "
            "sending app's notification_kinds module."
        )
        self.key = key


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: str
    default: str = Delivery.EMAIL
    audience: frozenset[str] = EVERYONE
    # Other keys services send for this kind: they share its preference and template.
    aliases: tuple[str, ...] = ()
    group: str = ""


def notification_kind(
    key: str, label: str, default: str, *audience: str, aliases: tuple[str, ...] = ()
) -> NotificationKind:
    """A kind for ``register``; no ``audience`` means every role can receive it."""
    return NotificationKind(
        key=key,
        label=label,
        default=default,
        audience=frozenset(audience) if audience else EVERYONE,
        aliases=aliases,
    )


KINDS: dict[str, NotificationKind] = {}
ALIASES: dict[str, str] = {}
# Group → its position on the preferences page (lower first).
GROUP_POSITIONS: dict[str, int] = {}


def register(group: str, *kinds: NotificationKind, position: int) -> None:
    """Declare ``kinds`` under the preferences page's section ``group``, shown at
    ``position``. Registering the same kind again changes nothing; a second, different
    kind under a key already taken is an error."""
    if GROUP_POSITIONS.setdefault(group, position) != position:
        raise ValueError(f"Notification group {group!r} already has another position.")
    for kind in kinds:
        kind = dataclasses.replace(kind, group=group)
        for key in (kind.key, *kind.aliases):
            taken = KINDS.get(key) or KINDS.get(ALIASES.get(key, ""))
            if taken is not None and taken != kind:
                raise ValueError(f"Notification kind {key!r} is already registered.")
        KINDS[kind.key] = kind
        ALIASES.update(dict.fromkeys(kind.aliases, kind.key))


def canonical_kind(key: str) -> str:
    return ALIASES.get(key, key)


def kind_get(key: str) -> NotificationKind:
    """The registered kind of ``key`` (or of the kind it is an alias of)."""
    try:
        return KINDS[canonical_kind(key)]
    except KeyError:
        raise UnknownNotificationKind(key) from None


def kind_describe(key: str) -> NotificationKind:
    """The kind of a notification already stored: registered, or, for a row recorded
    under a kind since renamed or removed, a readable label, so its email still goes."""
    try:
        return kind_get(key)
    except UnknownNotificationKind:
        label = key.replace("_", " ").replace("-", " ").strip().capitalize() or "Notification"
        return NotificationKind(key=key, label=label)


def _in_page_order(kinds) -> list[NotificationKind]:
    return sorted(kinds, key=lambda kind: GROUP_POSITIONS[kind.group])


def kinds_for_role(role: str | None) -> list[NotificationKind]:
    """Kinds a user of this role can receive (all of them for an unknown role), in the
    preferences page's order."""
    if role not in EVERYONE:
        return _in_page_order(KINDS.values())
    return _in_page_order(k for k in KINDS.values() if role in k.audience)


def kinds_by_group(kinds: list[NotificationKind]) -> list[tuple[str, list[NotificationKind]]]:
    grouped: dict[str, list[NotificationKind]] = {}
    for kind in _in_page_order(kinds):
        grouped.setdefault(kind.group, []).append(kind)
    return list(grouped.items())


# ------------------------------------------------------------------------------
# accounts' own kinds
# ------------------------------------------------------------------------------
register(
    "Organization and team",
    notification_kind(
        "invitation_sent",
        "You were invited to join a team",
        Delivery.EMAIL,
        aliases=("organization_invitation", "career_office_invitation"),
    ),
    notification_kind(
        "organization_verified", "Your organization was verified", Delivery.EMAIL, EMPLOYER
    ),
    notification_kind(
        "organization_unverified",
        "Your organization's verification was removed",
        Delivery.EMAIL,
        EMPLOYER,
    ),
    notification_kind(
        "organization_member_joined", "Someone joined your organization", Delivery.DIGEST, EMPLOYER
    ),
    notification_kind(
        "organization_member_left", "Someone left your organization", Delivery.DIGEST, EMPLOYER
    ),
    notification_kind(
        "organization_member_removed",
        "You were removed from an organization",
        Delivery.EMAIL,
        EMPLOYER,
    ),
    notification_kind(
        "organization_member_promoted",
        "Your role in the organization changed",
        Delivery.EMAIL,
        EMPLOYER,
    ),
    notification_kind(
        "career_office_member_joined",
        "Someone joined your career office",
        Delivery.DIGEST,
        CAREER_OFFICE,
    ),
    position=70,
)
