"""Connect allauth's signals to services. The logic lives in the services."""

from allauth.account.signals import email_confirmed
from django.dispatch import receiver


@receiver(email_confirmed)
def affiliate_on_email_confirmed(sender, request, email_address, **kwargs) -> None:
    from .services.profiles import student_affiliate_from_email

    student_affiliate_from_email(user=email_address.user, email=email_address.email)
