"""The network's forms. They validate input only; the services repeat the rules that
matter (who worked together, who may be invited) and do the writes."""

from __future__ import annotations

from django import forms

from ..models import Connection, ProjectInvitation


class ConnectionRequestForm(forms.Form):
    note = forms.CharField(
        label="A note",
        required=False,
        max_length=Connection.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": Connection.NOTE_MAX}),
        error_messages={"max_length": f"Keep the note under {Connection.NOTE_MAX} characters."},
    )


class NetworkPreferenceForm(forms.Form):
    accepts_invitations = forms.BooleanField(
        label="Organizations I worked for may invite me to their new projects",
        required=False,
    )


class InvitationForm(forms.Form):
    """Invite one of ``students`` (the project's invitable past interns)."""

    student = forms.TypedChoiceField(
        label="Past intern",
        coerce=int,
        error_messages={
            "required": "Choose a past intern to invite.",
            "invalid_choice": "Choose a past intern from the list.",
        },
    )
    kind = forms.ChoiceField(
        label="Invite them",
        choices=[
            (ProjectInvitation.Kind.APPLY, "To apply, like anyone else"),
            (ProjectInvitation.Kind.REHIRE, "Straight into the project, if they accept"),
        ],
        initial=ProjectInvitation.Kind.APPLY,
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label="A personal message",
        required=False,
        max_length=ProjectInvitation.MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": ProjectInvitation.MESSAGE_MAX}),
        error_messages={
            "max_length": f"Keep the message under {ProjectInvitation.MESSAGE_MAX} characters."
        },
    )

    def __init__(self, *args, students=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].choices = [("", "Choose…")] + [
            (s.pk, f"{s}" + (f" — {s.last_project_title}" if s.last_project_title else ""))
            for s in students
        ]
