"""Links built from the request, so a page works on whatever host and port it was
opened on. ``SITE_URL`` is for what is built with no request (emails, tasks)."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import DisallowedHost
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context: template.Context, view_name: str, *args: Any, **kwargs: Any) -> str:
    """``{% absolute_url "app:name" arg %}``: like ``{% url %}``, but the full address on
    the scheme and host of the request (for an address shown as text, or copied out of
    the page)."""
    request = context.get("request")
    if request is None:
        raise ValueError("absolute_url needs the request: render the template with it.")
    return request.build_absolute_uri(reverse(view_name, args=args, kwargs=kwargs))


@register.simple_tag(takes_context=True)
def back_url(context: template.Context) -> str:
    """The page the person came from (the Referer) when it is a page of this site, else
    "". Another site's address is never offered: a form posted from elsewhere must not
    earn a link back there."""
    request = context.get("request")
    if request is None:
        return ""
    referer = request.headers.get("Referer", "")
    if not referer:
        return ""
    try:
        host = request.get_host()
    except DisallowedHost:  # the 400 page for an unknown host: no host to compare with
        return ""
    if not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    ):
        return ""
    return referer
