"""Domain errors of project posting. Views show their message; none of them is a 500."""

from core.exceptions import DomainError, InvalidTransition

__all__ = ["InvalidTransition", "ProjectError", "ProjectValidationError"]


class ProjectError(DomainError):
    """A posting rule refused the request (not a member, deadline passed, …)."""


class ProjectValidationError(ProjectError):
    """The project's content breaks a rule. ``field`` names the form field it belongs to
    when there is one, so a view can show it beside that field."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field
