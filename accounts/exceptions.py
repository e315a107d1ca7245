from core.exceptions import DomainError


class InvitationError(DomainError):
    """An invitation link cannot be used (expired, used, revoked, wrong address)."""


class MembershipError(DomainError):
    """A change to an organization's or career office's members breaks a rule.
    ``field`` names the form field it belongs to, when there is one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class ApiTokenError(DomainError):
    """A personal access token cannot be created or changed as asked. ``field`` names
    the form field it belongs to, when there is one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field
