"""Every "add skills" prompt a student sees on the discovery pages leads to the page
where skills are edited (accounts:profile-skills), not to the profile form, which has
no skills."""

import re

import pytest
from django.urls import reverse

from tests.projects.discovery_helpers import give_skills, skill

pytestmark = pytest.mark.django_db


def _skill_links(html: str) -> list[str]:
    """The text of every link to the skills page."""
    url = re.escape(reverse("accounts:profile-skills"))
    return re.findall(rf'<a href="{url}"[^>]*>([^<]+)</a>', html)


def test_for_you_without_skills_sends_to_the_skills_page(client, student):
    client.force_login(student)
    html = client.get(reverse("projects:student-home")).content.decode()
    assert _skill_links(html) == ["Add skills to your profile"]
    assert reverse("accounts:profile-edit") not in html


def test_for_you_without_matches_sends_to_the_skills_page(client, student):
    give_skills(student, {skill("Cobol"): 3})
    client.force_login(student)
    html = client.get(reverse("projects:student-home")).content.decode()
    assert "No open projects match your skills right now." in html
    assert _skill_links(html) == ["add more skills"]
    assert reverse("accounts:profile-edit") not in html


def test_best_match_without_skills_links_the_skills_page(client, student):
    client.force_login(student)
    html = client.get(reverse("projects:browse"), {"sort": "match"}).content.decode()
    assert _skill_links(html) == ["Add skills to your profile"]


def test_best_match_with_skills_has_no_prompt(client, student):
    give_skills(student, {skill("SQL"): 3})
    client.force_login(student)
    html = client.get(reverse("projects:browse"), {"sort": "match"}).content.decode()
    assert _skill_links(html) == []


def test_the_htmx_results_carry_the_prompt_too(client, student):
    client.force_login(student)
    html = client.get(
        reverse("projects:browse"),
        {"sort": "match"},
        headers={"HX-Request": "true", "HX-Target": "results"},
    ).content.decode()
    assert "<h1>" not in html  # only the results part
    assert _skill_links(html) == ["Add skills to your profile"]
