"""Role guards for views. Anonymous visitors never reach these: LoginRequiredMiddleware
sends them to the login page first. A logged-in user of the wrong role gets 403."""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def _role_required(check: Callable, message: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not check(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _has_organization(user) -> bool:
    return user.is_authenticated and user.is_employer and hasattr(user, "membership")


student_required = _role_required(
    lambda u: u.is_authenticated and u.is_student, "This page is for students."
)
employer_required = _role_required(
    lambda u: u.is_authenticated and u.is_employer, "This page is for employers."
)
organization_member_required = _role_required(
    _has_organization, "This page is for members of an organization."
)
organization_owner_required = _role_required(
    lambda u: _has_organization(u) and u.membership.is_owner,
    "Only an owner of the organization can do this.",
)
career_office_required = _role_required(
    lambda u: u.is_authenticated and u.is_career_office and hasattr(u, "career_office"),
    "This page is for career-office staff.",
)
staff_required = _role_required(
    lambda u: u.is_authenticated and u.is_staff, "This page is for platform staff."
)
