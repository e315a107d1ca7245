"""Domain errors: a rule of the domain refused the request. Views show the message."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the domain refused the request. The message is shown to the user."""


class InvalidTransition(DomainError):
    def __init__(self, obj: Any, to_status: str):
        # ``obj`` is a core.statemachine.StatefulModel (which imports this module).
        self.obj = obj
        self.to_status = to_status
        label = obj._meta.verbose_name
        current = obj.get_status_display()
        target = dict(type(obj).Status.choices).get(to_status, to_status)
        super().__init__(f"This {label} is {current.lower()} and cannot become {target.lower()}.")
