"""Applying to a project: a cover note and one answer per screening question."""

from __future__ import annotations

from django import forms

from ..models import Application


class ApplicationForm(forms.Form):
    cover_note = forms.CharField(
        label="Cover note",
        max_length=Application.COVER_NOTE_MAX,
        strip=True,
        help_text="A few sentences: why this project, and what you bring to it.",
        error_messages={"required": "Write a short cover note."},
        widget=forms.Textarea(
            attrs={
                "rows": 6,
                "maxlength": Application.COVER_NOTE_MAX,
                "data-counter": "cover-note-counter",
                "aria-describedby": "cover-note-counter id_cover_note_helptext",
            }
        ),
    )

    def __init__(self, *args, questions: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions or [])
        for index, question in enumerate(self.questions):
            self.fields[f"answer_{index}"] = forms.CharField(
                label=question,
                max_length=Application.ANSWER_MAX,
                strip=True,
                error_messages={"required": "Answer this question."},
                widget=forms.Textarea(
                    attrs={
                        "rows": 3,
                        "maxlength": Application.ANSWER_MAX,
                        "data-counter": f"answer-{index}-counter",
                        "aria-describedby": f"answer-{index}-counter",
                    }
                ),
            )

    def answer_fields(self) -> list[tuple[forms.BoundField, str]]:
        """(bound field, counter id) per question, for the template."""
        return [(self[f"answer_{i}"], f"answer-{i}-counter") for i in range(len(self.questions))]

    def answers(self) -> list[str]:
        return [self.cleaned_data[f"answer_{i}"] for i in range(len(self.questions))]
