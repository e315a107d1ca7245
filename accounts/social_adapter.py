"""allauth's social-account adapter: institutions' identity providers, and what a sign-in
through one may do.

- The providers come from ``InstitutionSignOn`` rows (``accounts.sign_on``), not from
  settings or allauth's own table.
- The provider vouches for an address only on the domains its institution covers; any
  other address is refused, and no account is made.
- An existing account with the same *verified* address is signed in and linked (allauth's
  email authentication); an account whose address was never confirmed is neither linked
  nor taken over: whoever created it may not own the address.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.http import HttpRequest
from django.shortcuts import render

from .models import InstitutionSignOn, User
from .selectors.sign_on import sign_on_for_provider, sign_on_list_enabled
from .services.sign_on import sign_on_account_created, sign_on_role_for
from .sign_on import social_app_for


def sign_on_refused(
    request: HttpRequest, sign_on: InstitutionSignOn | None, reason: str, email: str = ""
) -> ImmediateHttpResponse:
    context = {"sign_on": sign_on, "reason": reason, "email": email}
    return ImmediateHttpResponse(
        render(request, "account/sign_on_refused.html", context, status=403)
    )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        for sign_on in sign_on_list_enabled():
            app = social_app_for(sign_on)
            if provider and provider not in (app.provider, app.provider_id):
                continue
            if client_id and client_id != app.client_id:
                continue
            apps.append(app)
        return apps

    def _sign_on(self, sociallogin) -> InstitutionSignOn | None:
        return sign_on_for_provider(provider_id=sociallogin.account.provider)

    def is_email_verified(self, provider, email) -> bool:
        sign_on = sign_on_for_provider(provider_id=provider.sub_id)
        if sign_on is not None:
            return sign_on.covers(email)
        return super().is_email_verified(provider, email)

    def can_authenticate_by_email(self, sociallogin, email) -> bool:
        # Only into an account whose own copy of the address was confirmed.
        sign_on = self._sign_on(sociallogin)
        return (
            sign_on is not None
            and sign_on.covers(email)
            and EmailAddress.objects.filter(email__iexact=email, verified=True).exists()
        )

    def pre_social_login(self, request, sociallogin) -> None:
        sign_on = self._sign_on(sociallogin)
        if sign_on is None:  # switched off between the start and the answer
            raise sign_on_refused(request, None, "disabled")
        email = (sociallogin.user.email or "").strip().lower()
        if not email:
            raise sign_on_refused(request, sign_on, "no_email")
        if not sign_on.covers(email):
            raise sign_on_refused(request, sign_on, "domain", email)
        if not sociallogin.is_existing and User.objects.filter(email__iexact=email).exists():
            # Email authentication found no confirmed account with this address, yet one
            # holds it: unconfirmed, so not linked (see the module docstring).
            raise sign_on_refused(request, sign_on, "unconfirmed", email)

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return True

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        user.email = (user.email or "").lower()
        sign_on = self._sign_on(sociallogin)
        if sign_on is not None:
            user.role = sign_on_role_for(sign_on=sign_on, email=user.email)
        return user

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        sign_on = self._sign_on(sociallogin)
        if sign_on is not None:
            sign_on_account_created(
                user=user, sign_on=sign_on, extra_data=sociallogin.account.extra_data
            )
        return user
