"""The provider's own data: the extra claims each test user carries.

The app has no migrations on purpose (it is test-only and its database is thrown away
with the process); ``__main__`` creates this table with ``migrate --run-syncdb``.
"""

from django.conf import settings
from django.db import models


class UserClaims(models.Model):
    """Claims beyond the standard ones (e.g. ``major``, ``graduation_date``) for one user,
    released with the ``profile`` scope in both the id token and userinfo."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="extra_claims"
    )
    claims = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"claims of {self.user}"
