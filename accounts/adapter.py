"""allauth's adapter: what a new account becomes, and how failed logins are limited.

Failed password logins are counted three ways (the rates are in settings'
LOGIN_FAILURE_RATE_LIMITS):

- per source, across accounts: allauth's own "login_failed", by client address;
- per account and source ("login_failed_from_source"): five wrong passwords lock the
  account from that address only, so a stranger who knows an email shuts out nobody but
  themselves;
- per account from every source ("login_failed_account"): a brake on guessing spread
  over many addresses, set above what one address can reach on its own.

A locked account's owner signs in with a code mailed to the account's address (allauth's
login by code, offered on the login page), which no password counter blocks.
"""

import ipaddress

from allauth import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import ratelimit

from .forms.signup import SELF_SERVICE_ROLES
from .models import User

LOGIN_FAILED_FROM_SOURCE = "login_failed_from_source"
LOGIN_FAILED_ACCOUNT = "login_failed_account"


def rate_limit_source(ip: str) -> str:
    """The source a client address counts as: IPv6 by its network prefix, as allauth's
    own limits do, since one host usually holds a whole /64."""
    address = ipaddress.ip_address(ip)
    if address.version == 6:
        prefix = allauth_settings.RATE_LIMIT_IPV6_PREFIX
        return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)
    return str(address)


def login_failure_counters(*, login: str, source: str) -> list[tuple[str, str]]:
    """(rate limit action, key) of each counter a failed login for ``login`` from
    ``source`` adds to."""
    login = login.strip().lower()
    return [
        (LOGIN_FAILED_FROM_SOURCE, f"{login} from {source}"),
        (LOGIN_FAILED_ACCOUNT, login),
    ]


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        role = data.get("role")
        # The form only offers the two self-service roles; this is the second line of
        # defence should another form reach here: anything else becomes a student.
        user.role = role if role in SELF_SERVICE_ROLES else User.Role.STUDENT
        user.first_name = data.get("first_name", "")
        user.last_name = data.get("last_name", "")
        if commit:
            user.save()
            from .services.profiles import profile_ensure_for_user

            profile_ensure_for_user(user=user)
        return user

    def _failure_counters(self, request, credentials) -> list[tuple[str, str]]:
        login = credentials.get("email") or credentials.get("username") or ""
        if not login:
            return []
        source = rate_limit_source(self.get_client_ip(request))
        return login_failure_counters(login=login, source=source)

    def pre_authenticate(self, request, **credentials):
        # allauth's per-source limit first; then ours, only looked at here and counted in
        # authentication_failed, so a right password never uses up an allowance.
        super().pre_authenticate(request, **credentials)
        for action, key in self._failure_counters(request, credentials):
            if not ratelimit.consume(request, action=action, key=key, dry_run=True):
                raise self.validation_error("too_many_login_attempts")

    def authentication_failed(self, request, **credentials):
        super().authentication_failed(request, **credentials)
        for action, key in self._failure_counters(request, credentials):
            ratelimit.consume(request, action=action, key=key)

    def _delete_login_attempts_cached_email(self, request, **credentials):
        # allauth calls this once a password reset succeeded: whoever chose the new
        # password reads the account's mail, so its counters start afresh (the one of the
        # address the reset came from, and the one of every address together).
        super()._delete_login_attempts_cached_email(request, **credentials)
        for action, key in self._failure_counters(request, credentials):
            ratelimit.clear(request, action=action, key=key)
