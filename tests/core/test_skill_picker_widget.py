"""The skill picker widget (core.widgets.SkillPicker): without JavaScript a plain,
labelled <select multiple> that submits the chosen skills; the combobox markup beside
it is hidden until static/js/skill-picker.js reveals it. Wired into every skill field."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.urls import reverse

from accounts.models import Skill
from core.widgets import SkillPicker
from matching.forms.feedback import SupervisorFeedbackForm
from projects.forms import ProjectForm
from projects.forms_discovery import BrowseFilterForm
from tests.accounts.factories import EmployerFactory

pytestmark = pytest.mark.django_db


class PickForm(forms.Form):
    skills = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.order_by("name"),
        widget=SkillPicker(search_url="/search/"),
    )
    one = forms.ModelChoiceField(
        queryset=Skill.objects.order_by("name"),
        required=False,
        widget=SkillPicker(search_url="/search/", multiple=False),
    )


def test_renders_a_plain_multiple_select_first():
    python = Skill.objects.get(name="Python")
    html = str(PickForm(initial={"skills": [python.pk]})["skills"])
    select = re.search(r"<select[^>]*>", html).group(0)
    assert 'name="skills"' in select and 'id="id_skills"' in select
    assert "multiple" in select and 'size="8"' in select
    assert f'<option value="{python.pk}" selected>Python</option>' in html
    assert html.count("<option") == Skill.objects.count()


def test_the_combobox_is_hidden_until_script_runs():
    html = str(PickForm()["skills"])
    assert '<div class="skill-picker-ui" hidden>' in html
    combobox = re.search(r'<input[^>]*role="combobox"[^>]*>', html, re.S).group(0)
    for attribute in (
        'id="id_skills-search"',
        'aria-expanded="false"',
        'aria-controls="id_skills-listbox"',
        'aria-autocomplete="list"',
        'data-hx-get="/search/"',
        'data-hx-target="#id_skills-listbox"',
    ):
        assert attribute in combobox
    assert "name=" not in combobox  # the typed text is never submitted
    assert '<ul class="skill-picker-listbox" id="id_skills-listbox" role="listbox"' in html
    assert 'role="status" aria-live="polite"' in html
    # Valid HTML for a strict CSP: only data-hx-* spellings, no inline script or style.
    assert not re.search(r"\shx-", html)
    assert "<script" not in html and "style=" not in html and "hx-on" not in html


def test_submits_what_the_select_holds():
    python, sql = Skill.objects.get(name="Python"), Skill.objects.get(name="SQL")
    form = PickForm(data={"skills": [python.pk, sql.pk], "one": sql.pk})
    assert form.is_valid(), form.errors
    assert set(form.cleaned_data["skills"]) == {python, sql}
    assert form.cleaned_data["one"] == sql


def test_single_choice_mode():
    html = str(PickForm()["one"])
    select = re.search(r"<select[^>]*>", html).group(0)
    assert "multiple" not in select
    assert "Choose one." in html
    form = PickForm(data={"skills": [Skill.objects.first().pk]})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["one"] is None


def test_a_project_option_keeps_its_long_label_and_a_short_chip_name():
    employer = EmployerFactory()
    form = ProjectForm(organization=employer.membership.organization)
    html = str(form["required_skills"])
    assert 'data-name="Python">Python — Software development</option>' in html


@pytest.mark.parametrize("field", ["required_skills", "nice_to_have_skills"])
def test_the_project_form_uses_the_picker(field):
    employer = EmployerFactory()
    form = ProjectForm(organization=employer.membership.organization)
    assert isinstance(form.fields[field].widget, SkillPicker)
    html = form[field].as_field_group()
    assert f'<label for="id_{field}"' in html
    assert f'data-hx-get="{reverse("accounts:skill-search")}"' in html
    assert "Ctrl" not in form.fields[field].help_text


def test_the_browse_filter_uses_the_picker():
    form = BrowseFilterForm(data={"skills": [str(Skill.objects.get(name="SQL").pk)]})
    assert isinstance(form.fields["skills"].widget, SkillPicker)
    html = str(form["skills"])
    assert 'size="6"' in html and "selected>SQL</option>" in html
    assert f'data-hx-get="{reverse("accounts:skill-search")}"' in html


def test_the_feedback_form_uses_the_picker_for_other_skills():
    form = SupervisorFeedbackForm()
    assert isinstance(form.fields["other_skills"].widget, SkillPicker)
    assert "skill-picker" in str(form["other_skills"])


def test_browse_page_renders_the_picker(client):
    html = client.get(reverse("projects:browse")).content.decode()
    assert 'id="id_skills-search"' in html
    assert '<label for="id_skills">' in html


def test_project_form_page_renders_both_pickers(client):
    employer = EmployerFactory()
    client.force_login(employer)
    html = client.get(reverse("projects:create")).content.decode()
    assert 'id="id_required_skills-search"' in html
    assert 'id="id_nice_to_have_skills-search"' in html
