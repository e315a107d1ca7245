"""The skill taxonomy (seeded by a data migration) and a student's skills."""

import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils.text import slugify

from accounts.forms.profiles import StudentSkillForm
from accounts.models import Skill, SkillCategory, StudentSkill
from accounts.services.profiles import (
    MAX_SKILLS,
    ProfileError,
    student_skill_set,
    student_skills_add,
)
from accounts.signals import student_profile_changed
from accounts.skill_taxonomy import SKILL_TAXONOMY
from core.widgets import SkillPicker
from tests.accounts.factories import SkillFactory, StudentFactory

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


@pytest.fixture
def python():
    return Skill.objects.get(slug="python")


def post(client, **data):
    return client.post(reverse("accounts:profile-skills"), data)


def listed(student) -> dict[str, int]:
    items = StudentSkill.objects.filter(profile=student.student_profile).select_related("skill")
    return {item.skill.name: item.level for item in items}


def picker_options(html: str) -> list[str]:
    """The values of the options in the add form's skill select."""
    select = re.search(r'<select name="skills"[^>]*>(.*?)</select>', html, re.S)
    assert select, html
    return re.findall(r'<option value="(\d+)"', select.group(1))


def test_add_several_skills_at_one_level(client, student, sql, python):
    client.force_login(student)
    response = post(client, action="add", skills=[sql.pk, python.pk], level=4)
    assert response.status_code == 302
    assert listed(student) == {"SQL": 4, "Python": 4}
    page = client.get(response["Location"]).content.decode()
    assert "Added Python and SQL at advanced." in page  # by name


def test_one_skill_is_enough(client, student, sql):
    client.force_login(student)
    assert post(client, action="add", skills=[sql.pk], level=2).status_code == 302
    assert listed(student) == {"SQL": 2}


def test_the_level_starts_at_working_knowledge(client, student):
    client.force_login(student)
    html = client.get(reverse("accounts:profile-skills")).content.decode()
    level = re.search(r'<select name="level"[^>]* id="id_level"[^>]*>(.*?)</select>', html, re.S)
    assert level, html
    assert '<option value="2" selected>2 · Working knowledge</option>' in level.group(1)
    assert "For every skill you add now" in html


def test_a_listed_skill_is_not_offered_again(client, student, sql, python):
    client.force_login(student)
    post(client, action="add", skills=[sql.pk], level=2)
    options = picker_options(client.get(reverse("accounts:profile-skills")).content.decode())
    assert str(sql.pk) not in options and str(python.pk) in options
    # Posted anyway (another tab, an old page): refused, its level unchanged, and the
    # other skill chosen with it is not added either.
    response = post(client, action="add", skills=[python.pk, sql.pk], level=5)
    assert response.status_code == 400
    assert "already on your profile" in response.context["form"].errors["skills"][0]
    assert listed(student) == {"SQL": 2}


def test_change_level(client, student, sql):
    client.force_login(student)
    post(client, action="add", skills=[sql.pk], level=2)
    post(client, action="level", skill=sql.pk, level=3)
    assert listed(student) == {"SQL": 3}


def test_remove_skill(client, student, sql, python):
    client.force_login(student)
    post(client, action="add", skills=[sql.pk, python.pk], level=2)
    response = post(client, action="remove", skill=sql.pk)
    assert response.status_code == 302
    assert listed(student) == {"Python": 2}


def test_remove_form_asks_for_confirmation(client, student, sql):
    client.force_login(student)
    post(client, action="add", skills=[sql.pk], level=2)
    html = client.get(reverse("accounts:profile-skills")).content.decode()
    assert 'data-confirm="Remove SQL from your profile?"' in html


def test_removing_a_skill_not_listed_is_a_message(client, student, sql):
    client.force_login(student)
    response = post(client, action="remove", skill=sql.pk)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "SQL is not on your profile" in page.content.decode()


@pytest.mark.parametrize(
    "data,field,message",
    [
        ({"action": "add", "level": 2}, "skills", "Choose at least one skill to add."),
        ({"action": "add", "skills": "", "level": 2}, "skills", "from the list"),
        ({"action": "add", "skills": ["999999"], "level": 2}, "skills", "from the list"),
        ({"action": "add", "skills": ["SQL", "sql"], "level": 2}, "skills", "from the list"),
        ({"action": "add", "skills": [str(2**63)], "level": 2}, "skills", "from the list"),
        ({"action": "add", "skills": ["sql", "999999"], "level": 2}, "skills", "from the list"),
        ({"action": "add", "skills": ["sql"], "level": 9}, "level", "9"),
        ({"action": "add", "skills": ["sql"], "level": ""}, "level", "Choose your level."),
        ({"action": "level", "skill": "sql", "level": "high"}, "level", "high"),
        ({"action": "level", "level": 3}, "skill", "Choose a skill from the list."),
        ({"action": "remove", "skill": "999999"}, "skill", "Choose a skill from the list."),
        ({"action": "explode", "skill": "sql", "level": 2}, "action", "explode"),
    ],
)
def test_bad_skill_input_is_a_form_error(client, student, sql, data, field, message):
    """``"sql"`` stands for the SQL skill's id: one bad choice among good ones adds none."""

    def real(value):
        return sql.pk if value == "sql" else value

    data = {key: [real(v) for v in value] if isinstance(value, list) else real(value)
            for key, value in data.items()}  # fmt: skip
    client.force_login(student)
    response = post(client, **data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert listed(student) == {}
    html = response.content.decode()
    assert '<div class="form-errors" role="alert">' in html  # said above the form too


def test_a_bad_choice_shows_beside_the_picker(client, student):
    client.force_login(student)
    html = post(client, action="add", level=2).content.decode()
    assert '<ul class="errorlist" id="id_skills_error"><li>Choose at least one skill' in html
    select = re.search(r'<select name="skills"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in select


def test_the_cap_refuses_the_whole_choice(client, student, python):
    profile = student.student_profile
    for skill in Skill.objects.exclude(pk=python.pk)[: MAX_SKILLS - 1]:
        student_skill_set(profile=profile, skill=skill, level=2)
    extra = SkillFactory()
    client.force_login(student)
    response = post(client, action="add", skills=[python.pk, extra.pk], level=2)
    assert response.status_code == 400
    assert response.context["form"].errors["skills"] == [
        f"You can list up to {MAX_SKILLS} skills and have {MAX_SKILLS - 1}: choose at most 1 "
        "(you chose 2)."
    ]
    assert len(listed(student)) == MAX_SKILLS - 1
    # One fits.
    assert post(client, action="add", skills=[python.pk], level=2).status_code == 302
    response = post(client, action="add", skills=[extra.pk], level=2)
    assert response.status_code == 400
    assert "Remove one to add another." in response.context["form"].errors["skills"][0]
    assert len(listed(student)) == MAX_SKILLS


def test_skill_cap(student):
    profile = student.student_profile
    for skill in Skill.objects.all()[:MAX_SKILLS]:
        student_skill_set(profile=profile, skill=skill, level=2)
    extra = SkillFactory()
    with pytest.raises(ProfileError):
        student_skill_set(profile=profile, skill=extra, level=2)
    assert StudentSkill.objects.filter(profile=profile).count() == MAX_SKILLS


def test_several_skills_are_added_in_one_write_and_one_signal(student, sql, python):
    profile = student.student_profile
    student_skill_set(profile=profile, skill=sql, level=1)
    heard = []

    def receiver(**kwargs):
        heard.append(kwargs["fields"])

    student_profile_changed.connect(receiver)
    try:
        items = student_skills_add(profile=profile, skills=[python, sql], level=4)
    finally:
        student_profile_changed.disconnect(receiver)
    assert [(item.skill, item.level) for item in items] == [(python, 4), (sql, 4)]
    assert listed(student) == {"Python": 4, "SQL": 4}
    assert heard == [frozenset({"skills"})]


def test_adding_skills_already_listed_at_their_level_changes_nothing(student, sql):
    profile = student.student_profile
    student_skill_set(profile=profile, skill=sql, level=3)
    heard = []
    student_profile_changed.connect(receiver := lambda **kwargs: heard.append(kwargs))
    try:
        (item,) = student_skills_add(profile=profile, skills=[sql], level=3)
    finally:
        student_profile_changed.disconnect(receiver)
    assert item.level == 3 and heard == []


def test_the_service_cap_refuses_the_whole_choice(student, sql, python):
    # The form checks the cap first; the service checks it again under the profile's lock
    # (another request may have added skills since), and then adds none of them.
    profile = student.student_profile
    for skill in Skill.objects.exclude(pk__in=[sql.pk, python.pk])[: MAX_SKILLS - 1]:
        student_skill_set(profile=profile, skill=skill, level=2)
    refusal = f"have {MAX_SKILLS - 1}. Remove 1 to add Python and SQL"
    with pytest.raises(ProfileError, match=refusal):
        student_skills_add(profile=profile, skills=[python, sql], level=2)
    assert len(listed(student)) == MAX_SKILLS - 1


def test_service_refuses_a_level_out_of_range(student, sql):
    with pytest.raises(ProfileError):
        student_skill_set(profile=student.student_profile, skill=sql, level=7)


def test_skills_raise_completeness(client, student, sql):
    profile = student.student_profile
    before = profile.completeness
    student_skill_set(profile=profile, skill=sql, level=3)
    assert profile.completeness > before


# --- the picker: the shared typeahead, and a plain select without script --------------


def test_the_page_uses_the_shared_skill_picker(client, student):
    client.force_login(student)
    html = client.get(reverse("accounts:profile-skills")).content.decode()
    assert '<label for="id_skills">Skills to add</label>' in html
    assert 'id="id_skills-search"' in html and 'role="combobox"' in html
    assert f'data-hx-get="{reverse("accounts:skill-search")}"' in html
    select = re.search(r'<select name="skills"[^>]*>', html).group(0)
    assert "multiple" in select and "required" in select
    # The old search form and its hand-built select are gone.
    assert 'name="q"' not in html and 'name="skill"' not in html
    assert "(optional)" not in html


def test_the_form_uses_the_picker():
    profile = StudentFactory().student_profile
    form = StudentSkillForm(profile=profile)
    assert isinstance(form.fields["skills"].widget, SkillPicker)
    assert form.fields["skills"].widget.allow_multiple_selected


def test_without_script_every_skill_not_listed_is_an_option(client, student, sql):
    client.force_login(student)
    post(client, action="add", skills=[sql.pk], level=2)
    html = client.get(reverse("accounts:profile-skills")).content.decode()
    assert len(picker_options(html)) == Skill.objects.count() - 1
    # The option names its category (similar names told apart); the chip just the name.
    assert 'data-name="Python">Python — Software development</option>' in html


def test_skills_page_query_count_does_not_grow(client, student, django_assert_max_num_queries):
    profile = student.student_profile
    for skill in Skill.objects.all()[:20]:
        student_skill_set(profile=profile, skill=skill, level=2)
    client.force_login(student)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("accounts:profile-skills")).status_code == 200
