from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Organization

from ..models import Project

#: The public organization page lists at most this many open projects.
ORGANIZATION_PAGE_PROJECTS = 10


def project_list_open_for_organization(*, organization: Organization) -> QuerySet[Project]:
    """The organization's projects a visitor can still apply to, newest first."""
    return Project.objects.filter(
        organization=organization,
        status=Project.Status.OPEN,
        application_deadline__gt=timezone.now(),
    ).order_by("-published_at", "-pk")[:ORGANIZATION_PAGE_PROJECTS]
