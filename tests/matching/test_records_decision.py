"""A new experience item waits for its student's decision: until they show or hide it,
only they see it (and its ratings); an employer they applied to, a share link, the print
page, the credential endpoints and a career office see nothing of it. Deciding is one
way, audited, and goes through the services; the old visibility form decides too. The
data migration decides the existing items their students had already acted on."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.statemachine import transition_table_pairs
from matching.models import Engagement, ExperienceItem, RecordShare
from matching.models.records import ExperienceItemEvent
from matching.services.records import (
    RecordError,
    experience_item_hide,
    experience_item_publish,
    experience_item_revoke_credential,
    experience_item_set_visibility,
    record_share_create,
    resume_bullet_save,
)
from tests.accounts.factories import SkillFactory
from tests.matching.records_helpers import completed_engagement, released_engagement

pytestmark = pytest.mark.django_db
QUOTE = "One of the best interns we have worked with."
SKILL = "Data storytelling"
NEW_STATE = "New — choose whether to show it"


@pytest.fixture
def new_item(student, supervisor) -> ExperienceItem:
    """A just-completed engagement with released feedback (ratings, quote, an endorsed
    skill), its item created by the completion itself and not yet decided."""
    engagement = released_engagement(
        student=student,
        supervisor=supervisor,
        skills=[SkillFactory(name=SKILL)],
        supervisor_overrides={"overall_rating": 5},
    )
    return ExperienceItem.objects.select_related("engagement__project").get(engagement=engagement)


def title(item: ExperienceItem) -> str:
    return item.engagement.project.title


def share_link_path(student) -> str:
    _, token = record_share_create(student=student)
    return reverse("matching:record-public", kwargs={"token": token})


def decide(client, item, decision, **extra):
    return client.post(
        reverse("matching:record-item-visibility", args=[item.pk]),
        {"decision": decision, **extra},
    )


# ------------------------------------------------------------------------------
# The transition table and the services
# ------------------------------------------------------------------------------
def test_completion_creates_a_pending_item(new_item):
    assert new_item.status == ExperienceItem.Status.PENDING
    assert new_item.is_pending and not new_item.is_shown_to_others
    assert not new_item.events.exists()


@pytest.mark.parametrize(
    ("from_status", "to_status", "legal"), list(transition_table_pairs(ExperienceItem))
)
def test_transition_table(from_status, to_status, legal):
    # Only pending → decided: a decision is never taken back to "new".
    assert ExperienceItem.can_transition(from_status, to_status) is legal
    assert legal == (from_status == "pending" and to_status == "decided")


@pytest.mark.parametrize(
    ("service", "visible", "note"),
    [(experience_item_publish, True, "Shown to others"), (experience_item_hide, False, "Hidden")],
)
def test_deciding_is_audited(new_item, student, service, visible, note):
    service(item=new_item, actor=student)
    new_item.refresh_from_db()
    assert new_item.status == ExperienceItem.Status.DECIDED
    assert new_item.is_visible is visible
    event = new_item.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("pending", "decided", student)
    assert event.note.startswith(note)


@pytest.mark.parametrize("first", [experience_item_publish, experience_item_hide])
@pytest.mark.parametrize("second", [experience_item_publish, experience_item_hide])
def test_deciding_twice_is_refused(new_item, student, first, second):
    first(item=new_item, actor=student)
    stale = ExperienceItem.objects.get(pk=new_item.pk)
    stale.status = ExperienceItem.Status.PENDING  # a page loaded before the first choice
    with pytest.raises(RecordError, match="already chose"):
        second(item=stale, actor=student)
    assert new_item.events.count() == 1


@pytest.mark.parametrize("service", [experience_item_publish, experience_item_hide])
def test_only_the_student_decides(new_item, supervisor, other_student, service):
    for actor in (supervisor, other_student):
        with pytest.raises(PermissionDenied):
            service(item=new_item, actor=actor)
    new_item.refresh_from_db()
    assert new_item.is_pending


def test_saving_the_visibility_form_on_a_new_item_decides_it(new_item, student):
    experience_item_set_visibility(
        item=new_item, actor=student, is_visible=False, show_ratings=True, show_quote=False
    )
    new_item.refresh_from_db()
    assert (new_item.status, new_item.is_visible) == ("decided", False)
    assert new_item.events.get().actor == student
    # Later changes are the student's standing choice: no second decision row.
    experience_item_set_visibility(
        item=new_item, actor=student, is_visible=True, show_ratings=False, show_quote=True
    )
    new_item.refresh_from_db()
    assert new_item.is_shown_to_others and not new_item.show_ratings
    assert new_item.events.count() == 1


# ------------------------------------------------------------------------------
# The student sees it and decides (views)
# ------------------------------------------------------------------------------
def test_the_student_sees_the_new_item_with_its_ratings_and_the_choice(client, student, new_item):
    client.force_login(student)
    page = client.get(reverse("matching:record")).content.decode()
    assert title(new_item) in page
    assert NEW_STATE in page
    assert "Overall: <strong>5 / 5" in page
    assert 'name="decision" value="publish"' in page and 'name="decision" value="hide"' in page
    item_page = client.get(reverse("matching:record-item", args=[new_item.pk])).content.decode()
    assert NEW_STATE in item_page and 'name="next" value="item"' in item_page
    # Asked once on the item's page (its preview of the entry does not ask again).
    assert item_page.count('name="decision" value="publish"') == 1


@pytest.mark.parametrize(("decision", "visible"), [("publish", True), ("hide", False)])
def test_the_student_decides_by_post(client, student, new_item, decision, visible):
    client.force_login(student)
    response = decide(client, new_item, decision)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("matching:record"))
    new_item.refresh_from_db()
    assert (new_item.status, new_item.is_visible) == ("decided", visible)
    page = client.get(response["Location"]).content.decode()
    assert NEW_STATE not in page
    assert ("Visible to others" if visible else "Hidden from others") in page


def test_deciding_from_the_item_page_returns_there(client, student, new_item):
    client.force_login(student)
    response = decide(client, new_item, "publish", next="item")
    assert response["Location"] == reverse("matching:record-item", args=[new_item.pk])


def test_a_second_decision_is_a_message_not_a_500(client, student, new_item):
    client.force_login(student)
    decide(client, new_item, "hide")
    response = decide(client, new_item, "publish", next="item")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "You already chose for this experience" in page
    new_item.refresh_from_db()
    assert not new_item.is_visible


@pytest.mark.parametrize("bad", ["", "show", "publish;drop", "x" * 5000])
def test_an_unknown_decision_changes_nothing(client, student, new_item, bad):
    client.force_login(student)
    response = decide(client, new_item, bad)
    assert response.status_code == 302
    assert (
        "Choose whether to show this experience"
        in client.get(response["Location"]).content.decode()
    )
    new_item.refresh_from_db()
    assert new_item.is_pending


@pytest.mark.parametrize("who", ["other_student", "employer", "supervisor", "career_officer"])
def test_nobody_else_can_decide(client, request, new_item, who):
    client.force_login(request.getfixturevalue(who))
    assert decide(client, new_item, "publish").status_code in (403, 404)
    new_item.refresh_from_db()
    assert new_item.is_pending


def test_deciding_needs_post(client, student, new_item):
    client.force_login(student)
    url = reverse("matching:record-item-visibility", args=[new_item.pk])
    assert client.get(url, {"decision": "publish"}).status_code == 405
    new_item.refresh_from_db()
    assert new_item.is_pending


# ------------------------------------------------------------------------------
# Nobody else sees it until the student shows it
# ------------------------------------------------------------------------------
def _not_leaked(page: str, item: ExperienceItem) -> None:
    assert title(item) not in page
    assert QUOTE not in page
    assert SKILL not in page  # its endorsement stays as private as the item
    assert "5 / 5" not in page


def _shown(page: str, item: ExperienceItem) -> None:
    assert title(item) in page
    assert SKILL in page
    assert "Overall: <strong>5 / 5" in page  # ratings shown by default once published


@pytest.mark.parametrize("who", ["employer", "supervisor"])
def test_an_employer_the_student_applied_to(client, request, student, new_item, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("matching:record-for-employer", args=[student.pk])
    _not_leaked(client.get(url).content.decode(), new_item)
    experience_item_publish(item=new_item, actor=student)
    _shown(client.get(url).content.decode(), new_item)


def test_the_public_share_link(client, student, new_item):
    url = share_link_path(student)
    page = client.get(url).content.decode()
    _not_leaked(page, new_item)
    assert "No verified experience to show yet." in page
    experience_item_publish(item=new_item, actor=student)
    _shown(client.get(url).content.decode(), new_item)


def test_a_hidden_decision_stays_hidden(client, student, new_item, employer):
    experience_item_hide(item=new_item, actor=student)
    _not_leaked(client.get(share_link_path(student)).content.decode(), new_item)
    client.force_login(employer)
    url = reverse("matching:record-for-employer", args=[student.pk])
    _not_leaked(client.get(url).content.decode(), new_item)


def test_the_print_page_shows_only_what_others_see(client, student, new_item):
    client.force_login(student)
    _not_leaked(client.get(reverse("matching:record-print")).content.decode(), new_item)
    experience_item_publish(item=new_item, actor=student)
    _shown(client.get(reverse("matching:record-print")).content.decode(), new_item)


def test_the_credential_and_its_verification(client, student, new_item):
    credential = reverse("matching:credential", args=[new_item.credential_id])
    assert client.get(credential).status_code == 404
    # The owner's pages do not hand out the credential's address before the choice.
    client.force_login(student)
    assert credential not in client.get(reverse("matching:record")).content.decode()
    client.logout()
    experience_item_publish(item=new_item, actor=student)
    response = client.get(credential)
    assert response.status_code == 200
    assert title(new_item) in response.content.decode()


def test_a_career_office_sees_no_record(client, career_officer, student, new_item):
    client.force_login(career_officer)
    for url in (
        reverse("matching:record-for-employer", args=[student.pk]),
        reverse("matching:record"),
        reverse("matching:record-item", args=[new_item.pk]),
    ):
        assert client.get(url).status_code in (403, 404)


def test_the_statistics_count_the_engagement_whatever_the_decision(student, new_item):
    # Placement figures count completed engagements, not what the record shows: the
    # decision must not move them (the statistics read Engagement, not ExperienceItem).
    completed = Engagement.objects.filter(student=student, status="completed")
    assert completed.count() == 1
    experience_item_hide(item=new_item, actor=student)
    assert completed.count() == 1


# ------------------------------------------------------------------------------
# The data migration
# ------------------------------------------------------------------------------
def _migration():
    return importlib.import_module("matching.migrations.0009_experience_item_decision")


def _as_before_the_change(item: ExperienceItem) -> None:
    ExperienceItem.objects.filter(pk=item.pk).update(status="pending")
    item.events.all().delete()


def test_the_migration_keeps_what_students_acted_on_and_holds_back_the_rest(
    student, other_student, supervisor
):
    untouched = ExperienceItem.objects.get(engagement=completed_engagement(student=student))
    hidden = ExperienceItem.objects.get(engagement=completed_engagement(student=student))
    experience_item_set_visibility(
        item=hidden, actor=student, is_visible=False, show_ratings=True, show_quote=False
    )
    approved = ExperienceItem.objects.get(engagement=completed_engagement(student=other_student))
    resume_bullet_save(
        bullet=approved.bullets.first(), actor=other_student, text="Led", approve=True
    )
    revoked = ExperienceItem.objects.get(
        engagement=completed_engagement(student=other_student, supervisor=supervisor)
    )
    experience_item_revoke_credential(item=revoked, actor=other_student)
    for item in (untouched, hidden, approved, revoked):
        _as_before_the_change(item)
    shared_student_item = ExperienceItem.objects.get(
        engagement=completed_engagement(student=other_student)
    )
    _as_before_the_change(shared_student_item)
    RecordShare.objects.create(student=other_student, token_hash="x" * 64)

    _migration().decide_items_the_student_saw(apps, None)

    status = dict(ExperienceItem.objects.values_list("pk", "status"))
    assert status[untouched.pk] == "pending"  # never shown to be seen: held back
    for item in (hidden, approved, revoked, shared_student_item):
        assert status[item.pk] == "decided"
    # Today's visibility is kept exactly for the decided ones.
    assert not ExperienceItem.objects.get(pk=hidden.pk).is_visible
    assert ExperienceItem.objects.get(pk=approved.pk).is_shown_to_others
    assert ExperienceItemEvent.objects.filter(item=hidden, actor=None, to_status="decided").exists()
    assert not ExperienceItemEvent.objects.filter(item=untouched).exists()


def test_a_share_link_older_than_the_item_is_no_evidence(student):
    RecordShare.objects.create(student=student, token_hash="y" * 64)
    item = ExperienceItem.objects.get(engagement=completed_engagement(student=student))
    _as_before_the_change(item)
    _migration().decide_items_the_student_saw(apps, None)
    item.refresh_from_db()
    assert item.is_pending
