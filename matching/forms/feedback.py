"""Input checks for two-sided feedback. Forms validate only; the services repeat the
rules that matter and do the writes."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy

from accounts.models import Skill
from core.forms import BoundedModelMultipleChoiceField
from core.widgets import SkillPicker

from ..models import Competency

STARS = [(str(n), str(n)) for n in range(1, 6)]
YES_NO = [("yes", "Yes"), ("no", "No")]
OUTCOMES_MAX = 5
OUTCOME_MAX = 200
# Five outcomes of 200 characters, their line breaks and some slack for spacing.
OUTCOMES_TEXT_MAX = 1100
SKILLS_MAX = 12


def _stars(label: str, *, optional: bool = False, help_text: str = "") -> forms.TypedChoiceField:
    choices = ([("", "Not observed")] if optional else []) + STARS
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        empty_value=None,
        required=not optional,
        initial="" if optional else None,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": f"Rate {label.lower()} from 1 to 5."},
    )


def _yes_no(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Answer yes or no."},
    )


class SkillChoices(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj: Skill) -> str:
        return obj.name


class SupervisorFeedbackForm(forms.Form):
    """Ratings per NACE competency (each may be "not observed"), an overall rating,
    written feedback, endorsed skills, quantified outcomes, would-hire, and an optional
    recommendation."""

    overall_rating = _stars("Overall")
    written_feedback = forms.CharField(
        label="Written feedback",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 4000}),
        help_text="What went well, and what to work on next. The intern sees this.",
        error_messages={"required": "Write a few sentences of feedback."},
    )
    skills = SkillChoices(
        label="Skills from the project they demonstrated",
        queryset=Skill.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_skills = SkillChoices(
        label="Other skills they demonstrated",
        queryset=Skill.objects.none(),
        required=False,
        widget=SkillPicker(search_url=reverse_lazy("accounts:skill-search")),
        help_text="Skills the project did not list that they showed, if any.",
    )
    outcomes = forms.CharField(
        label="Quantified outcomes",
        required=False,
        max_length=OUTCOMES_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line, up to 5. E.g. “Grew newsletter click-through from 2.1% to 3.4%”.",
    )
    would_hire = _yes_no("Would you hire or work with this intern again?")
    recommendation = forms.CharField(
        label="Recommendation (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        help_text="A quote the intern may choose to show on their public record.",
    )

    def __init__(self, *args, project_skills=None, other_skills=None, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Competency.choices:
            self.fields[value] = _stars(label, optional=True)
        project_ids = [s.pk for s in project_skills or []]
        self.fields["skills"].queryset = Skill.objects.filter(pk__in=project_ids).order_by("name")
        if other_skills is None:
            self.fields["other_skills"].queryset = Skill.objects.exclude(pk__in=project_ids)
        else:
            self.fields["other_skills"].queryset = Skill.objects.filter(
                pk__in=[s.pk for s in other_skills]
            ).exclude(pk__in=project_ids)
        # Competencies first, in the NACE order, then the rest.
        order = [*Competency.values, "overall_rating", "written_feedback", "skills"]
        order += ["other_skills", "outcomes", "would_hire", "recommendation"]
        self.order_fields(order)

    def competency_fields(self):
        return [self[value] for value in Competency.values]

    def clean_outcomes(self) -> list[str]:
        lines = [" ".join(line.split()) for line in self.cleaned_data["outcomes"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > OUTCOMES_MAX:
            raise forms.ValidationError(f"List at most {OUTCOMES_MAX} outcomes, one per line.")
        for line in lines:
            if len(line) > OUTCOME_MAX:
                raise forms.ValidationError(
                    f"Keep each outcome under {OUTCOME_MAX} characters: “{line[:40]}…”."
                )
        return lines

    def clean(self):
        cleaned = super().clean()
        chosen = list(cleaned.get("skills") or []) + list(cleaned.get("other_skills") or [])
        if len({s.pk for s in chosen}) > SKILLS_MAX:
            self.add_error("other_skills", f"Endorse at most {SKILLS_MAX} skills.")
        cleaned["all_skills"] = chosen
        return cleaned

    def ratings(self) -> dict[str, int | None]:
        return {value: self.cleaned_data.get(value) for value in Competency.values}


class InternFeedbackForm(forms.Form):
    brief_clarity = _stars("Clarity of the brief")
    mentorship = _stars("Quality of mentorship")
    scope_fairness = _stars("Fairness of scope for the fee")
    would_recommend = _yes_no("Would you recommend this organization to other students?")
    comment = forms.CharField(
        label="Comment (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 4000}),
    )


class FeedbackReplyForm(forms.Form):
    reply = forms.CharField(
        label="Your public reply",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        error_messages={"required": "Write your reply before sending."},
    )
