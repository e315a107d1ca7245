"""Project cards (projects/browse.html#project-card) and the project page's header,
facts and primary action: the organization's logo or initials, the facts in order, at
most three skill chips, and a query count that logos do not grow."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.services.organizations import organization_update
from core.templatetags.avatars import tone
from projects.services.saving import saved_project_toggle
from tests.accounts.logo_images import image_upload
from tests.matching.factories import submitted_application
from tests.projects.discovery_helpers import give_skills, make_open, skill

pytestmark = pytest.mark.django_db


def with_logo(project):
    """Give the project's organization a logo through the service, as its owner would."""
    organization_update(
        organization=project.organization, actor=project.supervisor, logo=image_upload()
    )
    project.organization.refresh_from_db()
    return project


def card_of(body: str, project) -> str:
    start = body.index(f'aria-labelledby="project-{project.pk}-title"')
    return body[start : body.index("</article>", start)]


def browse_queries(client) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("projects:browse")).status_code == 200
    return len(queries)


def test_a_card_shows_the_logo_or_the_initials(client):
    logo = with_logo(make_open(title="With a logo"))
    plain = make_open(title="Without a logo")
    body = client.get(reverse("projects:browse")).content.decode()
    card = card_of(body, logo)
    assert f'<img src="{logo.organization.logo_url}" alt=""' in card.replace("&amp;", "&")
    card = card_of(body, plain)
    name = plain.organization.name
    initials = "".join(word[0] for word in name.split()[:2]).upper()
    assert f'avatar-tone-{tone(name)}" aria-hidden="true">{initials}</span>' in card
    assert "<img" not in card


def test_the_title_is_a_heading_whose_link_is_the_card(client):
    project = make_open(title="Churn model")
    card = card_of(client.get(reverse("projects:browse")).content.decode(), project)
    assert re.search(
        r'<h3 id="project-\d+-title" class="project-card-title">\s*'
        rf'<a href="{project.get_absolute_url()}" class="project-card-link">Churn model</a>',
        card,
    )


def test_a_card_states_fee_per_hour_hours_deadline_and_work_mode(client):
    project = make_open(fee=600, estimated_hours=20, duration_days=10, location="Leeds")
    card = card_of(client.get(reverse("projects:browse")).content.decode(), project)
    facts = [
        " ".join(re.sub(r"<[^>]+>", "", item).split())
        for item in re.findall(
            r"<li[^>]*>(.*?)</li>", card.split('aria-label="Key facts"')[1].split("</ul>")[0], re.S
        )
    ]
    assert facts[0] == "600 USD · about 30 USD an hour"
    assert facts[1] == "20 h over 10 days"
    assert facts[2].startswith("Apply by ")
    assert facts[3] == "Remote · Leeds"


def test_a_card_shows_three_skills_and_counts_the_rest(client):
    required = [skill(name) for name in ("Alpha", "Bravo", "Charlie", "Delta")]
    project = make_open(required=required, nice=[skill("Echo")])
    card = card_of(client.get(reverse("projects:browse")).content.decode(), project)
    chips = re.findall(r'<li class="skill-tag[^"]*">([^<]*)', card)
    assert chips == ["Alpha", "Bravo", "Charlie", "+2 more"]


def test_a_card_with_few_skills_has_no_more_chip(client):
    project = make_open(required=[skill("SQL")], nice=[skill("Tableau")])
    card = card_of(client.get(reverse("projects:browse")).content.decode(), project)
    assert "more</li>" not in card
    assert 'Tableau <span class="muted">(nice to have)</span>' in card


def test_logos_do_not_add_queries_to_browse(client, student):
    client.force_login(student)
    with_logo(make_open())
    client.get(reverse("projects:browse"))  # warm the session and the taxonomy
    one = browse_queries(client)
    for _ in range(5):
        with_logo(make_open())
        make_open()
    assert browse_queries(client) == one


def test_logos_do_not_add_queries_to_saved_and_recommended(client, student):
    sql = skill("SQL")
    give_skills(student, {sql: 4}, weekly_hours=20)
    client.force_login(student)
    counts = {}
    for size in (1, 4):
        while len(counts.get("made", [])) < size:
            project = with_logo(make_open(required=[sql]))
            saved_project_toggle(student=student, project=project, save=True)
            counts.setdefault("made", []).append(project)
        for name in ("projects:saved", "projects:student-home"):
            cache.clear()
            client.get(reverse(name))
            with CaptureQueriesContext(connection) as queries:
                body = client.get(reverse(name)).content.decode()
            assert body.count('class="avatar avatar-md avatar-logo"') == size
            counts.setdefault(name, []).append(len(queries))
    assert counts["projects:saved"][0] == counts["projects:saved"][1]
    assert counts["projects:student-home"][0] == counts["projects:student-home"][1]


# ------------------------------------------------------------------------------
# The project page
# ------------------------------------------------------------------------------
def test_the_page_header_shows_the_organizations_logo(client):
    project = with_logo(make_open())
    body = client.get(project.get_absolute_url()).content.decode()
    header = body[
        body.index('<header class="project-header">') : body.index(
            "</header>", body.index('<header class="project-header">')
        )
    ]
    assert 'class="avatar avatar-lg avatar-logo"' in header


def test_the_facts_are_a_definition_grid(client):
    project = make_open()
    body = client.get(project.get_absolute_url()).content.decode()
    facts = body[body.index('<dl class="project-facts-list">') : body.index("</dl>")]
    terms = re.findall(r"<div><dt>([^<]+)</dt>", facts)
    assert terms == ["Fee", "Time", "Apply by", "Work mode", "Category", "Openings"]


def test_the_apply_button_comes_before_the_brief_and_again_in_the_phone_bar(client, student):
    project = make_open()
    client.force_login(student)
    body = client.get(project.get_absolute_url()).content.decode()
    apply_url = reverse("matching:apply", args=[project.pk])
    first = body.index(f'href="{apply_url}" role="button"')
    assert first < body.index("About the project")
    bar = body[body.index('<div class="action-bar">') :]
    assert f'href="{apply_url}" role="button"' in bar.split("</div>")[0]


def test_after_applying_the_bar_shows_the_applications_status(client):
    project = make_open()
    application = submitted_application(project=project)
    client.force_login(application.student)
    body = client.get(project.get_absolute_url()).content.decode()
    bar = body[body.index('<div class="action-bar">') :].split("</div>")[0]
    assert "Your application:" in bar and "status-submitted" in bar
    assert application.get_absolute_url() in bar
    assert body.index("You applied on") < body.index("About the project")


@pytest.mark.parametrize("role", ["employer", "career_officer"])
def test_no_bar_for_those_who_cannot_apply(client, request, role):
    project = make_open()
    client.force_login(request.getfixturevalue(role))
    assert 'class="action-bar"' not in client.get(project.get_absolute_url()).content.decode()


def test_a_visitor_gets_a_log_in_bar(client):
    project = make_open()
    body = client.get(project.get_absolute_url()).content.decode()
    bar = body[body.index('<div class="action-bar">') :].split("</div>")[0]
    assert "Log in to apply" in bar
