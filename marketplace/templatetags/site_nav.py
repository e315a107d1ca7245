"""The navigation's fixed links, rendered once per process for each kind of user.

They depend only on the role and on staff status (and on the URLconf, fixed for a
process), yet base.html would reverse about twenty URLs for them on every page. The
per-user parts (the unread badge, the name on the account menu) stay in base.html.
"""

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString

register = template.Library()

SECTIONS = ("role", "account", "anonymous")

_rendered: dict[tuple, SafeString] = {}


@register.simple_tag(takes_context=True)
def nav_links(context, section: str) -> SafeString:
    """``section``: "role" (the role's pages), "account" (the account menu) or
    "anonymous" (browse, log in, sign up)."""
    if section not in SECTIONS:
        raise template.TemplateSyntaxError(f"nav_links: unknown section {section!r}")
    user = context["user"]
    flags = {
        "is_student": user.is_authenticated and user.is_student,
        "is_employer": user.is_authenticated and user.is_employer,
        "is_career_office": user.is_authenticated and user.is_career_office,
        "is_staff": user.is_staff,
    }
    key = (section, *flags.values(), get_script_prefix())
    html = _rendered.get(key)
    if html is None:
        html = _rendered[key] = render_to_string(f"partials/nav_links.html#{section}", flags)
    return html
