"""Form fields every app's forms share. They import no app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import connections, models


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows in which a key past the key column's range is an
    invalid choice. Django checks the whole list with one ``pk__in`` query, and that
    lookup does not range-check: ``9223372036854775808`` reached the database driver,
    which raised OverflowError (SQLite) or DataError (PostgreSQL), a 500."""

    def clean(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            self._refuse_out_of_range(value)
        return super().clean(value)

    def _refuse_out_of_range(self, values: list[Any] | tuple[Any, ...]) -> None:
        queryset = self.queryset
        if queryset is None:
            return
        meta = queryset.model._meta
        key = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
        if not isinstance(key, models.IntegerField):
            return
        low, high = connections[queryset.db].ops.integer_field_range(key.get_internal_type())
        for value in values:
            try:
                number = int(str(value))
            except ValueError:
                continue  # not a number: Django's own check names it
            if (low is not None and number < low) or (high is not None and number > high):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": value},
                )
