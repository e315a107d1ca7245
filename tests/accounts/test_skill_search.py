"""The skill picker's server search (accounts:skill-search): public, read-only, a short
list of listbox options matching the typed name, never the skills already chosen."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import Skill
from accounts.selectors.skills import SKILL_SEARCH_LIMIT, skill_search_options
from accounts.views.skills import EXCLUDE_MAX, QUERY_MAX
from tests.accounts.factories import SkillFactory

pytestmark = pytest.mark.django_db

URL = "accounts:skill-search"
OPTION = re.compile(
    r'<li role="option" aria-selected="false" data-value="(\d+)" data-name="([^"]*)"'
)


def search(client, **params):
    return client.get(reverse(URL), params)


def names(response) -> list[str]:
    assert response.status_code == 200
    return [name for _, name in OPTION.findall(response.content.decode())]


def ids(response) -> list[int]:
    return [int(pk) for pk, _ in OPTION.findall(response.content.decode())]


def test_it_is_a_public_address_outside_the_personal_pages():
    # /me/ holds a person's own pages; this search is the same for everyone.
    assert reverse(URL) == "/skills/search/"


def test_anyone_may_search_without_logging_in(client):
    response = search(client, q="python")
    assert names(response) == ["Python"]
    html = response.content.decode()
    assert "<html" not in html
    assert "Software development" in html  # the category, to tell similar names apart


def test_case_does_not_matter(client):
    assert names(search(client, q="PyThOn")) == ["Python"]


def test_names_starting_with_the_text_come_first(client):
    SkillFactory(name="Sales ops (SQL-free)")
    found = names(search(client, q="sql"))
    assert found[0] == "SQL"
    assert "Sales ops (SQL-free)" in found  # a word inside the name matches too


def test_a_match_inside_a_word_is_found_after_the_rest(client):
    found = names(search(client, q="py"))
    assert found[0] == "Python"
    assert "Copywriting" in found
    assert found.index("Python") < found.index("Copywriting")


def test_spaces_are_folded(client):
    assert names(search(client, q="  power   bi ")) == ["Power BI"]


def test_at_most_twenty_options(client):
    assert Skill.objects.filter(name__icontains="a").count() > SKILL_SEARCH_LIMIT
    assert len(names(search(client, q="a"))) == SKILL_SEARCH_LIMIT
    # An empty query lists the first skills by name, for browsing with ArrowDown.
    listed = names(search(client, q=""))
    assert len(listed) == SKILL_SEARCH_LIMIT
    assert listed == sorted(listed, key=str.casefold)


def test_chosen_skills_are_left_out(client):
    python = Skill.objects.get(name="Python")
    pandas = Skill.objects.get(name="pandas")
    assert python.pk in ids(search(client, q="p"))
    found = ids(search(client, q="p", exclude=f"{python.pk},{pandas.pk}"))
    assert python.pk not in found and pandas.pk not in found
    # The repeated form works too.
    found = ids(client.get(reverse(URL), {"q": "p", "exclude": [python.pk, pandas.pk]}))
    assert python.pk not in found and pandas.pk not in found


def test_no_match_says_so(client):
    response = search(client, q="zzzz")
    assert names(response) == []
    html = response.content.decode()
    assert "No skill matches “zzzz”." in html
    assert 'aria-disabled="true"' in html


def test_the_text_is_escaped(client):
    html = search(client, q="<script>").content.decode()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_new_skill_is_found_at_once(client):
    assert names(search(client, q="zebra")) == []
    SkillFactory(name="Zebra wrangling")
    assert names(search(client, q="zebra")) == ["Zebra wrangling"]


@pytest.mark.parametrize(
    "params,message",
    [
        ({"q": "x" * (QUERY_MAX + 1)}, f"at most {QUERY_MAX} characters"),
        ({"q": "sql", "exclude": "abc"}, "skill ids"),
        ({"q": "sql", "exclude": "-1"}, "skill ids"),
        ({"q": "sql", "exclude": "²"}, "skill ids"),
        ({"q": "sql", "exclude": "99999999999999999999"}, "skill ids"),
        ({"q": "sql", "exclude": ",".join(["1"] * (EXCLUDE_MAX + 1))}, "skill ids"),
    ],
)
def test_bad_input_is_a_clear_400(client, params, message):
    response = search(client, **params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_id_that_is_no_skill_changes_nothing(client):
    assert names(search(client, q="python", exclude="2147483647")) == ["Python"]
    assert names(search(client, q="python", exclude=",,")) == ["Python"]


def test_only_get(client):
    assert client.post(reverse(URL), {"q": "sql"}).status_code == 405


def test_a_search_reads_no_rows_while_the_taxonomy_is_cached(client, django_assert_num_queries):
    search(client, q="sql")  # loads this process's copy
    with django_assert_num_queries(0):
        assert names(search(client, q="sql"))[0] == "SQL"


def test_the_selector_on_its_own():
    sql = Skill.objects.get(name="SQL")
    assert [o.name for o in skill_search_options(query="sql")][0] == "SQL"
    assert sql.pk not in [
        o.pk for o in skill_search_options(query="sql", exclude=frozenset({sql.pk}))
    ]
    assert len(skill_search_options(query="", limit=3)) == 3
