"""Form widgets every app's forms share. They import no app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe


class SkillPicker(forms.SelectMultiple):
    """A typeahead multi-select for skills: chosen skills as removable chips, a combobox
    that searches the server through htmx (``search_url``), keyboard operable
    (static/js/skill-picker.js).

    Without JavaScript it is what it subclasses, a plain labelled ``<select multiple>``.
    With JavaScript that select stays the form's source of truth: hidden from view and
    from assistive technology, but submitted, and every chip is one selected option.

    ``multiple=False`` picks one skill (a ``ModelChoiceField``): a new pick replaces the
    chip and the form gets a single value.
    """

    picker_template_name = "widgets/skill_picker.html"

    def __init__(
        self,
        attrs: dict[str, Any] | None = None,
        choices: Any = (),
        *,
        search_url: str | Promise,
        multiple: bool = True,
    ) -> None:
        super().__init__(attrs={"size": 8, **(attrs or {})}, choices=choices)
        # A URL rather than a URL name: this module names no app's views.
        self.search_url = search_url
        self.allow_multiple_selected = multiple

    def __deepcopy__(self, memo: dict[int, Any]) -> SkillPicker:
        copy = super().__deepcopy__(memo)
        copy.allow_multiple_selected = self.allow_multiple_selected
        return copy

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if self.allow_multiple_selected:
            return super().value_from_datadict(data, files, name)
        return data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        if self.allow_multiple_selected:
            return super().value_omitted_from_data(data, files, name)
        return name not in data

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        # The chip shows the skill's own name, not a longer option label such as
        # "Python — Software development" (an option whose label is the name needs none).
        name = getattr(getattr(value, "instance", None), "name", None)
        if name and name != str(label):
            option["attrs"]["data-name"] = name
        return option

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        select = super().render(name, value, attrs, renderer)
        select_id = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        # The project's template engine, not the form renderer's: the picker's template
        # lives with the site's templates (templates/widgets/).
        return mark_safe(
            render_to_string(
                self.picker_template_name,
                {
                    "select": select,
                    "id": select_id,
                    "search_url": str(self.search_url),
                    "multiple": self.allow_multiple_selected,
                },
            )
        )
