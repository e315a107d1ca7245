"""projects.cards builds the browse and recommendation cards in Python for speed; it must
render the same HTML as the reference template projects/_project_card.html (which the
saved list still includes)."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory

from accounts.models import Organization
from projects.cards import render_project_cards
from projects.models import Project
from projects.scoring import MatchResult
from projects.selectors.discovery import project_list_by_ids
from projects.services.posting import project_close
from projects.services.saving import saved_project_toggle
from tests.projects.discovery_helpers import make_open, skill
from tests.projects.factories import project_in_status

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def normalized(html: str) -> str:
    """Whitespace-insensitive: the template is indented, the Python cards are not.
    Masked CSRF tokens differ on every call."""
    html = CSRF.sub('name="csrfmiddlewaretoken" value="…"', html)
    html = re.sub(r"\s+", " ", html)
    return re.sub(r"\s*(<|>)\s*", r"\1", html).strip()


def both(project_pk, *, user, match=None):
    request = RequestFactory().get("/projects/?q=a&page=2")
    request.user = user
    is_student = bool(user.is_authenticated and user.is_student)
    viewer = user if is_student else None
    # The template gets a project with prefetched project_skills (as the saved list
    # does); the Python cards get card_skills (as browse does) — both must agree.
    reference = Project.objects.filter(pk=project_pk)
    from projects.selectors.discovery import _skills_prefetch, _with_saved_flag

    reference = (
        _with_saved_flag(reference, viewer)
        .select_related("organization")
        .prefetch_related(_skills_prefetch())
        .get()
    )
    template_html = render_to_string(
        "projects/_project_card.html",
        {"project": reference, "match": match, "is_student": is_student},
        request=request,
    )
    [project] = project_list_by_ids([project_pk], viewer=viewer)
    cards_html = render_project_cards(
        [project],
        request=request,
        is_student=is_student,
        match_for=(lambda p: match) if match else None,
    )
    return normalized(template_html), normalized(cards_html)


@pytest.fixture
def tricky_project():
    project = make_open(
        title='Churn <model> & "forecast"',
        summary="Predict churn & <b>retention</b>.",
        required=[skill("SQL & <Python>")],
        nice=[skill("Tableau")],
        location="Lyon & remote",
        fee=12345,
    )
    Organization.objects.filter(pk=project.organization_id).update(name="Acme <R&D>")
    return project


def test_same_markup_for_anonymous_visitors(tricky_project):
    template_html, cards_html = both(tricky_project.pk, user=AnonymousUser())
    assert "12,345" in cards_html
    assert "Acme &lt;R&amp;D&gt;" in cards_html
    assert "<model>" not in cards_html
    assert cards_html == template_html


@pytest.mark.parametrize("saved", [False, True])
def test_same_markup_for_students_with_the_save_button(student, tricky_project, saved):
    if saved:
        saved_project_toggle(student=student, project=tricky_project, save=True)
    template_html, cards_html = both(tricky_project.pk, user=student)
    assert 'id="save-button-' in cards_html
    assert ('aria-pressed="true"' in cards_html) is saved
    assert cards_html == template_html


def test_same_markup_with_a_match(student, tricky_project):
    match = MatchResult(score=72.5, reasons=["Matches 1 of 1 required skill: SQL & <Python>"])
    template_html, cards_html = both(tricky_project.pk, user=student, match=match)
    assert "73% match" in cards_html
    assert "SQL &amp; &lt;Python&gt;" in cards_html
    assert cards_html == template_html


@pytest.mark.parametrize("status", ["closed", "completed", "cancelled"])
def test_same_markup_for_projects_no_longer_open(student, status):
    project = project_in_status(status, title="Old one")
    template_html, cards_html = both(project.pk, user=student)
    assert "Apply by" not in cards_html
    assert 'id="save-button-' not in cards_html
    assert f"status-{status}" in cards_html
    assert cards_html == template_html


def test_same_markup_for_a_saved_project_closed_since(student):
    project = make_open(title="Saved, then closed")
    saved_project_toggle(student=student, project=project, save=True)
    project_close(project=project, actor=project.supervisor)
    template_html, cards_html = both(project.pk, user=student)
    assert 'aria-pressed="true"' in cards_html  # it can still be removed from the list
    assert "status-closed" in cards_html
    assert cards_html == template_html


def test_same_markup_for_an_unverified_organization_and_no_nice_skills():
    project = make_open(title="Plain", required=[skill("Excel")])
    Organization.objects.filter(pk=project.organization_id).update(verified_at=None)
    template_html, cards_html = both(project.pk, user=AnonymousUser())
    assert "Verified employer" not in cards_html
    assert cards_html == template_html
