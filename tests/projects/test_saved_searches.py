"""Saved searches: saving browse filters (normalized by the browse form), the list and
delete pages for every role, and the daily digest of new matching projects."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from projects.models import Project, SavedSearch
from projects.services.saved_searches import (
    SavedSearchError,
    saved_search_create,
    saved_search_delete,
)
from projects.tasks import send_saved_search_digests
from tests.accounts.factories import StudentFactory
from tests.projects.discovery_helpers import make_open, skill

pytestmark = pytest.mark.django_db

CREATE = reverse("projects:saved-search-create")
LIST = reverse("projects:saved-search-list")


def _delete_url(saved):
    return reverse("projects:saved-search-delete", args=[saved.pk])


def _digests(student=None):
    qs = Notification.objects.filter(kind="saved_search_digest")
    return qs.filter(recipient=student) if student else qs


# --- the service ---------------------------------------------------------------------


def test_create_normalizes_the_filters(student):
    python, sql = skill("Python"), skill("SQL")
    saved = saved_search_create(
        student=student,
        query=f"?sort=newest&skills={sql.pk}&q=+dashboard+&skills={python.pk}&page=3&category=data",
        name="  Data   work ",
    )
    assert saved.name == "Data work"
    assert parse_qs(saved.query_string) == {
        "q": ["dashboard"],
        "skills": [str(min(python.pk, sql.pk)), str(max(python.pk, sql.pk))],
        "category": ["data"],
        "sort": ["newest"],  # not the default when there are keywords
    }
    assert "page" not in saved.query_string


def test_same_filters_in_another_order_are_a_duplicate(student):
    saved_search_create(student=student, query="category=data&work_mode=remote")
    with pytest.raises(SavedSearchError, match="already saved"):
        saved_search_create(student=student, query="work_mode=remote&category=data&page=2")
    assert SavedSearch.objects.count() == 1


def test_invalid_filters_are_dropped_like_browse_does(student):
    saved = saved_search_create(student=student, query="category=astrology&fee_min=300")
    assert saved.query_string == "fee_min=300"


def test_no_filter_is_refused(student):
    for query in ["", "sort=fee", "category=astrology", "page=2"]:
        with pytest.raises(SavedSearchError, match="at least one filter"):
            saved_search_create(student=student, query=query)
    assert not SavedSearch.objects.exists()


def test_default_name_describes_the_filters(student):
    saved = saved_search_create(student=student, query="q=figma&category=design&work_mode=remote")
    assert saved.name == "“figma” · Design and UX · Remote"


def test_at_most_ten_per_student(student):
    for fee in range(SavedSearch.MAX_PER_STUDENT):
        saved_search_create(student=student, query=f"fee_min={100 + fee}")
    with pytest.raises(SavedSearchError, match="up to 10"):
        saved_search_create(student=student, query="fee_min=999")
    assert SavedSearch.objects.filter(student=student).count() == 10
    # Another student is not limited by this one's searches.
    other = StudentFactory(email="other@state.edu")
    saved_search_create(student=other, query="fee_min=999")


def test_only_students_save_searches(employer):
    with pytest.raises(SavedSearchError):
        saved_search_create(student=employer, query="category=data")


def test_delete_only_own(student):
    saved = saved_search_create(student=student, query="category=data")
    other = StudentFactory(email="other@state.edu")
    with pytest.raises(SavedSearchError):
        saved_search_delete(saved_search=saved, actor=other)
    saved_search_delete(saved_search=saved, actor=student)
    assert not SavedSearch.objects.exists()


# --- the views -----------------------------------------------------------------------


def test_save_from_browse(client, student):
    client.force_login(student)
    response = client.post(CREATE, {"query": "category=data&work_mode=remote", "name": "Remote"})
    assert response.status_code == 302
    assert response["Location"] == LIST
    saved = SavedSearch.objects.get(student=student)
    assert saved.name == "Remote"
    page = client.get(LIST)
    html = page.content.decode()
    assert "Remote" in html
    assert f'href="{reverse("projects:browse")}?category=data&amp;work_mode=remote"' in html


def test_save_error_goes_back_to_browse_with_a_message(client, student):
    client.force_login(student)
    response = client.post(CREATE, {"query": "sort=fee"}, follow=True)
    assert response.redirect_chain[-1][0] == f"{reverse('projects:browse')}?sort=fee"
    assert "at least one filter" in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_save_needs_post(client, student):
    client.force_login(student)
    assert client.get(CREATE).status_code == 405


@pytest.mark.parametrize("role", ["employer", "supervisor", "career_officer"])
def test_other_roles_are_forbidden(client, request, role, student):
    saved = saved_search_create(student=student, query="category=data")
    client.force_login(request.getfixturevalue(role))
    assert client.get(LIST).status_code == 403
    assert client.post(CREATE, {"query": "category=data"}).status_code == 403
    assert client.get(_delete_url(saved)).status_code == 403
    assert client.post(_delete_url(saved)).status_code == 403
    assert SavedSearch.objects.count() == 1


def test_anonymous_goes_to_login(client, student):
    saved = saved_search_create(student=student, query="category=data")
    for response in (
        client.get(LIST),
        client.post(CREATE, {"query": "category=data"}),
        client.get(_delete_url(saved)),
        client.post(_delete_url(saved)),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert SavedSearch.objects.count() == 1


def test_empty_list(client, student):
    client.force_login(student)
    assert "No saved searches yet" in client.get(LIST).content.decode()


def test_delete_asks_first_then_deletes(client, student):
    saved = saved_search_create(student=student, query="category=data", name="Data")
    client.force_login(student)
    confirm = client.get(_delete_url(saved))
    assert confirm.status_code == 200
    assert "Delete “Data”?" in confirm.content.decode()
    assert SavedSearch.objects.exists()
    response = client.post(_delete_url(saved), follow=True)
    assert "Deleted the saved search “Data”." in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_another_students_search_is_404(client, student):
    other = StudentFactory(email="other@state.edu")
    theirs = saved_search_create(student=other, query="category=data")
    client.force_login(student)
    assert client.get(_delete_url(theirs)).status_code == 404
    assert client.post(_delete_url(theirs)).status_code == 404
    assert SavedSearch.objects.filter(pk=theirs.pk).exists()


def test_list_query_count_is_flat(client, student, django_assert_max_num_queries):
    for fee in range(8):
        saved_search_create(student=student, query=f"fee_min={100 + fee}")
    client.force_login(student)
    with django_assert_max_num_queries(6):
        client.get(LIST)


# --- the daily digest ----------------------------------------------------------------


def _backdate(saved, hours=24):
    SavedSearch.objects.filter(pk=saved.pk).update(
        created_at=timezone.now() - timedelta(hours=hours)
    )


def test_digest_counts_new_matching_projects_once_a_day(
    student, django_capture_on_commit_callbacks
):
    from django.core import mail

    saved = saved_search_create(student=student, query="category=data", name="Data")
    _backdate(saved)
    make_open(category=Project.Category.DATA, published_at=timezone.now() - timedelta(hours=48))
    make_open(category=Project.Category.DATA)
    make_open(category=Project.Category.DATA)
    make_open(category=Project.Category.DESIGN)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_saved_search_digests() == 1
    digest = _digests(student).get()
    assert digest.text.startswith("2 new projects match your saved searches")
    assert "“Data” (2)" in digest.text
    assert digest.link == saved.get_absolute_url()
    assert len(mail.outbox) == 1
    # Twice the same day: nothing more.
    make_open(category=Project.Category.DATA)
    assert send_saved_search_digests() == 0
    assert _digests(student).count() == 1
    saved.refresh_from_db()
    assert saved.last_notified_at is not None


def test_next_day_counts_only_projects_since_the_last_digest(student):
    saved = saved_search_create(student=student, query="category=data", name="Data")
    _backdate(saved)
    make_open(category=Project.Category.DATA)
    send_saved_search_digests()
    make_open(category=Project.Category.DATA)  # after today's digest
    tomorrow = timezone.now() + timedelta(days=1)
    assert send_saved_search_digests(tomorrow.isoformat()) == 1
    assert _digests(student).order_by("-pk").first().text.startswith("1 new project matches")
    day_after = tomorrow + timedelta(days=1)
    assert send_saved_search_digests(day_after.isoformat()) == 0  # nothing new
    assert _digests(student).count() == 2


def test_several_searches_link_to_the_list(student):
    python = skill("Python")
    first = saved_search_create(student=student, query="category=data", name="Data")
    second = saved_search_create(student=student, query=f"skills={python.pk}", name="Python")
    _backdate(first)
    _backdate(second)
    make_open(category=Project.Category.DATA)
    make_open(category=Project.Category.DESIGN, required=[python])
    send_saved_search_digests()
    digest = _digests(student).get()
    assert "“Data” (1)" in digest.text and "“Python” (1)" in digest.text
    assert digest.link == LIST


def test_projects_published_before_saving_are_not_news(student):
    make_open(category=Project.Category.DATA, published_at=timezone.now() - timedelta(hours=1))
    saved_search_create(student=student, query="category=data")
    assert send_saved_search_digests() == 0
    assert not _digests().exists()


def test_keyword_search_uses_the_browse_matching(student):
    saved = saved_search_create(student=student, query=urlencode({"q": "zebrafish"}))
    _backdate(saved)
    make_open(title="Zebrafish imaging pipeline")
    make_open(title="Unrelated marketing plan")
    send_saved_search_digests()
    assert "(1)" in _digests(student).get().text


def test_inactive_students_get_no_digest(student):
    saved = saved_search_create(student=student, query="category=data")
    _backdate(saved)
    make_open(category=Project.Category.DATA)
    student.is_active = False
    student.save()
    assert send_saved_search_digests() == 0
