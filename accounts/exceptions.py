from core.exceptions import DomainError


class InvitationError(DomainError):
    """An invitation link cannot be used (expired, used, revoked, wrong address)."""


class MembershipError(DomainError):
    """A change to an organization's or career office's members breaks a rule."""
