"""The one state-machine mechanism every stateful model uses.

A stateful model declares its ``Status`` choices and a ``TRANSITIONS`` table (from
status → the statuses it may move to), and names its typed history model. Services call
:func:`transition` inside their own ``transaction.atomic(durable=True)`` block: it locks
the row, checks the table, saves the new status and writes the audit row. An illegal
move raises :class:`InvalidTransition`, which views turn into a message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models, transaction

from .exceptions import InvalidTransition


class StatefulModel(models.Model):
    """Abstract base: ``status`` plus the transition table that governs it."""

    TRANSITIONS: dict[str, frozenset[str]] = {}
    #: name of the reverse accessor of the typed history model (``ProjectStatusChange``…)
    history_accessor: str = "status_changes"

    if TYPE_CHECKING:
        # Declared by each concrete model (the field, its choices and Django's display
        # method); named here so the helpers below type-check.
        status: str
        Status: ClassVar[type[models.TextChoices]]

        def get_status_display(self) -> str: ...

    class Meta:
        abstract = True

    @classmethod
    def can_transition(cls, from_status: str, to_status: str) -> bool:
        return to_status in cls.TRANSITIONS.get(from_status, frozenset())

    def available_statuses(self) -> frozenset[str]:
        return self.TRANSITIONS.get(self.status, frozenset())


class StatusChange(models.Model):
    """Abstract audit row: who moved what from which status to which, when and why."""

    from_status = models.CharField(max_length=32)
    to_status = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


def transition(
    obj: StatefulModel,
    *,
    to_status: str,
    actor: Any | None,
    note: str = "",
    fields: dict[str, Any] | None = None,
) -> StatefulModel:
    """Move ``obj`` to ``to_status`` under a row lock and record the change.

    ``fields`` are other attributes to set in the same save (``decided_at``, a reason).
    Returns the locked, updated instance; ``obj`` is refreshed in place as well so the
    caller's reference does not go stale.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition() must run inside the calling service's transaction")
    model = type(obj)
    locked = model._default_manager.select_for_update().get(pk=obj.pk)
    if not model.can_transition(locked.status, to_status):
        raise InvalidTransition(locked, to_status)
    from_status = locked.status
    locked.status = to_status
    update_fields: list[str] = ["status"]
    for name, value in (fields or {}).items():
        setattr(locked, name, value)
        update_fields.append(name)
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        update_fields.append("updated_at")
    locked.save(update_fields=update_fields)
    getattr(locked, model.history_accessor).create(
        from_status=from_status, to_status=to_status, actor=actor, note=note
    )
    for name in update_fields:
        setattr(obj, name, getattr(locked, name))
    return locked


def transition_table_pairs(model: type[StatefulModel]) -> Iterable[tuple[str, str, bool]]:
    """Every (from, to, legal) pair of a model's statuses, for parametrized tests."""
    statuses = [value for value, _ in model.Status.choices]
    for from_status in statuses:
        for to_status in statuses:
            if from_status != to_status:
                yield from_status, to_status, model.can_transition(from_status, to_status)
