"""The skill taxonomy (seeded by a data migration) and a student's skills."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils.text import slugify

from accounts.models import Skill, SkillCategory, StudentSkill
from accounts.services.profiles import MAX_SKILLS, ProfileError, student_skill_set
from accounts.skill_taxonomy import SKILL_TAXONOMY
from tests.accounts.factories import SkillFactory

pytestmark = pytest.mark.django_db

seed_migration = importlib.import_module("accounts.migrations.0002_seed_skills")
REQUIRED_CATEGORIES = {
    "marketing", "data", "software", "design", "writing", "research",
    "finance", "operations", "sales", "people-hr", "product",
}  # fmt: skip


def test_taxonomy_is_large_and_unique():
    names = [name for _, _, skills in SKILL_TAXONOMY for name in skills]
    assert len(names) >= 150
    assert len({slugify(n) for n in names}) == len(names)
    assert {slug for _, slug, _ in SKILL_TAXONOMY} >= REQUIRED_CATEGORIES


def test_migration_seeded_the_database():
    assert Skill.objects.count() >= 150
    assert set(SkillCategory.objects.values_list("slug", flat=True)) >= REQUIRED_CATEGORIES
    assert Skill.objects.get(slug="sql").category.slug == "data"


def test_seed_is_idempotent():
    before = Skill.objects.count()
    seed_migration.seed_skills(django_apps, None)
    seed_migration.seed_skills(django_apps, None)
    assert Skill.objects.count() == before


def test_seed_fills_an_empty_table():
    StudentSkill.objects.all().delete()
    Skill.objects.all().delete()
    SkillCategory.objects.all().delete()
    seed_migration.seed_skills(django_apps, None)
    expected = sum(len(skills) for _, _, skills in SKILL_TAXONOMY)
    assert Skill.objects.count() == expected
    assert SkillCategory.objects.count() == len(SKILL_TAXONOMY)


# --- a student's skills through the page ---------------------------------------------


@pytest.fixture
def sql():
    return Skill.objects.get(slug="sql")


def post(client, **data):
    return client.post(reverse("accounts:profile-skills"), data)


def test_add_skill_with_level(client, student, sql):
    client.force_login(student)
    response = post(client, action="add", skill=sql.pk, level=4)
    assert response.status_code == 302
    item = StudentSkill.objects.get(profile=student.student_profile, skill=sql)
    assert item.level == 4
    page = client.get(reverse("accounts:profile-skills")).content.decode()
    assert "SQL" in page and "Advanced" in page


def test_adding_again_changes_the_level(client, student, sql):
    client.force_login(student)
    post(client, action="add", skill=sql.pk, level=2)
    post(client, action="add", skill=sql.pk, level=5)
    assert StudentSkill.objects.filter(profile=student.student_profile).count() == 1
    assert StudentSkill.objects.get(skill=sql).level == 5


def test_change_level(client, student, sql):
    client.force_login(student)
    post(client, action="add", skill=sql.pk, level=2)
    post(client, action="level", skill=sql.pk, level=3)
    assert StudentSkill.objects.get(skill=sql).level == 3


def test_remove_skill(client, student, sql):
    client.force_login(student)
    post(client, action="add", skill=sql.pk, level=2)
    response = post(client, action="remove", skill=sql.pk)
    assert response.status_code == 302
    assert not StudentSkill.objects.filter(profile=student.student_profile).exists()


def test_remove_form_asks_for_confirmation(client, student, sql):
    client.force_login(student)
    post(client, action="add", skill=sql.pk, level=2)
    html = client.get(reverse("accounts:profile-skills")).content.decode()
    assert 'data-confirm="Remove SQL from your profile?"' in html


def test_removing_a_skill_not_listed_is_a_message(client, student, sql):
    client.force_login(student)
    response = post(client, action="remove", skill=sql.pk)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "SQL is not on your profile" in page.content.decode()


@pytest.mark.parametrize(
    "data,field",
    [
        ({"action": "add", "skill": "999999", "level": 2}, "skill"),
        ({"action": "add", "skill": "", "level": 2}, "skill"),
        ({"action": "add", "level": 9}, "level"),
        ({"action": "add", "level": ""}, "level"),
        ({"action": "level", "level": "high"}, "level"),
        ({"action": "explode", "level": 2}, "action"),
    ],
)
def test_bad_skill_input_is_a_form_error(client, student, sql, data, field):
    data.setdefault("skill", sql.pk)
    client.force_login(student)
    response = post(client, **data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not StudentSkill.objects.filter(profile=student.student_profile).exists()


def test_skill_cap(student):
    profile = student.student_profile
    for skill in Skill.objects.all()[:MAX_SKILLS]:
        student_skill_set(profile=profile, skill=skill, level=2)
    extra = SkillFactory()
    with pytest.raises(ProfileError):
        student_skill_set(profile=profile, skill=extra, level=2)
    assert StudentSkill.objects.filter(profile=profile).count() == MAX_SKILLS


def test_service_refuses_a_level_out_of_range(student, sql):
    with pytest.raises(ProfileError):
        student_skill_set(profile=student.student_profile, skill=sql, level=7)


def test_skills_raise_completeness(client, student, sql):
    profile = student.student_profile
    before = profile.completeness
    student_skill_set(profile=profile, skill=sql, level=3)
    assert profile.completeness > before


# --- search: htmx partial and the no-JS fallback ------------------------------------


def test_search_partial_for_htmx(client, student):
    client.force_login(student)
    response = client.get(reverse("accounts:skill-search"), {"q": "figm"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="skill-picker"')
    assert "<html" not in html
    assert "Figma" in html and "SQL" not in html


def test_search_matches_category_names(client, student):
    client.force_login(student)
    response = client.get(
        reverse("accounts:skill-search"), {"q": "finance"}, HTTP_HX_REQUEST="true"
    )
    assert "Bookkeeping" in response.content.decode()


def test_search_without_match_says_so(client, student):
    client.force_login(student)
    response = client.get(reverse("accounts:skill-search"), {"q": "zzzz"}, HTTP_HX_REQUEST="true")
    assert "No skill matches" in response.content.decode()


def test_search_hides_skills_already_listed(client, student, sql):
    client.force_login(student)
    post(client, action="add", skill=sql.pk, level=2)
    response = client.get(reverse("accounts:skill-search"), {"q": "sql"}, HTTP_HX_REQUEST="true")
    assert f'value="{sql.pk}"' not in response.content.decode()


def test_search_without_js_narrows_the_page(client, student):
    client.force_login(student)
    response = client.get(reverse("accounts:skill-search"), {"q": "figma"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Figma" in html and ">SQL<" not in html
    assert 'hx-get="/me/skills/search/"' in html


def test_full_picker_lists_every_category(client, student):
    client.force_login(student)
    html = client.get(reverse("accounts:profile-skills")).content.decode()
    assert html.count("<optgroup") == SkillCategory.objects.count()


def test_skills_page_query_count_does_not_grow(client, student, django_assert_max_num_queries):
    profile = student.student_profile
    for skill in Skill.objects.all()[:20]:
        student_skill_set(profile=profile, skill=skill, level=2)
    client.force_login(student)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("accounts:profile-skills")).status_code == 200
