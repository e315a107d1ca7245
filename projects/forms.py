"""Input validation for posting a project. The forms only validate: the posting services
store (and re-check the same rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.urls import reverse_lazy
from django.utils import timezone

from accounts.models import Organization, Skill, User
from core.forms import BoundedModelMultipleChoiceField
from core.widgets import SkillPicker

from .models import Project
from .services.posting import MAX_SLOTS

# The fee column holds up to 2,147,483,647; a micro-internship of at most 40 hours is paid
# far less than this, so a larger number is a typo (or a probe), not a fee.
MAX_FEE = 100_000
DESCRIPTION_MAX = 10_000
DELIVERABLES_MAX = 3_000
ELIGIBILITY_NOTES_MAX = 2_000


class SkillChoiceField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj: Skill) -> str:
        return f"{obj.name} — {obj.category.name}"


def _skill_field(label: str, *, required: bool, help_text: str) -> SkillChoiceField:
    return SkillChoiceField(
        queryset=Skill.objects.select_related("category").order_by("name"),
        required=required,
        label=label,
        help_text=help_text,
        widget=SkillPicker(search_url=reverse_lazy("accounts:skill-search")),
    )


class ProjectForm(forms.Form):
    title = forms.CharField(
        max_length=140,
        help_text="What the intern will do, in a few words: “Build a churn dashboard”.",
    )
    summary = forms.CharField(
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One or two sentences shown in search results.",
    )
    description = forms.CharField(
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="The context, the task and what good work looks like.",
    )
    deliverables = forms.CharField(
        max_length=DELIVERABLES_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the intern hands over, one per line, in order.",
    )
    required_skills = _skill_field(
        "Required skills",
        required=True,
        help_text="At least one.",
    )
    nice_to_have_skills = _skill_field(
        "Nice-to-have skills",
        required=False,
        help_text="Optional. A skill cannot be both required and nice to have.",
    )
    category = forms.ChoiceField(choices=[("", "Choose a category"), *Project.Category.choices])
    work_mode = forms.ChoiceField(choices=Project.WorkMode.choices, label="Work mode")
    location = forms.CharField(
        max_length=120, required=False, help_text="Required for on-site and hybrid projects."
    )
    estimated_hours = forms.IntegerField(
        min_value=Project.MIN_HOURS,
        max_value=Project.MAX_HOURS,
        label="Estimated hours",
        help_text=f"Between {Project.MIN_HOURS} and {Project.MAX_HOURS} hours of work.",
    )
    fee = forms.IntegerField(
        min_value=1,
        max_value=MAX_FEE,
        label="Fixed fee",
        error_messages={"max_value": f"A fee can be at most {MAX_FEE:,}."},
    )
    currency = forms.ChoiceField(choices=Project.Currency.choices)
    application_deadline = forms.DateTimeField(
        label="Application deadline",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Applications close at this time; the project closes itself then.",
    )
    due_date = forms.DateField(
        required=False,
        label="Due date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="When the work is due. Give a due date or a duration.",
    )
    duration_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=180,
        label="Duration in days",
        help_text="Days from the start to the due date, if there is no fixed due date.",
    )
    slots = forms.IntegerField(
        min_value=1,
        max_value=MAX_SLOTS,
        initial=1,
        label="Number of interns",
        help_text=f"How many students you will hire for this project (1–{MAX_SLOTS}).",
    )
    supervisor = forms.ModelChoiceField(
        queryset=User.objects.none(),
        help_text="The member of your organization who guides the intern and accepts the work.",
    )
    screening_question_1 = forms.CharField(
        max_length=300, required=False, label="Screening question 1 (optional)"
    )
    screening_question_2 = forms.CharField(
        max_length=300, required=False, label="Screening question 2 (optional)"
    )
    screening_question_3 = forms.CharField(
        max_length=300, required=False, label="Screening question 3 (optional)"
    )
    eligibility_notes = forms.CharField(
        required=False,
        max_length=ELIGIBILITY_NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Eligibility notes",
        help_text="Optional: work authorization, year of study, time zone…",
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["supervisor"].queryset = User.objects.filter(
            membership__organization=organization
        ).order_by("first_name", "last_name", "email")
        self.fields["fee"].help_text = self._fee_help_text()

    def _fee_help_text(self) -> str:
        floor = settings.PAY_FLOOR_PER_HOUR
        hours = self.data.get(self.add_prefix("estimated_hours")) if self.is_bound else None
        hours = hours or self.initial.get("estimated_hours")
        currency = (
            self.data.get(self.add_prefix("currency")) if self.is_bound else None
        ) or self.initial.get("currency", Project.Currency.USD)
        try:
            hours = int(hours)
        except (TypeError, ValueError):
            hours = None
        text = f"In whole units of the currency. The fee must be at least {floor} per hour"
        if hours and Project.MIN_HOURS <= hours <= Project.MAX_HOURS:
            return (
                f"{text}: at least {Project.minimum_fee_for(hours)} {currency} for {hours} hours."
            )
        return (
            f"{text}: {Project.minimum_fee_for(Project.MIN_HOURS)} for {Project.MIN_HOURS} hours, "
            f"{Project.minimum_fee_for(Project.MAX_HOURS)} for {Project.MAX_HOURS} hours."
        )

    # --- field rules ---------------------------------------------------------------
    def clean_deliverables(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["deliverables"].splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            raise forms.ValidationError("List at least one deliverable, one per line.")
        return lines

    def clean_application_deadline(self):
        deadline = self.cleaned_data["application_deadline"]
        if deadline <= timezone.now():
            raise forms.ValidationError("The application deadline must be in the future.")
        return deadline

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        required = set(data.get("required_skills") or [])
        nice = set(data.get("nice_to_have_skills") or [])
        overlap = sorted(skill.name for skill in required & nice)
        if overlap:
            self.add_error(
                "nice_to_have_skills",
                f"A skill cannot be both required and nice to have: {', '.join(overlap)}.",
            )
        if (
            data.get("work_mode") in (Project.WorkMode.ONSITE, Project.WorkMode.HYBRID)
            and not (data.get("location") or "").strip()
        ):
            self.add_error("location", "On-site and hybrid projects need a location.")
        hours, fee = data.get("estimated_hours"), data.get("fee")
        if hours is not None and fee is not None and fee < Project.minimum_fee_for(hours):
            self.add_error(
                "fee",
                Project.pay_floor_message(hours, data.get("currency") or Project.Currency.USD),
            )
        neither_given = data.get("due_date") is None and data.get("duration_days") is None
        if neither_given and not {"due_date", "duration_days"} & set(self.errors):
            self.add_error("duration_days", "Give a due date or a duration in days.")
        deadline, due = data.get("application_deadline"), data.get("due_date")
        if deadline and due and due <= timezone.localdate(deadline):
            self.add_error("due_date", "The due date must come after the application deadline.")
        return data

    # --- for the view -------------------------------------------------------------
    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned data as the posting services' keyword arguments."""
        data = self.cleaned_data
        return {
            "supervisor": data["supervisor"],
            "title": data["title"],
            "summary": data["summary"],
            "description": data["description"],
            "deliverables": data["deliverables"],
            "required_skills": list(data["required_skills"]),
            "nice_to_have_skills": list(data["nice_to_have_skills"]),
            "category": data["category"],
            "work_mode": data["work_mode"],
            "location": data["location"],
            "estimated_hours": data["estimated_hours"],
            "fee": data["fee"],
            "currency": data["currency"],
            "application_deadline": data["application_deadline"],
            "due_date": data["due_date"],
            "duration_days": data["duration_days"],
            "slots": data["slots"],
            "screening_questions": [
                data[f"screening_question_{i}"]
                for i in range(1, Project.MAX_SCREENING_QUESTIONS + 1)
                if data[f"screening_question_{i}"].strip()
            ],
            "eligibility_notes": data["eligibility_notes"],
        }

    @classmethod
    def initial_from(cls, project: Project) -> dict[str, Any]:
        """Initial values to edit an existing project."""
        initial: dict[str, Any] = {
            name: getattr(project, name)
            for name in (
                "title",
                "summary",
                "description",
                "category",
                "work_mode",
                "location",
                "estimated_hours",
                "fee",
                "currency",
                "due_date",
                "duration_days",
                "slots",
                "eligibility_notes",
            )
        }
        initial["supervisor"] = project.supervisor_id
        initial["deliverables"] = "\n".join(project.deliverables)
        initial["application_deadline"] = timezone.localtime(project.application_deadline)
        skills = list(project.project_skills.all())
        initial["required_skills"] = [ps.skill_id for ps in skills if ps.is_required]
        initial["nice_to_have_skills"] = [ps.skill_id for ps in skills if not ps.is_required]
        for i, question in enumerate(project.screening_questions[:3], start=1):
            initial[f"screening_question_{i}"] = question
        return initial


class ReturnForm(forms.Form):
    note = forms.CharField(
        label="What should the employer change?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why are you cancelling this project?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Kept in the project's history.",
    )


class CloseForm(forms.Form):
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=500,
        help_text="Kept in the project's history.",
    )
