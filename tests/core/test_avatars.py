"""The avatar tags (core/templatetags/avatars.py): initials, a colour that depends only
on the name, a logo when there is one, always decorative and never a style attribute."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.template import Context, Template

from core.templatetags.avatars import TONES, initials, tone


def render(source: str, **context) -> str:
    return Template("{% load avatars %}" + source).render(Context(context))


def person(first="", last="", email="someone@example.com"):
    return SimpleNamespace(first_name=first, last_name=last, email=email)


def organization(name="Acme Robotics", logo_url=""):
    return SimpleNamespace(name=name, logo_url=logo_url)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (("Ada", "Lovelace"), "AL"),
        (("ada", ""), "A"),
        (("", "lovelace"), "L"),
        (("Élodie", "Ørsted"), "ÉØ"),
        (("(Acme)", "“Labs”"), "AL"),
        (("Mary Ann", "Smith"), "MS"),
        (("3M",), "3"),
        (("---", "  "), "?"),
        ((), "?"),
    ],
)
def test_initials(words, expected):
    assert initials(*words) == expected


def test_the_tone_depends_only_on_the_name():
    assert tone("Ada Lovelace") == tone("  ada lovelace ")
    # Fixed across runs and servers (crc32, not the salted hash()).
    assert tone("Ada Lovelace") == 1
    assert {tone(f"Person {n}") for n in range(200)} == set(range(TONES))


def test_a_person_shows_their_initials_hidden_from_screen_readers():
    html = render("{% avatar someone %}", someone=person("Ada", "Lovelace"))
    assert html == (
        f'<span class="avatar avatar-md avatar-person avatar-tone-{tone("Ada Lovelace")}"'
        ' aria-hidden="true">AL</span>'
    )


def test_a_person_without_a_name_shows_the_start_of_their_address():
    html = render("{% avatar someone 'sm' %}", someone=person(email="zoe.k@state.edu"))
    assert 'aria-hidden="true">Z</span>' in html and "avatar-sm" in html
    assert f"avatar-tone-{tone('zoe.k@state.edu')}" in html


def test_an_organization_without_a_logo_shows_initials_in_a_square():
    html = render("{% org_logo org 'lg' %}", org=organization("Acme Robotics Inc"))
    assert ">AR</span>" in html and "avatar-org" in html and "avatar-lg" in html


def test_an_organization_with_a_logo_shows_the_image_decoratively():
    html = render("{% org_logo org %}", org=organization(logo_url="/logo/?v=abc&x=1"))
    assert html == (
        '<img src="/logo/?v=abc&amp;x=1" alt="" class="avatar avatar-md avatar-logo"'
        ' width="48" height="48" loading="lazy" decoding="async">'
    )


def test_markup_in_a_name_never_reaches_the_page():
    html = render("{% org_logo org %}", org=organization('<script>"x" & y'))
    assert "<script>" not in html and ">S</span>" in html
    html = render("{% avatar someone %}", someone=person("<b>", "&"))
    assert 'aria-hidden="true">B</span>' in html


def test_an_unknown_size_falls_back_to_the_card_size():
    html = render("{% avatar someone 'huge' %}", someone=person("Ada", "L"))
    assert "avatar-md" in html and "huge" not in html


def test_no_style_attribute_ever(db):
    """The Content-Security-Policy forbids inline styles: colours are classes."""
    html = render(
        "{% avatar a %}{% avatar b 'lg' %}{% org_logo c %}{% org_logo d 'sm' %}",
        a=person("Ada", "Lovelace"),
        b=person(email="x@y.z"),
        c=organization(),
        d=organization(logo_url="/l/"),
    )
    assert "style" not in html
    assert len(re.findall(r"avatar-tone-\d", html)) == 3
