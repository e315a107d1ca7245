"""Pictures for people and organizations: ``{% avatar person %}`` and
``{% org_logo organization %}``.

An organization with a logo shows it (``organization.logo_url``); everyone else gets
their initials on a coloured disc. The colour is one of a fixed set of classes chosen
from the name (the Content-Security-Policy forbids style attributes), so a name always
has the same colour on every page and every server.

Both are decorative: they always sit beside the visible name, so the image has an
empty ``alt`` and the initials are hidden from screen readers. Sizes: "sm" (lists and
rows), "md" (cards, the default) and "lg" (page headers). Duck-typed, so the shared
kernel imports no app: a person needs ``first_name``, ``last_name`` and ``email``; an
organization ``name`` and ``logo_url``.
"""

from __future__ import annotations

import zlib
from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()

#: How many colour classes people.css defines (avatar-tone-0 … avatar-tone-7).
TONES = 8
SIZES = {"sm": 32, "md": 48, "lg": 72}


def initials(*words: str) -> str:
    """The first letter or digit of the first and the last of ``words`` that have one,
    upper-cased: "Ada", "Lovelace" → "AL"; "Acme Robotics" → "AR"; "" → "?"."""
    letters = [_first_alphanumeric(word) for word in words]
    letters = [letter for letter in letters if letter]
    if not letters:
        return "?"
    picked = letters[0] + (letters[-1] if len(letters) > 1 else "")
    return picked.upper()


def tone(name: str) -> int:
    """The colour class for ``name``, the same on every run (unlike ``hash()``)."""
    return zlib.crc32(name.strip().casefold().encode()) % TONES


@register.simple_tag
def avatar(person: Any, size: str = "md") -> str:
    """A person's initials: given and family name, else the start of the address."""
    first = (getattr(person, "first_name", "") or "").strip()
    last = (getattr(person, "last_name", "") or "").strip()
    email = getattr(person, "email", "") or ""
    if first or last:
        letters = initials(first, last)
        key = f"{first} {last}"
    else:
        letters = initials(email.split("@", 1)[0])
        key = email
    return _initials_badge(letters, key, size, shape="person")


@register.simple_tag
def org_logo(organization: Any, size: str = "md") -> str:
    """An organization's logo, or the initials of its first two words."""
    size = size if size in SIZES else "md"
    name = getattr(organization, "name", "") or ""
    url = getattr(organization, "logo_url", "")
    if url:
        pixels = SIZES[size]
        return format_html(
            '<img src="{}" alt="" class="avatar avatar-{} avatar-logo" width="{}" height="{}"'
            ' loading="lazy" decoding="async">',
            url,
            size,
            pixels,
            pixels,
        )
    words = name.split()
    return _initials_badge(initials(*words[:2]), name, size, shape="org")


def _initials_badge(letters: str, key: str, size: str, *, shape: str) -> str:
    size = size if size in SIZES else "md"
    return format_html(
        '<span class="avatar avatar-{} avatar-{} avatar-tone-{}" aria-hidden="true">{}</span>',
        size,
        shape,
        tone(key),
        letters,
    )


def _first_alphanumeric(word: str) -> str:
    return next((character for character in word if character.isalnum()), "")
