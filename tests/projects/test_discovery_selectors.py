"""Discovery reads on real data. DB-agnostic: the suite runs on SQLite by default and on
PostgreSQL in CI; engine-specific ranking lives in test_search.py."""

import pytest
from django.http import Http404
from django.utils import timezone

from projects.models import Project, ProjectSkill
from projects.selectors.discovery import (
    SORT_DEADLINE,
    SORT_FEE,
    SORT_NEWEST,
    SORT_RELEVANCE,
    BrowseFilters,
    project_get_for_saving,
    project_get_public,
    project_list_best_match,
    project_list_by_ids,
    project_list_open,
    project_list_recommended_for,
    project_list_saved_for,
    project_list_similar,
    project_match_for,
    project_page_get,
    project_search_hits,
    skill_choice_groups,
    student_match_profile,
)
from projects.services.saving import saved_project_toggle
from tests.accounts.factories import StudentFactory, VerifiedOrganizationFactory
from tests.projects.discovery_helpers import days, give_skills, make_open, skill
from tests.projects.factories import project_in_status

pytestmark = pytest.mark.django_db


def titles(qs):
    return [p.title for p in qs]


def browse(**kwargs):
    return titles(project_list_open(filters=BrowseFilters(**kwargs)))


# ------------------------------------------------------------------------------
# What browse shows
# ------------------------------------------------------------------------------
def test_only_open_projects_with_a_future_deadline():
    make_open(title="Open one")
    expired = make_open(title="Deadline passed")
    Project.objects.filter(pk=expired.pk).update(application_deadline=days(-1))
    for status in ("draft", "pending_review", "closed", "completed", "cancelled"):
        project_in_status(status, title=f"A {status} project")
    assert browse() == ["Open one"]


def test_default_sort_is_newest_first():
    make_open(title="Old", published_at=days(-5))
    make_open(title="New", published_at=days(-1))
    make_open(title="Middle", published_at=days(-3))
    assert browse() == ["New", "Middle", "Old"]
    assert browse(sort=SORT_NEWEST) == ["New", "Middle", "Old"]


def test_sort_by_deadline_soonest_first():
    make_open(title="Late", application_deadline=days(20))
    make_open(title="Soon", application_deadline=days(2))
    make_open(title="Mid", application_deadline=days(9))
    assert browse(sort=SORT_DEADLINE) == ["Soon", "Mid", "Late"]


def test_sort_by_fee_highest_first():
    make_open(title="Cheap", fee=500)
    make_open(title="Rich", fee=1500)
    make_open(title="Middling", fee=900)
    assert browse(sort=SORT_FEE) == ["Rich", "Middling", "Cheap"]


def test_filter_by_skills_any_of():
    sql, figma, python = skill("SQL"), skill("Figma"), skill("Python")
    make_open(title="Data", required=[sql])
    make_open(title="Design", required=[figma])
    make_open(title="Script", required=[python], nice=[sql])
    assert set(browse(skills=(sql.pk,))) == {"Data", "Script"}
    assert set(browse(skills=(sql.pk, figma.pk))) == {"Data", "Design", "Script"}
    assert browse(skills=(figma.pk,)) == ["Design"]


def test_filter_by_category():
    make_open(title="Numbers", category=Project.Category.DATA)
    make_open(title="Words", category=Project.Category.WRITING)
    assert browse(category=Project.Category.DATA) == ["Numbers"]


def test_filter_by_work_mode():
    make_open(title="Anywhere", work_mode=Project.WorkMode.REMOTE)
    make_open(title="Office", work_mode=Project.WorkMode.ONSITE, location="Boston, MA")
    assert browse(work_mode=Project.WorkMode.ONSITE) == ["Office"]
    assert browse(work_mode=Project.WorkMode.REMOTE) == ["Anywhere"]


def test_filter_by_fee_range():
    make_open(title="500", fee=500)
    make_open(title="900", fee=900)
    make_open(title="1500", fee=1500)
    assert set(browse(fee_min=600)) == {"900", "1500"}
    assert set(browse(fee_max=900)) == {"500", "900"}
    assert browse(fee_min=600, fee_max=1000) == ["900"]


def test_filter_by_hours_range():
    make_open(title="Short", estimated_hours=5)
    make_open(title="Medium", estimated_hours=20)
    make_open(title="Long", estimated_hours=40, fee=1000)
    assert set(browse(hours_min=20)) == {"Medium", "Long"}
    assert set(browse(hours_max=20)) == {"Short", "Medium"}
    assert browse(hours_min=10, hours_max=30) == ["Medium"]


def test_filter_by_deadline_within_days():
    make_open(title="In 2 days", application_deadline=days(2))
    make_open(title="In 10 days", application_deadline=days(10))
    assert browse(deadline_within=3) == ["In 2 days"]
    assert set(browse(deadline_within=14)) == {"In 2 days", "In 10 days"}


def test_filter_by_posted_within_days():
    make_open(title="Fresh", published_at=days(-0.5))
    make_open(title="Stale", published_at=days(-20))
    assert browse(posted_within=1) == ["Fresh"]
    assert set(browse(posted_within=30)) == {"Fresh", "Stale"}


def test_filter_by_organization():
    acme = VerifiedOrganizationFactory(slug="acme")
    make_open(title="Acme's", organization=acme)
    make_open(title="Someone else's")
    assert browse(organization="acme") == ["Acme's"]
    assert browse(organization="nobody") == []


def test_keyword_search_matches_title_summary_description_and_skills():
    tableau = skill("Tableau")
    make_open(title="Quarterly dashboard", required=[skill("Excel")])
    make_open(title="Blog posts", summary="Write about dashboards for our blog.")
    make_open(title="Skills hit", required=[tableau])
    make_open(title="Nothing relevant")
    assert set(browse(q="dashboard")) == {"Quarterly dashboard", "Blog posts"}
    assert browse(q="tableau") == ["Skills hit"]
    assert browse(q="zebra") == []


def test_keyword_search_combines_with_filters():
    make_open(title="Dashboard cheap", fee=500)
    make_open(title="Dashboard rich", fee=1500)
    assert browse(q="dashboard", fee_min=1000) == ["Dashboard rich"]


def test_sort_by_relevance_puts_title_hits_first():
    make_open(
        title="Weekly report",
        description="Build the churn model and write the weekly report.",
        published_at=days(-1),
    )
    make_open(title="Churn analysis", published_at=days(-5))
    assert browse(q="churn", sort=SORT_RELEVANCE) == ["Churn analysis", "Weekly report"]
    # Newest sort ignores relevance.
    assert browse(q="churn", sort=SORT_NEWEST) == ["Weekly report", "Churn analysis"]


def test_saved_flag_is_annotated_for_students_only(student):
    saved, other = make_open(title="Saved"), make_open(title="Other")
    saved_project_toggle(student=student, project=saved, save=True)
    flags = {p.title: p.is_saved for p in project_list_open(viewer=student)}
    assert flags == {"Saved": True, "Other": False}
    assert not hasattr(project_list_open(viewer=None)[0], "is_saved")
    assert other.pk in [p.pk for p in project_list_by_ids([other.pk, saved.pk])]


def test_skill_choices_are_grouped_by_category():
    sql = skill("SQL")
    groups = dict(skill_choice_groups())
    assert (sql.pk, "SQL") in groups[sql.category.name]


def test_skill_choices_are_cached_until_the_taxonomy_changes():
    sql = skill("SQL")
    first = skill_choice_groups()
    assert skill_choice_groups() is first  # same taxonomy: the cached object
    sql.name = "Structured Query Language"
    sql.save()
    renamed = skill_choice_groups()
    assert renamed is not first
    assert (sql.pk, "Structured Query Language") in dict(renamed)[sql.category.name]


# ------------------------------------------------------------------------------
# Keyword search: a bounded set of candidates, sorted
# ------------------------------------------------------------------------------
def hit_titles(**kwargs):
    hits, more = project_search_hits(filters=BrowseFilters(**kwargs))
    by_pk = {p.pk: p.title for p in Project.objects.filter(pk__in=[h.pk for h in hits])}
    return [by_pk[h.pk] for h in hits], more


def test_search_hits_rank_title_hits_first_then_newest():
    make_open(title="Weekly report", description="Includes the churn model.")
    make_open(title="Churn analysis", published_at=days(-5))
    make_open(title="Churn survey", published_at=days(-1))
    make_open(title="Unrelated")
    found, more = hit_titles(q="churn", sort=SORT_RELEVANCE)
    assert found == ["Churn survey", "Churn analysis", "Weekly report"]
    assert more is False


def test_search_hits_follow_the_chosen_sort():
    make_open(title="Churn late", application_deadline=days(20), fee=900)
    make_open(title="Churn soon", application_deadline=days(2), fee=400)
    assert hit_titles(q="churn", sort=SORT_DEADLINE)[0] == ["Churn soon", "Churn late"]
    assert hit_titles(q="churn", sort=SORT_FEE)[0] == ["Churn late", "Churn soon"]


def test_search_ranks_only_the_most_recently_created_candidates(monkeypatch):
    from projects.selectors import discovery

    monkeypatch.setattr(discovery, "SEARCH_CANDIDATES", 2)
    oldest = make_open(title="Ledger cleanup")  # the best title hit, but created first
    make_open(title="Quarterly close", summary="Reconcile the ledger.")
    make_open(title="Month end", summary="Post to the ledger.")
    found, more = hit_titles(q="ledger", sort=SORT_RELEVANCE)
    assert found == ["Month end", "Quarterly close"]
    assert oldest.title not in found
    assert more is True


# ------------------------------------------------------------------------------
# Best match (browse sort) and recommendations
# ------------------------------------------------------------------------------
@pytest.fixture
def skills():
    return {name: skill(name) for name in ("SQL", "Excel", "Tableau", "Figma", "Python")}


def test_best_match_ranks_by_score_and_skips_projects_sharing_no_skill(student, skills):
    give_skills(student, {skills["SQL"]: 5, skills["Excel"]: 4}, weekly_hours=15)
    full = make_open(title="Full", required=[skills["SQL"], skills["Excel"]])
    half = make_open(title="Half", required=[skills["SQL"], skills["Tableau"]])
    make_open(title="None", required=[skills["Figma"]])
    ranked = project_list_best_match(
        filters=BrowseFilters(), student=student_match_profile(user=student)
    )
    assert [pk for pk, _ in ranked] == [full.pk, half.pk]
    assert ranked[0][1].score > ranked[1][1].score


def test_best_match_respects_filters(student, skills):
    give_skills(student, {skills["SQL"]: 3})
    make_open(title="Data", required=[skills["SQL"]], category=Project.Category.DATA)
    research = make_open(title="Research", required=[skills["SQL"]])
    ranked = project_list_best_match(
        filters=BrowseFilters(category=Project.Category.RESEARCH),
        student=student_match_profile(user=student),
    )
    assert [pk for pk, _ in ranked] == [research.pk]


def test_best_match_without_skills_is_empty(student, skills):
    make_open(required=[skills["SQL"]])
    assert (
        project_list_best_match(
            filters=BrowseFilters(), student=student_match_profile(user=student)
        )
        == []
    )


def test_recommendations_rank_with_reasons(student, skills):
    give_skills(
        student, {skills["SQL"]: 5, skills["Excel"]: 4, skills["Tableau"]: 3}, weekly_hours=15
    )
    best = make_open(
        title="Best",
        required=[skills["SQL"], skills["Excel"], skills["Tableau"], skills["Python"]],
        application_deadline=days(3),
    )
    weaker = make_open(title="Weaker", required=[skills["SQL"], skills["Figma"]])
    make_open(title="Unrelated", required=[skills["Figma"]])
    expired = make_open(title="Expired", required=[skills["SQL"]])
    Project.objects.filter(pk=expired.pk).update(application_deadline=days(-1))
    project_in_status("closed", title="Closed", required_skills=[skills["SQL"]])

    recs = project_list_recommended_for(user=student)
    assert [r.project.pk for r in recs] == [best.pk, weaker.pk]
    reasons = recs[0].match.reasons
    assert "Matches 3 of 4 required skills: Excel, SQL, Tableau" in reasons
    assert "Fits your 15 h/week" in reasons
    assert "Deadline in 2 days" in reasons or "Deadline in 3 days" in reasons


def test_recommendations_are_capped(student, skills):
    from projects.selectors import discovery

    give_skills(student, {skills["SQL"]: 3})
    for i in range(4):
        make_open(title=f"P{i}", required=[skills["SQL"]])
    original = discovery.RECOMMENDATIONS_SHOWN
    discovery.RECOMMENDATIONS_SHOWN = 2
    try:
        assert len(project_list_recommended_for(user=student)) == 2
    finally:
        discovery.RECOMMENDATIONS_SHOWN = original


def test_recommendations_score_the_newest_projects_requiring_a_skill(student, skills, monkeypatch):
    from projects.selectors import discovery

    monkeypatch.setattr(discovery, "RECOMMENDATION_CANDIDATES", 2)
    give_skills(student, {skills["SQL"]: 3, skills["Excel"]: 3})
    oldest = make_open(title="Oldest", required=[skills["SQL"], skills["Excel"]])
    make_open(title="Middle", required=[skills["SQL"]])
    make_open(title="Newest", required=[skills["Excel"]])
    make_open(title="Nice only", required=[skills["Figma"]], nice=[skills["SQL"]])
    recs = project_list_recommended_for(user=student)
    assert {r.project.title for r in recs} == {"Middle", "Newest"}
    assert oldest.pk not in [r.project.pk for r in recs]


def test_a_ranking_is_reused_until_the_catalogue_changes(
    student, skills, django_assert_num_queries
):
    give_skills(student, {skills["SQL"]: 3})
    first = make_open(title="First", required=[skills["SQL"]])
    assert [r.project.pk for r in project_list_recommended_for(user=student)] == [first.pk]
    # Reused: the student's skills, then the projects and their skills (no scoring query).
    with django_assert_num_queries(3):
        assert [r.project.title for r in project_list_recommended_for(user=student)] == ["First"]
    second = make_open(title="Second", required=[skills["SQL"]])  # a new catalogue version
    recs = project_list_recommended_for(user=student)
    assert {r.project.pk for r in recs} == {first.pk, second.pk}


def test_a_ranking_is_shared_only_by_the_same_skills_and_hours(student, skills):
    give_skills(student, {skills["SQL"]: 3})
    sql = make_open(title="SQL work", required=[skills["SQL"]])
    figma = make_open(title="Figma work", required=[skills["Figma"]])
    assert [r.project.pk for r in project_list_recommended_for(user=student)] == [sql.pk]
    designer = StudentFactory()
    give_skills(designer, {skills["Figma"]: 3})
    assert [r.project.pk for r in project_list_recommended_for(user=designer)] == [figma.pk]
    twin = StudentFactory()
    give_skills(twin, {skills["SQL"]: 3}, weekly_hours=1)  # fewer hours: a ranking of its own
    assert project_list_recommended_for(user=twin)[0].match.fits_hours is False
    assert project_list_recommended_for(user=student)[0].match.fits_hours is True


def test_a_kept_ranking_leaves_out_a_project_whose_applications_closed(student, skills):
    give_skills(student, {skills["SQL"]: 3})
    closing = make_open(title="Closing", required=[skills["SQL"]])
    staying = make_open(title="Staying", required=[skills["SQL"]])
    assert len(project_list_recommended_for(user=student)) == 2
    # A deadline passing sends no signal: the kept ranking still names the project.
    Project.objects.filter(pk=closing.pk).update(application_deadline=days(-1))
    assert [r.project.pk for r in project_list_recommended_for(user=student)] == [staying.pk]


def test_no_recommendations_without_skills(student, skills):
    make_open(required=[skills["SQL"]])
    assert project_list_recommended_for(user=student) == []


# ------------------------------------------------------------------------------
# Detail, similar, saved
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("status", ["open", "closed", "completed"])
def test_public_statuses_are_visible(status):
    project = project_in_status(status)
    assert project_get_public(project.pk) == project


@pytest.mark.parametrize("status", ["draft", "pending_review", "cancelled"])
def test_other_statuses_are_404(status):
    project = project_in_status(status)
    with pytest.raises(Http404):
        project_get_public(project.pk)


def test_project_page_reads_the_project_and_the_students_match_in_two_queries(
    student, django_assert_num_queries
):
    sql, excel, python = skill("SQL"), skill("Excel"), skill("Python")
    project = make_open(required=[sql, excel], nice=[python])
    give_skills(student, {sql: 4, python: 2, skill("Cobol"): 5}, weekly_hours=12)
    saved_project_toggle(student=student, project=project, save=True)

    with django_assert_num_queries(2):
        page_project, match = project_page_get(project.pk, viewer=student)
        # What the page reads comes from those two queries.
        required = [ps.skill.name for ps in page_project.required_project_skills]
        nice = [ps.skill.name for ps in page_project.nice_to_have_project_skills]
        organization_name = page_project.organization.name
    assert (required, nice) == (["Excel", "SQL"], ["Python"])
    assert organization_name == project.organization.name
    assert page_project.is_saved is True
    # The same match the student's whole profile gives (scoring reads only the
    # project's skills).
    assert match == project_match_for(
        project=page_project, student=student_match_profile(user=student)
    )
    assert match.required_matched == [sql.pk]
    assert match.required_missing == [excel.pk]
    assert match.nice_matched == [python.pk]


def test_project_page_loads_every_value_of_the_project_and_its_organization(student):
    project = make_open(
        required=[skill("SQL")],
        deliverables=["A report", "A dashboard"],
        screening_questions=["Why us?"],
    )
    organization = project.organization
    organization.verified_at = timezone.now()
    organization.website = "https://example.com"
    organization.save()
    for viewer in (None, student):
        page_project, _ = project_page_get(project.pk, viewer=viewer)
        assert page_project == project
        assert page_project.deliverables == ["A report", "A dashboard"]
        assert page_project.screening_questions == ["Why us?"]
        assert page_project.application_deadline == project.application_deadline
        assert page_project.organization.is_verified
        assert page_project.organization.website == "https://example.com"


def test_project_page_for_a_student_without_skills_or_for_anyone_else(student, employer):
    project = make_open(required=[skill("SQL")])
    expected = list(
        ProjectSkill.objects.filter(project=project)
        .order_by("-is_required", "skill__name")
        .values_list("skill__name", flat=True)
    )
    page_project, match = project_page_get(project.pk, viewer=student)
    assert match is None  # no skills on the profile: nothing to match
    assert page_project.is_saved is False
    for viewer in (None, employer):
        page_project, match = project_page_get(project.pk, viewer=viewer)
        assert match is None
        assert not hasattr(page_project, "is_saved")
        assert [ps.skill.name for ps in page_project.project_skills.all()] == expected


def test_project_page_for_a_student_sharing_no_skill_with_the_project(student):
    project = make_open(required=[skill("SQL")])
    give_skills(student, {skill("Figma"): 3})
    _, match = project_page_get(project.pk, viewer=student)
    assert match.required_matched == []
    assert match.required_total == 1


def test_project_page_of_a_project_without_skills():
    project = make_open(required=[skill("SQL")])
    ProjectSkill.objects.filter(project=project).delete()  # e.g. the skill was retired
    page_project, _ = project_page_get(project.pk)
    assert list(page_project.project_skills.all()) == []


def test_a_saved_cancelled_project_can_still_be_fetched_for_unsaving(student):
    project = make_open()
    saved_project_toggle(student=student, project=project, save=True)
    from projects.services.posting import project_cancel

    project_cancel(project=project, actor=project.supervisor, reason="Budget cut")
    assert project_get_for_saving(project.pk, user=student) == project
    with pytest.raises(Http404):
        project_get_for_saving(project.pk, user=StudentFactory())


def test_similar_projects_share_category_or_skills_most_shared_first(skills):
    project = make_open(
        title="Main",
        required=[skills["SQL"], skills["Excel"]],
        category=Project.Category.DATA,
    )
    two = make_open(
        title="Two shared",
        required=[skills["SQL"], skills["Excel"]],
        category=Project.Category.WRITING,
    )
    one = make_open(title="One shared", required=[skills["SQL"]], published_at=days(-2))
    same_category = make_open(
        title="Same category", required=[skills["Figma"]], category=Project.Category.DATA
    )
    make_open(title="Unrelated", required=[skills["Figma"]], category=Project.Category.WRITING)
    project_in_status("closed", required_skills=[skills["SQL"]], category=Project.Category.DATA)
    project = project_get_public(project.pk)
    assert project_list_similar(project) == [two, one, same_category]


def test_similar_projects_share_a_required_skill_not_just_a_nice_to_have(skills):
    project = make_open(title="Main", required=[skills["SQL"]], category=Project.Category.DATA)
    required = make_open(
        title="Requires SQL", required=[skills["SQL"]], category=Project.Category.WRITING
    )
    make_open(
        title="SQL is a plus",
        required=[skills["Figma"]],
        nice=[skills["SQL"]],
        category=Project.Category.WRITING,
    )
    assert project_list_similar(project_get_public(project.pk)) == [required]


def test_similar_projects_are_at_most_four(skills):
    project = project_get_public(make_open(required=[skills["SQL"]]).pk)
    for _ in range(6):
        make_open(required=[skills["SQL"]])
    assert len(project_list_similar(project)) == 4


def test_saved_list_is_the_students_own_newest_first(student):
    first, second = make_open(title="First"), make_open(title="Second")
    saved_project_toggle(student=student, project=first, save=True)
    saved_project_toggle(student=student, project=second, save=True)
    other = StudentFactory()
    saved_project_toggle(student=other, project=first, save=True)
    assert [s.project.title for s in project_list_saved_for(user=student)] == [
        "Second",
        "First",
    ]
    assert [s.project.title for s in project_list_saved_for(user=other)] == ["First"]


def test_student_match_profile(student, skills):
    assert student_match_profile(user=student).skills == {}
    give_skills(student, {skills["SQL"]: 4}, weekly_hours=12)
    profile = student_match_profile(user=student)
    assert profile.skills == {skills["SQL"].pk: 4}
    assert profile.weekly_hours == 12
