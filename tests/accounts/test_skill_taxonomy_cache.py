"""The skill taxonomy kept per process (accounts.selectors.skills): no query while it is
current, a reload after any change to a skill or a category, or a cleared cache."""

import pytest
from django.core.cache import cache

from accounts.models import Skill, SkillCategory
from accounts.selectors.skills import skill_taxonomy
from tests.accounts.factories import SkillFactory

pytestmark = pytest.mark.django_db


def test_read_once_then_served_without_a_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        first = skill_taxonomy()
    with django_assert_num_queries(0):
        assert skill_taxonomy() is first
    assert len(first.rows) == Skill.objects.count()
    sql = Skill.objects.get(name="SQL")
    assert first.names[sql.pk] == "SQL"
    assert (sql.pk, "SQL", sql.category.name) in first.rows


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda: SkillFactory(name="Prompt engineering"), id="skill added"),
        pytest.param(lambda: Skill.objects.filter(name="SQL").first().save(), id="skill saved"),
        pytest.param(lambda: Skill.objects.get(name="Figma").delete(), id="skill deleted"),
        pytest.param(
            lambda: SkillCategory.objects.order_by("pk").first().save(), id="category saved"
        ),
        pytest.param(cache.clear, id="cache cleared"),
    ],
)
def test_any_change_makes_the_next_read_reload(change, django_assert_num_queries):
    first = skill_taxonomy()
    change()
    with django_assert_num_queries(1):
        reloaded = skill_taxonomy()
    assert reloaded is not first
    assert reloaded.rows == tuple(
        Skill.objects.order_by("category__name", "name").values_list("pk", "name", "category__name")
    )


def test_a_renamed_skill_is_seen_by_the_next_read():
    skill_taxonomy()
    sql = Skill.objects.get(name="SQL")
    sql.name = "Structured Query Language"
    sql.save()
    assert skill_taxonomy().names[sql.pk] == "Structured Query Language"


def test_derived_data_goes_with_its_version():
    first = skill_taxonomy()
    first.derived["marker"] = object()
    assert "marker" in skill_taxonomy().derived
    SkillFactory(name="Prompt engineering")
    assert "marker" not in skill_taxonomy().derived
