"""The page for an unexpected error (Django's handler500). When the database is
unreachable (restarting, failing over) the person is told the site is briefly
unavailable and to try again, with a 503 and Retry-After, rather than a generic server
error; Django reconnects by itself on a later request (CONN_HEALTH_CHECKS), so the page
goes away without restarting anything."""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 15


def server_error(request: HttpRequest) -> HttpResponse:
    error = sys.exc_info()[1]
    unavailable = isinstance(error, OperationalError | InterfaceError)
    # Standalone templates: no context processor or base layout that could query the
    # database that just failed.
    template = loader.get_template("errors/503.html" if unavailable else "errors/500.html")
    response = HttpResponse(template.render(), status=503 if unavailable else 500)
    if unavailable:
        logger.warning("database unavailable: %s", error)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
