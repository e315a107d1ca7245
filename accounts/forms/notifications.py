"""The notification preferences form: one radio group per kind the user can receive."""

from __future__ import annotations

from django import forms

from ..notification_kinds import Delivery, NotificationKind, kinds_by_group


class NotificationPreferencesForm(forms.Form):
    def __init__(self, *args, preferences: list[tuple[NotificationKind, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = [kind for kind, _ in preferences]
        for kind, delivery in preferences:
            self.fields[kind.key] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                initial=delivery,
                widget=forms.RadioSelect,
                help_text=f"Default: {Delivery(kind.default).label.lower()}.",
            )

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The bound fields by group, in the registry's group order."""
        return [
            (group, [self[kind.key] for kind in kinds])
            for group, kinds in kinds_by_group(self.kinds)
        ]

    def deliveries(self) -> dict[str, str]:
        return {kind.key: self.cleaned_data[kind.key] for kind in self.kinds}
