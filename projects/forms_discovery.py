"""The browse filter form: GET, every field optional. A bad value never fails the page:
the view keeps the valid filters and shows a note for each ignored one."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString

from .models import Project
from .search import MAX_QUERY_LENGTH
from .selectors.discovery import (
    SORT_DEADLINE,
    SORT_FEE,
    SORT_MATCH,
    SORT_NEWEST,
    SORT_RELEVANCE,
    BrowseFilters,
    SkillGroups,
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


class _FastInput:
    """An <input> rendered in Python, with Django's markup (type, name, value, then the
    attributes): the template-based widget costs ~0.1–0.3 ms per field on this page."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        value = self.format_value(value)
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            self.input_type,
            name,
            format_html(' value="{}"', value) if value is not None else "",
            flatatt(self.build_attrs(self.attrs, attrs)),
        )


class FastTextInput(_FastInput, forms.TextInput):
    pass


class FastNumberInput(_FastInput, forms.NumberInput):
    pass


# The static selects' options, escaped once per process: {choices: option list}.
_static_options: dict[tuple, list[tuple[str, str, str]]] = {}


class FastSelect(forms.Select):
    """A select rendered in Python. Django's default renders one template per option
    (about 0.1–0.2 ms each); the skills filter has hundreds of options and sits on the
    busiest page, so this builds the same markup directly."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        selected = {str(v) for v in self.format_value(value)}
        if isinstance(self.choices, SkillGroups):
            return format_html(
                "<select{}>{}</select>",
                flatatt(final_attrs),
                SafeString(_cached_options(self.choices, selected)),
            )

        key = tuple(self.choices)
        parts = _static_options.get(key)
        if parts is None:
            # Flat choices only (the grouped taxonomy goes through _cached_options).
            parts = [
                (str(v), format_html('<option value="{}"', v), format_html(">{}</option>", label))
                for v, label in self.choices
            ]
            if len(_static_options) < 64:  # a handful of fixed lists; never grows unbounded
                _static_options[key] = parts
        body = "".join(
            head + (" selected" if value_str in selected else "") + tail
            for value_str, head, tail in parts
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), SafeString(body))


def _cached_options(groups: SkillGroups, selected: set[str]) -> str:
    """The options of the skill taxonomy, escaped once per process (the taxonomy
    object is cached by projects.selectors.discovery.skill_choice_groups) and joined
    per request with the selected ones marked: a few microseconds instead of escaping
    160 names on every browse page."""
    parts = groups.cache.get("options")
    if parts is None:
        parts = []
        for category, choices in groups:
            parts.append(format_html('<optgroup label="{}">', category))
            parts.extend(
                (str(pk), format_html('<option value="{}"', pk), format_html(">{}</option>", label))
                for pk, label in choices
            )
            parts.append("</optgroup>")
        groups.cache["options"] = parts
    return "".join(
        part
        if isinstance(part, str)
        else part[1] + (" selected" if part[0] in selected else "") + part[2]
        for part in parts
    )


class SkillsField(forms.TypedMultipleChoiceField):
    """The skills filter. Its choices are the cached taxonomy (``SkillGroups``), taken
    as they are: Django would normalize and deep-copy 160 choices for every form."""

    def set_groups(self, groups) -> None:
        if not isinstance(groups, SkillGroups):
            groups = SkillGroups(groups)
        self._choices = groups
        self.widget._choices = groups

    def valid_value(self, value) -> bool:
        choices = self._choices
        if isinstance(choices, SkillGroups):
            return str(value) in choices.valid_values
        return super().valid_value(value)


class FastSelectMultiple(FastSelect):
    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        return forms.SelectMultiple.value_from_datadict(self, data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return False


class BrowseFilterForm(forms.Form):
    q = forms.CharField(
        label="Keywords",
        required=False,
        max_length=MAX_QUERY_LENGTH,
        widget=FastTextInput(
            attrs={"type": "search", "placeholder": "e.g. SQL dashboard", "autocomplete": "off"}
        ),
    )
    skills = SkillsField(
        label="Skills (any of)",
        required=False,
        coerce=int,
        choices=(),
        widget=FastSelectMultiple(attrs={"aria-describedby": "skills-help"}),
    )
    category = forms.ChoiceField(
        label="Category",
        required=False,
        choices=[("", "Any category"), *Project.Category.choices],
        widget=FastSelect,
    )
    work_mode = forms.ChoiceField(
        label="Work mode",
        required=False,
        choices=[("", "Any"), *Project.WorkMode.choices],
        widget=FastSelect,
    )
    fee_min = forms.IntegerField(
        label="Minimum fee", required=False, min_value=0, max_value=MAX_FEE, widget=FastNumberInput
    )
    fee_max = forms.IntegerField(
        label="Maximum fee", required=False, min_value=0, max_value=MAX_FEE, widget=FastNumberInput
    )
    hours_min = forms.IntegerField(
        label="Minimum hours",
        required=False,
        min_value=Project.MIN_HOURS,
        max_value=Project.MAX_HOURS,
        widget=FastNumberInput,
    )
    hours_max = forms.IntegerField(
        label="Maximum hours",
        required=False,
        min_value=Project.MIN_HOURS,
        max_value=Project.MAX_HOURS,
        widget=FastNumberInput,
    )
    deadline_within = forms.TypedChoiceField(
        label="Application deadline",
        required=False,
        choices=DEADLINE_CHOICES,
        widget=FastSelect,
        coerce=int,
        empty_value=None,
    )
    posted_within = forms.TypedChoiceField(
        label="Posted",
        required=False,
        choices=POSTED_CHOICES,
        widget=FastSelect,
        coerce=int,
        empty_value=None,
    )
    org = forms.SlugField(label="Organization", required=False, max_length=200)
    sort = forms.ChoiceField(
        label="Sort by", required=False, choices=SORT_CHOICES, widget=FastSelect
    )

    def __init__(self, *args, skill_groups=(), is_student: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skills"].set_groups(skill_groups)
        self.fields["skills"].widget.attrs["size"] = 6
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
