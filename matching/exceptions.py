"""Domain errors of the matching app. Views show their message; none of them is a 500."""

from __future__ import annotations

from core.exceptions import DomainError, InvalidTransition

__all__ = [
    "AlreadyApplied",
    "ApplicationError",
    "ApplicationValidationError",
    "DeadlinePassed",
    "DomainError",
    "EngagementError",
    "InvalidTransition",
    "MatchingError",
    "NetworkError",
    "NotAllowed",
    "NotEligible",
    "ProfileIncomplete",
    "ProjectNotOpen",
    "SlotsFull",
    "WebhookError",
]


class MatchingError(DomainError):
    """Base of every rule of the matching app that refused a request."""


class NotAllowed(MatchingError):
    """The actor may not act on this object (not the applicant, not a member…)."""


# ------------------------------------------------------------------------------
# Applying and selection
# ------------------------------------------------------------------------------
class ApplicationError(MatchingError):
    """An application rule refused the request."""


class ProjectNotOpen(ApplicationError):
    def __init__(self, project=None):
        status = project.get_status_display().lower() if project is not None else "not open"
        super().__init__(f"This project is not taking applications: it is {status}.")


class DeadlinePassed(ApplicationError):
    def __init__(self):
        super().__init__("The application deadline for this project has passed.")


class AlreadyApplied(ApplicationError):
    def __init__(self):
        super().__init__("You have already applied to this project.")


class NotEligible(ApplicationError):
    def __init__(self, message: str = "Only students with a profile can apply to projects."):
        super().__init__(message)


class ProfileIncomplete(ApplicationError):
    """``missing`` lists what the profile lacks, in words ("your major")."""

    def __init__(self, missing: list[str]):
        self.missing = list(missing)
        super().__init__(
            "Complete your profile before applying. It still needs " + _join(self.missing) + "."
        )


class ApplicationValidationError(ApplicationError):
    """The submitted content breaks a rule. ``field`` names the form field, if any."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class SlotsFull(ApplicationError):
    def __init__(self, slots: int):
        places = "The only place" if slots == 1 else f"All {slots} places"
        super().__init__(
            f"{places} on this project {'is' if slots == 1 else 'are'} already taken: "
            "nobody else can be accepted."
        )


# ------------------------------------------------------------------------------
# Engagements (the workspace)
# ------------------------------------------------------------------------------
class EngagementError(MatchingError):
    """An engagement rule refused the request."""


# ------------------------------------------------------------------------------
# The network (connections, follows, invitations)
# ------------------------------------------------------------------------------
class NetworkError(MatchingError):
    """A rule of connections, follows or invitations refused the request. ``field``
    names the form field it is about, if any."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# ------------------------------------------------------------------------------
# Webhooks
# ------------------------------------------------------------------------------
class WebhookError(MatchingError):
    """An endpoint or delivery rule refused the request. ``field`` names the form field."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field
