"""The navigation's fixed links (templates/base.html): each kind of user sees its own
links; the role's links are a cached fragment per kind of user."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

STUDENT_LINKS = ["projects:student-home", "projects:saved", "matching:record"]
EMPLOYER_LINKS = ["employer-projects", "projects:create", "matching:talent-pool"]
CAREER_LINKS = ["dashboards:career", "accounts:career-office"]
STAFF_LINKS = ["projects:review-queue", "dashboards:site", "admin:index"]
ACCOUNT_LINKS = ["accounts:notification-preferences", "account_change_password", "account_logout"]
ANONYMOUS_LINKS = ["account_login", "account_signup"]
EVERY = STUDENT_LINKS + EMPLOYER_LINKS + CAREER_LINKS + STAFF_LINKS


def _nav(client) -> str:
    html = client.get(reverse("projects:browse")).content.decode()
    return html[html.index('<nav class="container"') : html.index("</nav>")]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("student", STUDENT_LINKS + ACCOUNT_LINKS),
        ("employer", EMPLOYER_LINKS + ACCOUNT_LINKS),
        ("career_officer", CAREER_LINKS + ACCOUNT_LINKS),
        # Platform staff are not students: their own links only.
        ("staff_user", STAFF_LINKS + ACCOUNT_LINKS),
        (None, ANONYMOUS_LINKS),
    ],
)
def test_each_kind_of_user_sees_its_own_links(client, request, who, expected):
    if who:
        client.force_login(request.getfixturevalue(who))
    # Twice: the second page is served from the cached fragment and must not differ.
    first, second = _nav(client), _nav(client)
    assert first == second
    for name in EVERY + ACCOUNT_LINKS + ANONYMOUS_LINKS:
        link = f'href="{reverse(name)}"'
        assert (link in first) == (name in expected), name


def test_the_next_user_of_another_role_does_not_get_the_previous_links(client, student, employer):
    client.force_login(student)
    assert f'href="{reverse("projects:saved")}"' in _nav(client)
    client.force_login(employer)
    nav = _nav(client)
    assert f'href="{reverse("projects:saved")}"' not in nav
    assert f'href="{reverse("employer-projects")}"' in nav


def test_a_student_who_is_staff_does_not_share_a_plain_students_links(client, student, staff_user):
    client.force_login(student)
    assert f'href="{reverse("admin:index")}"' not in _nav(client)
    client.force_login(staff_user)
    assert f'href="{reverse("admin:index")}"' in _nav(client)
    client.force_login(student)
    assert f'href="{reverse("admin:index")}"' not in _nav(client)
