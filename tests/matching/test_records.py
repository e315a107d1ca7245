"""The experience record: who sees what (owner, another student, anonymous with a link,
an employer the student applied to, another organization), approved-only bullets, the
student's visibility choices, share links and their revocation, the print page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import ExperienceItem, RecordShare, ResumeBullet, SupervisorFeedback
from matching.services.records import (
    RecordError,
    experience_item_ensure,
    experience_item_publish,
    experience_item_set_visibility,
    record_share_create,
    resume_bullet_save,
)
from tests.accounts.factories import MembershipFactory, SkillFactory
from tests.matching.records_helpers import (
    completed_engagement,
    give_intern_feedback,
    give_supervisor_feedback,
    record_item,
    released_engagement,
)

pytestmark = pytest.mark.django_db
LOGIN = reverse("account_login")
APPROVED = "Grew the newsletter audience by 40% in three weeks."
UNAPPROVED_MARK = "Researched and compiled"  # the drafted first bullet, left unapproved
QUOTE = "One of the best interns we have worked with."


@pytest.fixture
def record(student, supervisor):
    """A released engagement with hours and an endorsed skill; its second bullet is
    approved in the student's words, the others stay drafts; the student published it.
    Plus an item the student hid."""
    engagement = released_engagement(
        student=student,
        supervisor=supervisor,
        skills=[SkillFactory(name="Copywriting")],
        hours=["2.5", "3"],
    )
    item = record_item(engagement)
    if item.is_pending:  # a new item waits for its student to show it
        experience_item_publish(item=item, actor=student)
    bullets = list(item.bullets.all())
    resume_bullet_save(bullet=bullets[1], actor=student, text=APPROVED, approve=True)
    hidden = record_item(completed_engagement(student=student))
    experience_item_set_visibility(
        item=hidden, actor=student, is_visible=False, show_ratings=True, show_quote=False
    )
    return {"item": item, "hidden": hidden, "engagement": engagement}


def share_link(client, student) -> str:
    client.force_login(student)
    response = client.post(reverse("matching:record-share"))
    assert response.status_code == 200
    link = response.context["link"]
    client.logout()
    return link


def public_url(link: str) -> str:
    return link.replace("http://testserver", "")


# ------------------------------------------------------------------------------
# The owner
# ------------------------------------------------------------------------------
def test_owner_sees_everything(client, student, record):
    client.force_login(student)
    response = client.get(reverse("matching:record"))
    assert response.status_code == 200
    page = response.content.decode()
    assert record["item"].engagement.project.title in page
    assert record["hidden"].engagement.project.title in page
    assert "Hidden from others" in page
    assert APPROVED in page and UNAPPROVED_MARK in page
    assert "5.5 hours logged" in page
    assert "Copywriting" in page
    assert "Grew newsletter click-through" in page  # the outcome


@pytest.mark.parametrize("who", ["employer", "supervisor", "career_officer"])
@pytest.mark.parametrize(
    "name", ["matching:record", "matching:record-print", "matching:record-share"]
)
def test_non_students_are_forbidden(client, who, name, request, record):
    client.force_login(request.getfixturevalue(who))
    method = client.post if name == "matching:record-share" else client.get
    assert method(reverse(name)).status_code == 403


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("matching:record", "get"),
        ("matching:record-print", "get"),
        ("matching:record-share", "post"),
    ],
)
def test_anonymous_goes_to_login(client, name, method):
    response = getattr(client, method)(reverse(name))
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_another_students_item_is_404(client, other_student, record):
    client.force_login(other_student)
    url = reverse("matching:record-item", args=[record["item"].pk])
    assert client.get(url).status_code == 404
    revoke = reverse("matching:record-credential-revoke", args=[record["item"].pk])
    assert client.post(revoke).status_code == 404
    item = ExperienceItem.objects.get(pk=record["item"].pk)
    assert item.credential_revoked_at is None
    # Their own record is empty, never someone else's.
    page = client.get(reverse("matching:record")).content.decode()
    assert record["item"].engagement.project.title not in page
    assert "No completed engagements yet" in page


def test_record_item_page_for_owner(client, student, record):
    client.force_login(student)
    response = client.get(reverse("matching:record-item", args=[record["item"].pk]))
    assert response.status_code == 200
    assert b"Approve" in response.content and b"Revoke the credential" in response.content


def test_items_are_created_lazily_with_drafted_bullets(client, student, supervisor):
    engagement = completed_engagement(student=student, supervisor=supervisor)
    ExperienceItem.objects.filter(engagement=engagement).delete()  # as if never hooked
    client.force_login(student)
    assert client.get(reverse("matching:record")).status_code == 200
    item = ExperienceItem.objects.get(engagement=engagement)
    assert item.student == student
    assert 2 <= item.bullets.count() <= 3
    assert experience_item_ensure(engagement=engagement) == item  # idempotent


def test_not_completed_engagement_has_no_item(student, supervisor):
    from tests.matching.engagement_helpers import make_engagement

    assert experience_item_ensure(engagement=make_engagement(student=student)) is None


def test_drafts_are_redrafted_on_release_but_own_words_kept(student, supervisor):
    engagement = completed_engagement(student=student, supervisor=supervisor)
    item = record_item(engagement)
    assert "click-through" not in " ".join(b.draft_text for b in item.bullets.all())
    give_supervisor_feedback(engagement, skills=[SkillFactory(name="SEO")])
    # Blind: the outcome must not leak into the drafts before the release.
    assert "click-through" not in " ".join(b.draft_text for b in item.bullets.all())
    give_intern_feedback(engagement)
    drafts = " ".join(b.draft_text for b in item.bullets.all())
    assert "click-through" in drafts and "SEO" in drafts

    other = completed_engagement(student=student)
    other_item = record_item(other)
    first = other_item.bullets.first()
    resume_bullet_save(bullet=first, actor=student, text="My own words.", approve=False)
    give_supervisor_feedback(other)
    give_intern_feedback(other)
    assert ResumeBullet.objects.get(pk=first.pk).text == "My own words."


def test_record_page_query_count_does_not_grow(client, student):
    released_engagement(student=student, skills=[SkillFactory()])
    client.force_login(student)
    client.get(reverse("matching:record"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("matching:record"))
    released_engagement(student=student, skills=[SkillFactory(), SkillFactory()])
    released_engagement(student=student)
    client.get(reverse("matching:record"))
    with CaptureQueriesContext(connection) as three:
        client.get(reverse("matching:record"))
    assert len(three) == len(one)


# ------------------------------------------------------------------------------
# Bullets: approved only are shown to others
# ------------------------------------------------------------------------------
def item_post(client, item, data, *, action, bullet=None):
    """POST to the item's view of one action (a bullet action names the bullet)."""
    args = [item.pk] if bullet is None else [item.pk, bullet.pk]
    return client.post(reverse(f"matching:{action}", args=args), data)


def test_approve_and_edit_unapproves(client, student, record):
    item = record["item"]
    bullet = item.bullets.get(text=APPROVED)
    client.force_login(student)
    response = item_post(
        client, item, {f"b{bullet.pk}-text": "Edited."}, action="record-bullet-save", bullet=bullet
    )
    assert response.status_code == 302
    bullet.refresh_from_db()
    assert bullet.text == "Edited." and bullet.approved_at is None
    item_post(
        client,
        item,
        {f"b{bullet.pk}-text": "Edited again."},
        action="record-bullet-approve",
        bullet=bullet,
    )
    bullet.refresh_from_db()
    assert bullet.text == "Edited again." and bullet.approved_at is not None


@pytest.mark.parametrize("text", ["", "   ", "x" * 301])
def test_bad_bullet_text_is_refused(client, student, record, text):
    item = record["item"]
    bullet = item.bullets.get(text=APPROVED)
    client.force_login(student)
    response = item_post(
        client, item, {f"b{bullet.pk}-text": text}, action="record-bullet-approve", bullet=bullet
    )
    assert response.status_code == 400
    assert b"A bullet" in response.content
    bullet.refresh_from_db()
    assert bullet.text == APPROVED and bullet.approved_at is not None


def test_add_and_delete_bullets(client, student, record):
    item = record["item"]
    client.force_login(student)
    count = item.bullets.count()
    assert (
        item_post(
            client, item, {"new-text": "Led a workshop."}, action="record-bullet-add"
        ).status_code
        == 302
    )
    added = item.bullets.get(text="Led a workshop.")
    assert added.approved_at is None and item.bullets.count() == count + 1
    response = item_post(client, item, {}, action="record-bullet-delete", bullet=added)
    assert response.status_code == 302
    assert not ResumeBullet.objects.filter(pk=added.pk).exists()


def test_bullet_limit(student, record):
    from matching.services.records import BULLETS_PER_ITEM_MAX, resume_bullet_add

    item = record["item"]
    while item.bullets.count() < BULLETS_PER_ITEM_MAX:
        resume_bullet_add(item=item, actor=student, text=f"Line {item.bullets.count()}")
    with pytest.raises(RecordError, match="at most"):
        resume_bullet_add(item=item, actor=student, text="One too many")


def test_cannot_touch_another_items_bullet(client, student, other_student, record):
    foreign = record_item(released_engagement(student=other_student))
    foreign_bullet = foreign.bullets.first()
    client.force_login(student)
    response = item_post(
        client, record["item"], {}, action="record-bullet-delete", bullet=foreign_bullet
    )
    assert response.status_code == 404
    assert ResumeBullet.objects.filter(pk=foreign_bullet.pk).exists()


def test_the_item_page_takes_no_post(client, student, record):
    """Each action has its own URL; the page itself only shows."""
    client.force_login(student)
    url = reverse("matching:record-item", args=[record["item"].pk])
    assert client.post(url, {"action": "credential-revoke"}).status_code == 405
    assert ExperienceItem.objects.get(pk=record["item"].pk).credential_revoked_at is None


@pytest.mark.parametrize(
    "name",
    [
        "record-item-visibility",
        "record-bullet-add",
        "record-bullet-save",
        "record-bullet-approve",
        "record-bullet-delete",
        "record-credential-revoke",
    ],
)
def test_action_urls_are_post_only(client, student, record, name):
    item = record["item"]
    bullet = item.bullets.get(text=APPROVED)
    client.force_login(student)
    args = (
        [item.pk, bullet.pk]
        if name.startswith("record-bullet-") and name != "record-bullet-add"
        else [item.pk]
    )
    assert client.get(reverse(f"matching:{name}", args=args)).status_code == 405


def test_the_item_page_posts_each_form_to_its_own_action(client, student, record):
    item = record["item"]
    bullet = item.bullets.get(text=APPROVED)
    client.force_login(student)
    page = client.get(reverse("matching:record-item", args=[item.pk])).content.decode()
    assert 'name="action"' not in page
    for name, args in [
        ("record-item-visibility", [item.pk]),
        ("record-bullet-add", [item.pk]),
        ("record-bullet-save", [item.pk, bullet.pk]),
        ("record-bullet-approve", [item.pk, bullet.pk]),
        ("record-bullet-delete", [item.pk, bullet.pk]),
        ("record-credential-revoke", [item.pk]),
    ]:
        assert reverse(f"matching:{name}", args=args) in page


# ------------------------------------------------------------------------------
# The public link
# ------------------------------------------------------------------------------
def test_public_link_shows_visible_items_and_approved_bullets_only(client, student, record):
    link = share_link(client, student)
    response = client.get(public_url(link))  # anonymous
    assert response.status_code == 200
    page = response.content.decode()
    assert record["item"].engagement.project.title in page
    assert record["hidden"].engagement.project.title not in page
    assert APPROVED in page
    assert UNAPPROVED_MARK not in page
    assert "Overall: <strong>4 / 5" in page  # show_ratings defaults to on
    assert QUOTE not in page  # show_quote defaults to off
    assert response["X-Robots-Tag"] == "noindex"


def test_visibility_choices_drive_the_public_view(client, student, record):
    link = share_link(client, student)
    client.force_login(student)
    item = record["item"]
    response = item_post(
        client, item, {"is_visible": "on", "show_quote": "on"}, action="record-item-visibility"
    )
    assert response.status_code == 302
    assert SupervisorFeedback.objects.get(engagement=item.engagement).recommendation_public
    client.logout()
    page = client.get(public_url(link)).content.decode()
    assert QUOTE in page
    assert "Overall: <strong>" not in page  # ratings now hidden

    client.force_login(student)
    item_post(client, item, {}, action="record-item-visibility")  # everything off
    client.logout()
    page = client.get(public_url(link)).content.decode()
    assert item.engagement.project.title not in page


def test_token_is_stored_hashed_and_shown_once(client, student, record):
    link = share_link(client, student)
    token = public_url(link).rstrip("/").rsplit("/", 1)[-1]
    share = RecordShare.objects.get(student=student)
    assert share.token_hash != token and len(share.token_hash) == 64
    client.force_login(student)
    assert token not in client.get(reverse("matching:record")).content.decode()


def test_unknown_token_is_404(client):
    assert (
        client.get(reverse("matching:record-public", args=["not-a-real-token"])).status_code == 404
    )


def test_revoke_share_needs_confirmation(client, student, record):
    link = share_link(client, student)
    share = RecordShare.objects.get(student=student)
    url = reverse("matching:record-share-revoke", args=[share.pk])
    client.force_login(student)
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 400  # not confirmed
    client.logout()
    assert client.get(public_url(link)).status_code == 200
    client.force_login(student)
    assert client.post(url, {"confirm": "on"}).status_code == 302
    client.logout()
    assert client.get(public_url(link)).status_code == 404
    client.force_login(student)
    assert client.get(url).status_code == 404  # revoked: no longer listed


def test_another_student_cannot_revoke_my_link(client, student, other_student, record):
    share, _ = record_share_create(student=student)
    client.force_login(other_student)
    url = reverse("matching:record-share-revoke", args=[share.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"confirm": "on"}).status_code == 404
    share.refresh_from_db()
    assert share.revoked_at is None


def test_share_limit(student):
    from matching.services.records import ACTIVE_SHARES_MAX

    for _ in range(ACTIVE_SHARES_MAX):
        record_share_create(student=student)
    with pytest.raises(RecordError, match="active links"):
        record_share_create(student=student)


# ------------------------------------------------------------------------------
# Employers
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["employer", "supervisor"])
def test_employer_of_an_applied_to_org_sees_the_public_view(client, who, request, student, record):
    # The student applied to (and worked for) a project of this organization.
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("matching:record-for-employer", args=[student.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert APPROVED in page and UNAPPROVED_MARK not in page
    assert record["hidden"].engagement.project.title not in page


def test_another_organization_gets_404(client, other_employer, student, record):
    client.force_login(other_employer)
    assert client.get(reverse("matching:record-for-employer", args=[student.pk])).status_code == 404


def test_employer_without_an_application_gets_404(client, employer, other_student):
    client.force_login(employer)
    url = reverse("matching:record-for-employer", args=[other_student.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["other_student", "career_officer"])
def test_non_members_are_forbidden_from_employer_view(client, who, request, student):
    client.force_login(request.getfixturevalue(who))
    url = reverse("matching:record-for-employer", args=[student.pk])
    assert client.get(url).status_code == 403


def test_member_without_org_role_check(client, organization, student, record):
    colleague = MembershipFactory(organization=organization).user
    client.force_login(colleague)
    url = reverse("matching:record-for-employer", args=[student.pk])
    assert client.get(url).status_code == 200


# ------------------------------------------------------------------------------
# Printing
# ------------------------------------------------------------------------------
def test_print_page_shows_what_others_see(client, student, record):
    client.force_login(student)
    response = client.get(reverse("matching:record-print"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "css/record.css" in page
    assert APPROVED in page and UNAPPROVED_MARK not in page
    assert record["hidden"].engagement.project.title not in page


@pytest.mark.parametrize(
    ("name", "with_bullet", "data"),
    [
        ("matching:record-item-visibility", False, {"is_visible": "on"}),
        ("matching:record-bullet-add", False, {"text": "Wrote a thing"}),
        ("matching:record-bullet-save", True, {"text": "Rewritten by someone else"}),
        ("matching:record-bullet-approve", True, {"text": "Approved by someone else"}),
        ("matching:record-bullet-delete", True, {}),
        ("matching:record-credential-revoke", False, {}),
    ],
)
def test_every_item_action_on_another_students_item_is_404_and_changes_nothing(
    client, other_student, record, name, with_bullet, data
):
    item = record["item"]
    bullets_before = list(item.bullets.order_by("pk").values_list("pk", "text", "approved_at"))
    args = [item.pk, bullets_before[0][0]] if with_bullet else [item.pk]
    client.force_login(other_student)
    assert client.post(reverse(name, args=args), data).status_code == 404
    item.refresh_from_db()
    assert item.credential_revoked_at is None and item.is_visible
    assert list(item.bullets.order_by("pk").values_list("pk", "text", "approved_at")) == (
        bullets_before
    )
