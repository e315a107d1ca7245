"""The browse filter form: GET, every field optional. A bad value never fails the page:
the view keeps the valid filters and shows a note for each ignored one."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy

from core.widgets import SkillPicker

from .models import Project
from .search import MAX_QUERY_LENGTH
from .selectors.discovery import (
    SORT_DEADLINE,
    SORT_FEE,
    SORT_MATCH,
    SORT_NEWEST,
    SORT_RELEVANCE,
    BrowseFilters,
    skill_choice_groups,
)

DEADLINE_CHOICES = [
    ("", "Any time"),
    ("3", "Within 3 days"),
    ("7", "Within a week"),
    ("14", "Within 2 weeks"),
    ("30", "Within a month"),
]
POSTED_CHOICES = [
    ("", "Any time"),
    ("1", "Last 24 hours"),
    ("7", "Last week"),
    ("14", "Last 2 weeks"),
    ("30", "Last month"),
]
SORT_CHOICES = [
    (SORT_NEWEST, "Newest"),
    (SORT_RELEVANCE, "Relevance"),
    (SORT_DEADLINE, "Deadline (soonest)"),
    (SORT_FEE, "Fee (highest)"),
    (SORT_MATCH, "Best match for me"),
]
MAX_FEE = 1_000_000


class BrowseFilterForm(forms.Form):
    q = forms.CharField(
        label="Keywords",
        required=False,
        max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "e.g. SQL dashboard", "autocomplete": "off"}
        ),
    )
    skills = forms.TypedMultipleChoiceField(
        label="Skills (any of)",
        required=False,
        coerce=int,
        # A callable: read from the cached taxonomy only when the choices are used
        # (checking a chosen skill, rendering the options), not for every form.
        choices=skill_choice_groups,
        widget=SkillPicker(attrs={"size": 6}, search_url=reverse_lazy("accounts:skill-search")),
    )
    category = forms.ChoiceField(
        label="Category",
        required=False,
        choices=[("", "Any category"), *Project.Category.choices],
    )
    work_mode = forms.ChoiceField(
        label="Work mode",
        required=False,
        choices=[("", "Any"), *Project.WorkMode.choices],
    )
    fee_min = forms.IntegerField(
        label="Minimum fee", required=False, min_value=0, max_value=MAX_FEE
    )
    fee_max = forms.IntegerField(
        label="Maximum fee", required=False, min_value=0, max_value=MAX_FEE
    )
    hours_min = forms.IntegerField(
        label="Minimum hours",
        required=False,
        min_value=Project.MIN_HOURS,
        max_value=Project.MAX_HOURS,
    )
    hours_max = forms.IntegerField(
        label="Maximum hours",
        required=False,
        min_value=Project.MIN_HOURS,
        max_value=Project.MAX_HOURS,
    )
    deadline_within = forms.TypedChoiceField(
        label="Application deadline",
        required=False,
        choices=DEADLINE_CHOICES,
        coerce=int,
        empty_value=None,
    )
    posted_within = forms.TypedChoiceField(
        label="Posted",
        required=False,
        choices=POSTED_CHOICES,
        coerce=int,
        empty_value=None,
    )
    org = forms.SlugField(label="Organization", required=False, max_length=200)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES)

    def __init__(self, *args, is_student: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not is_student:
            self.fields["sort"].choices = [c for c in SORT_CHOICES if c[0] != SORT_MATCH]
        self.is_student = is_student

    def clean(self):
        data = super().clean()
        fee_min, fee_max = data.get("fee_min"), data.get("fee_max")
        if fee_min is not None and fee_max is not None and fee_min > fee_max:
            self.add_error("fee_max", "The maximum fee is below the minimum fee.")
        hours_min, hours_max = data.get("hours_min"), data.get("hours_max")
        if hours_min is not None and hours_max is not None and hours_min > hours_max:
            self.add_error("hours_max", "The maximum hours are below the minimum hours.")
        return data

    def ignored_notes(self) -> list[str]:
        """One sentence per ignored filter, for the page."""
        if not self.is_bound:
            return []
        notes = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else "Filter"
            notes.append(f"{label}: {' '.join(errors)} This filter was ignored.")
        return notes

    def to_filters(self) -> BrowseFilters:
        """The valid part of the input. Invalid fields are simply absent from
        ``cleaned_data`` after validation."""
        if not self.is_bound:
            return BrowseFilters()
        self.is_valid()
        data = self.cleaned_data
        q = (data.get("q") or "").strip()
        sort = data.get("sort") or ""
        if sort == SORT_RELEVANCE and not q or sort == SORT_MATCH and not self.is_student:
            sort = SORT_NEWEST
        if not sort:
            sort = SORT_RELEVANCE if q else SORT_NEWEST
        return BrowseFilters(
            q=q,
            skills=tuple(sorted(set(data.get("skills") or ()))),
            category=data.get("category") or "",
            work_mode=data.get("work_mode") or "",
            fee_min=data.get("fee_min"),
            fee_max=data.get("fee_max"),
            hours_min=data.get("hours_min"),
            hours_max=data.get("hours_max"),
            deadline_within=data.get("deadline_within"),
            posted_within=data.get("posted_within"),
            organization=data.get("org") or "",
            sort=sort,
        )


def active_filter_count(filters: BrowseFilters) -> int:
    """How many filters of the browse page's collapsible panel narrow the results, for its
    "Filters · 3". One per control a person sets there: a fee or hours range counts once
    whichever ends are set, and any number of skills once. The keywords, the sort and the
    organization sit outside the panel, in view, so they are not counted; invalid values
    were dropped from ``filters`` and are not counted either."""
    return sum(
        (
            bool(filters.skills),
            bool(filters.category),
            bool(filters.work_mode),
            filters.fee_min is not None or filters.fee_max is not None,
            filters.hours_min is not None or filters.hours_max is not None,
            filters.deadline_within is not None,
            filters.posted_within is not None,
        )
    )
