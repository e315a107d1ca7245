"""Signals: allauth's connected to services, and the ones accounts sends for the layers
above it (which accounts cannot import). The logic lives in the services."""

from allauth.account.signals import email_confirmed, user_logged_in
from django.dispatch import Signal, receiver

#: Sent by the profile services, inside their transaction, when something that ranks a
#: student as an applicant changed: their skills (added, level changed, removed) or their
#: weekly availability. Arguments: ``student_id`` and ``fields``, a frozenset of what
#: changed ("skills", "weekly_availability_hours"). matching rescores the student's
#: applications after commit; a receiver must not do slow work inside the transaction.
student_profile_changed = Signal()


@receiver(email_confirmed)
def affiliate_on_email_confirmed(sender, request, email_address, **kwargs) -> None:
    from .services.profiles import student_affiliate_from_email

    student_affiliate_from_email(user=email_address.user, email=email_address.email)


@receiver(user_logged_in)
def affiliate_on_institution_sign_in(sender, request, user, sociallogin=None, **kwargs) -> None:
    """A sign-in through an institution's identity provider proves the address again."""
    if sociallogin is None or not user.email:
        return
    from .selectors.sign_on import sign_on_for_provider
    from .services.sign_on import sign_on_signed_in

    sign_on = sign_on_for_provider(provider_id=sociallogin.account.provider)
    if sign_on is not None and sign_on.covers(user.email):
        sign_on_signed_in(user=user, email=user.email)
