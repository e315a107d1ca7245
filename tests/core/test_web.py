"""core.web: the shared pagination helpers and the one way views meet a domain error."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from accounts.models import User
from core.exceptions import DomainError
from core.web import CountedPaginator, paginate, run_service
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def _request(page=None):
    return RequestFactory().get("/", {"page": page} if page is not None else {})


def test_paginate_counts_by_itself():
    pages = paginate(_request(2), list(range(30)), per_page=25)
    assert list(pages["page_obj"].object_list) == list(range(25, 30))
    assert pages["page_obj"].paginator.count == 30
    assert list(pages["page_range"]) == [1, 2]


def test_a_known_count_saves_the_count_query(django_assert_num_queries):
    for _ in range(3):
        UserFactory()
    users = User.objects.order_by("pk")
    with django_assert_num_queries(1):  # the page's rows, no COUNT(*)
        pages = paginate(_request(2), users, per_page=2, count=3)
        rows = list(pages["page_obj"].object_list)
    assert rows == list(users)[2:]
    assert pages["page_obj"].paginator.num_pages == 2


@pytest.mark.parametrize(("page", "number"), [("9", 2), ("x", 1), ("-1", 2), (None, 1)])
def test_a_bad_page_gives_the_nearest_page(page, number):
    pages = paginate(_request(page), list(range(30)), per_page=25, count=30)
    assert pages["page_obj"].number == number


def test_no_items_is_one_empty_page_without_a_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        pages = paginate(_request(), User.objects.order_by("pk"), per_page=25, count=0)
        assert list(pages["page_obj"].object_list) == []
    assert pages["page_obj"].number == 1


def test_counted_paginator_trusts_its_count():
    paginator = CountedPaginator(list(range(100)), 10, count=40)
    assert (paginator.count, paginator.num_pages) == (40, 4)
    assert CountedPaginator([], 10, count=-3).count == 0


class _Refusal(DomainError):
    field = "title"


def _service_that_refuses(*, error: DomainError):
    raise error


class _TitleForm(forms.Form):
    title = forms.CharField()


def _message_request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_run_service_returns_the_result():
    outcome = run_service(_message_request(), lambda *, value: value * 2, value=21)
    assert outcome == (True, 42)
    assert outcome.ok and outcome.result == 42


def test_a_refusal_without_a_form_becomes_a_message():
    request = _message_request()
    ok, result = run_service(request, _service_that_refuses, error=DomainError("Not now."))
    assert (ok, result) == (False, None)
    assert [str(m) for m in get_messages(request)] == ["Not now."]


def test_a_refusal_with_a_form_goes_beside_the_field_it_names():
    request = _message_request()
    form = _TitleForm({"title": "x"})
    assert form.is_valid()
    ok, _ = run_service(request, _service_that_refuses, form=form, error=_Refusal("Too short."))
    assert not ok
    assert form.errors == {"title": ["Too short."]}
    assert list(get_messages(request)) == []


def test_a_refusal_naming_no_field_of_the_form_goes_above_it():
    form = _TitleForm({"title": "x"})
    assert form.is_valid()
    run_service(_message_request(), _service_that_refuses, form=form, error=DomainError("No."))
    assert form.non_field_errors() == ["No."]


def test_other_errors_are_not_swallowed():
    def broken():
        raise ValueError("a bug, not a refusal")

    with pytest.raises(ValueError):
        run_service(_message_request(), broken)
