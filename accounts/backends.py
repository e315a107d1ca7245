"""Authentication backends: Django's and allauth's, loading the user's organization
membership with the user.

Every employer page reads ``request.user.membership`` (the decorators and selectors
scope everything to the user's organization), which cost one more query per request.
A LEFT JOIN in the query that loads the user anyway costs next to nothing, for
students and career officers too (they have no membership: the join finds none).
"""

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends
from django.contrib.auth import get_user_model


class _MembershipJoinedMixin:
    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("membership").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class ModelBackend(_MembershipJoinedMixin, django_backends.ModelBackend):
    """Email and password, as Django's (the admin and ``force_login`` use it)."""


class AuthenticationBackend(_MembershipJoinedMixin, allauth_backends.AuthenticationBackend):
    """allauth's login flows (allauth picks its backend by class, so a subclass works)."""
