"""Student profile and skill forms. Input validation only; writes happen in services."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.urls import reverse_lazy
from django.utils import timezone

from core.forms import BoundedModelMultipleChoiceField
from core.widgets import SkillPicker

from ..models import Institution, Skill, StudentProfile, StudentSkill
from ..selectors.profiles import student_skill_list
from ..services.profiles import MAX_SKILLS
from ..validators import validate_resume

MIN_GRADUATION_YEAR = 1980
YEARS_AHEAD = 8
MAX_WEEKLY_HOURS = 60
BIO_MAX = 2000


def _check_host(value: str, domain: str, label: str) -> str:
    if not value:
        return value
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not (host == domain or host.endswith("." + domain)):
        raise ValidationError(f"Enter the address of your {label} page, on {domain}.")
    return value


def _bound(field: forms.IntegerField, low: int, high: int, message: str) -> None:
    """Bounds on a model form's number field, whose column allows far more: checked by
    the field itself (before any clean_<field>) and shown to the browser as min/max."""
    field.min_value, field.max_value = low, high
    field.validators = [
        v for v in field.validators if not isinstance(v, MinValueValidator | MaxValueValidator)
    ] + [MinValueValidator(low, message), MaxValueValidator(high, message)]
    field.widget.attrs.update({"min": low, "max": high})


class ProfileForm(forms.ModelForm):
    first_name = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    institution = forms.ModelChoiceField(
        queryset=Institution.objects.order_by("name"),
        required=False,
        empty_label="Not listed / not at one of these",
        label="Institution",
        help_text=(
            "It shows as unverified until you confirm an email address at that "
            "institution (add it under Email addresses)."
        ),
    )
    resume = forms.FileField(
        required=False,
        label="Résumé (PDF, up to 5 MB)",
        validators=[validate_resume],
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={"empty": "The file is empty. Choose your résumé as a PDF."},
        help_text="Only you can download it now; employers see it when you apply.",
    )
    remove_resume = forms.BooleanField(required=False, label="Remove my current résumé")
    portfolio_url = forms.URLField(
        required=False,
        max_length=200,
        assume_scheme="https",
        label="Portfolio or personal site",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    linkedin_url = forms.URLField(
        required=False,
        max_length=200,
        assume_scheme="https",
        label="LinkedIn profile",
        widget=forms.URLInput(attrs={"placeholder": "https://www.linkedin.com/in/your-name"}),
    )
    github_url = forms.URLField(
        required=False,
        max_length=200,
        assume_scheme="https",
        label="GitHub profile",
        widget=forms.URLInput(attrs={"placeholder": "https://github.com/your-name"}),
    )

    class Meta:
        model = StudentProfile
        fields = [
            "major",
            "degree_level",
            "graduation_year",
            "graduation_date",
            "headline",
            "bio",
            "weekly_availability_hours",
            "share_with_career_office",
        ]
        labels = {
            "major": "Major or field of study",
            "degree_level": "Degree",
            "graduation_year": "Graduation year",
            "graduation_date": "Graduation date",
            "headline": "Headline",
            "bio": "About you",
            "weekly_availability_hours": "Hours a week you can work on projects",
            "share_with_career_office": "Share my activity with my career office",
        }
        help_texts = {
            "headline": "One line employers see first, e.g. “Economics junior who loves data”.",
            "graduation_year": "The year you graduated or expect to.",
            "graduation_date": (
                "The day you graduated or expect to (your commencement is fine). Career "
                "offices report outcomes by graduating class; the year follows this date."
            ),
            "share_with_career_office": (
                "If you turn this on, the career office of your verified institution can "
                "see which projects you applied to and completed, the ratings you got and "
                "any job offers. They use it to report graduate outcomes and to help you. "
                "They never see your messages. You can turn it off at any time."
            ),
        }
        widgets = {
            "graduation_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "bio": forms.Textarea(
                attrs={"rows": 5, "maxlength": BIO_MAX, "data-counter": "bio-count"}
            ),
            "headline": forms.TextInput(attrs={"data-counter": "headline-count"}),
        }

    def __init__(self, *args, user, **kwargs) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("first_name", user.first_name)
        initial.setdefault("last_name", user.last_name)
        instance = kwargs.get("instance")
        if instance is not None:
            initial.setdefault("institution", instance.institution_id)
        super().__init__(*args, **kwargs)
        max_year = timezone.now().year + YEARS_AHEAD
        _bound(
            self.fields["graduation_year"],
            MIN_GRADUATION_YEAR,
            max_year,
            f"Enter a year between {MIN_GRADUATION_YEAR} and {max_year}.",
        )
        _bound(
            self.fields["weekly_availability_hours"],
            1,
            MAX_WEEKLY_HOURS,
            f"Enter a number of hours from 1 to {MAX_WEEKLY_HOURS}.",
        )
        if instance is None or not instance.resume:
            del self.fields["remove_resume"]

    def clean_first_name(self) -> str:
        value = self.cleaned_data["first_name"].strip()
        if not value:
            raise ValidationError("Enter your first name.")
        return value

    def clean_last_name(self) -> str:
        value = self.cleaned_data["last_name"].strip()
        if not value:
            raise ValidationError("Enter your last name.")
        return value

    def clean_graduation_date(self):
        day = self.cleaned_data.get("graduation_date")
        max_year = timezone.now().year + YEARS_AHEAD
        if day is not None and not MIN_GRADUATION_YEAR <= day.year <= max_year:
            raise ValidationError(
                f"Enter a date between {MIN_GRADUATION_YEAR} and the end of {max_year}."
            )
        return day

    def clean_bio(self) -> str:
        # The model column is unbounded text: the limit lives here, not only in the HTML.
        bio = self.cleaned_data.get("bio", "")
        if len(bio) > BIO_MAX:
            raise ValidationError(
                f"Write at most {BIO_MAX:,} characters here (this has {len(bio):,})."
            )
        return bio

    def clean_linkedin_url(self) -> str:
        return _check_host(self.cleaned_data.get("linkedin_url", ""), "linkedin.com", "LinkedIn")

    def clean_github_url(self) -> str:
        return _check_host(self.cleaned_data.get("github_url", ""), "github.com", "GitHub")

    def clean_portfolio_url(self) -> str:
        value = self.cleaned_data.get("portfolio_url", "")
        if value and urlsplit(value).scheme not in ("http", "https"):
            raise ValidationError("Enter a web address starting with https://.")
        return value

    def clean(self) -> dict:
        data = super().clean()
        if data.get("graduation_date") is not None:
            data["graduation_year"] = data["graduation_date"].year
        if data.get("resume") and data.get("remove_resume"):
            self.add_error("remove_resume", "Either upload a new résumé or remove it, not both.")
        return data

    def _post_clean(self) -> None:
        # Validation only: the model instance is written by profile_update, never by
        # the form, so do not copy cleaned data onto it here.
        pass

    def profile_changes(self) -> dict:
        names = [*self._meta.fields, "portfolio_url", "linkedin_url", "github_url"]
        return {name: self.cleaned_data[name] for name in names}


class StudentSkillChoices(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj: Skill) -> str:
        # Without script the picker is a plain list: the category tells similar names
        # apart (the chip shows the name alone).
        return f"{obj.name} — {obj.category.name}"


class StudentSkillForm(forms.Form):
    """Add several skills at one level, change one skill's level, or remove one.

    ``skills`` (the picker) is for adding; ``skill`` names the one row that a level change
    or a removal acts on. Skills already on the profile are not offered for adding: their
    level is changed in their own row.
    """

    ADD, LEVEL, REMOVE = "add", "level", "remove"

    action = forms.ChoiceField(
        choices=[(ADD, "Add"), (LEVEL, "Change level"), (REMOVE, "Remove")],
        widget=forms.HiddenInput,
    )
    skills = StudentSkillChoices(
        queryset=Skill.objects.none(),
        label="Skills to add",
        widget=SkillPicker(search_url=reverse_lazy("accounts:skill-search")),
        error_messages={
            "required": "Choose at least one skill to add.",
            "invalid_choice": (
                "Choose skills from the list. A skill already on your profile is changed "
                "in its row above."
            ),
            "invalid_pk_value": "Choose skills from the list.",
        },
    )
    skill = forms.ModelChoiceField(
        queryset=Skill.objects.all(),
        label="Skill",
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choose a skill from the list.",
            "invalid_choice": "Choose a skill from the list.",
        },
    )
    level = forms.TypedChoiceField(
        choices=[(value, f"{value} · {label}") for value, label in StudentSkill.Level.choices],
        coerce=int,
        label="Your level",
        initial=StudentSkill.Level.WORKING,
        help_text="For every skill you add now; change any one of them in its row above.",
        error_messages={
            "required": "Choose your level.",
            "invalid_choice": "Choose a level from 1 (beginner) to 5 (expert), not %(value)s.",
        },
    )

    def __init__(self, *args, profile: StudentProfile, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.profile = profile
        listed = student_skill_list(profile=profile).values("skill_id")
        self.fields["skills"].queryset = (
            Skill.objects.exclude(pk__in=listed).select_related("category").order_by("name")
        )
        # What each action needs: adding, the picker's skills and a level; a level change,
        # the one skill and its level; a removal, the skill alone. Set here rather than
        # checked in clean() so the rendered add form marks both fields required.
        action = self.data.get("action") if self.is_bound else self.ADD
        self.fields["skills"].required = action == self.ADD
        self.fields["skill"].required = action != self.ADD
        self.fields["level"].required = action != self.REMOVE

    def clean(self) -> dict:
        data = super().clean()
        skills = data.get("skills")
        if data.get("action") == self.ADD and skills:
            # Checked before any write, so a choice over the cap adds none of them
            # (student_skills_add checks it again, under the profile's lock).
            have = student_skill_list(profile=self.profile).count()
            room = MAX_SKILLS - have
            if room <= 0:
                self.add_error(
                    "skills",
                    f"You already list {MAX_SKILLS} skills, the most you can. "
                    "Remove one to add another.",
                )
            elif len(skills) > room:
                self.add_error(
                    "skills",
                    f"You can list up to {MAX_SKILLS} skills and have {have}: choose at "
                    f"most {room} (you chose {len(skills)}).",
                )
        return data
