"""projects.search: the same calls on either engine; ranking order is PostgreSQL's."""

import pytest

from projects.models import Project
from projects.search import is_postgres, project_search
from tests.projects.discovery_helpers import make_open, skill

pytestmark = pytest.mark.django_db


def ranked(q):
    qs = project_search(Project.objects.filter(status=Project.Status.OPEN), q)
    return [p.title for p in qs.order_by("-rank", "pk")]


def test_empty_query_changes_nothing():
    make_open(title="Anything")
    qs = Project.objects.all()
    assert project_search(qs, "   ") is qs


def test_every_word_must_match():
    make_open(title="Churn forecast", summary="Predict customer churn.")
    make_open(title="Churn survey", summary="Ask customers why they leave.")
    assert ranked("churn forecast") == ["Churn forecast"]


def test_search_finds_skill_names():
    make_open(title="Data work", required=[skill("Tableau")])
    assert ranked("tableau") == ["Data work"]


@pytest.mark.postgres
def test_postgres_ranks_title_over_skills_over_summary_over_description():
    assert is_postgres()
    make_open(title="D", description="A ledger reconciliation for the finance team.")
    make_open(title="C", summary="Reconcile the ledger for finance.")
    make_open(title="B", required=[skill("Ledger")])
    make_open(title="Ledger cleanup")
    assert ranked("ledger") == ["Ledger cleanup", "B", "C", "D"]


@pytest.mark.postgres
def test_postgres_websearch_syntax():
    make_open(title="Ledger cleanup")
    make_open(title="Ledger audit")
    make_open(title="Payroll audit")
    assert ranked("ledger -audit") == ["Ledger cleanup"]
    assert set(ranked("ledger or payroll")) == {"Ledger cleanup", "Ledger audit", "Payroll audit"}
    assert ranked('"payroll audit"') == ["Payroll audit"]
    # Stemming: "audits" finds "audit".
    assert set(ranked("audits")) == {"Ledger audit", "Payroll audit"}


@pytest.mark.postgres
def test_postgres_rank_is_on_the_browse_sort():
    from projects.selectors.discovery import SORT_RELEVANCE, BrowseFilters, project_list_open

    make_open(title="Weekly report", description="Includes a churn chart.")
    make_open(title="Churn deep dive")
    qs = project_list_open(filters=BrowseFilters(q="churn", sort=SORT_RELEVANCE))
    assert [p.title for p in qs] == ["Churn deep dive", "Weekly report"]
    assert qs[0].rank > qs[1].rank
