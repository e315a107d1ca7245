"""Dashboard filters: validation only. Choices come from the viewer's own data."""

from __future__ import annotations

from datetime import date

from django import forms

from .stats import academic_year_label


class DashboardFilterForm(forms.Form):
    year = forms.TypedChoiceField(label="Academic year", coerce=int, required=False)
    major = forms.ChoiceField(label="Major", required=False)
    graduation_year = forms.TypedChoiceField(
        label="Graduation year", coerce=int, required=False, empty_value=None
    )

    def __init__(
        self,
        *args,
        years: list[date],
        majors: list[str] | None = None,
        graduation_years: list[int] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y.year, academic_year_label(y)) for y in years]
        if majors is None:
            del self.fields["major"]
        else:
            self.fields["major"].choices = [("", "All majors"), *[(m, m) for m in majors]]
        if graduation_years is None:
            del self.fields["graduation_year"]
        else:
            self.fields["graduation_year"].choices = [
                ("", "All graduation years"),
                *[(y, str(y)) for y in graduation_years],
            ]
