"""core.web: the shared pagination helpers."""

import pytest
from django.test import RequestFactory

from accounts.models import User
from core.web import CountedPaginator, paginate
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
