"""The one form layout (templates/components.html): form-field renders a label, the input,
help text below it and the field's errors beside it, with aria-describedby naming both
and aria-invalid on a field in error; form-errors sums every error up at the top of the
form, each linked to its field. Also: real pages render through it."""

from __future__ import annotations

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse
from lxml import html as lxml_html

LAYOUT = Template(
    '{% include "components.html#form-errors" %}'
    '{% for field in form %}{% include "components.html#form-field" %}{% endfor %}'
)


class TripForm(forms.Form):
    name = forms.CharField(label="Trip name", help_text="What your team calls it.", max_length=20)
    city = forms.CharField(label="City", required=False)
    kind = forms.ChoiceField(
        label="Kind",
        choices=[("day", "Day trip"), ("week", "A week")],
        widget=forms.RadioSelect,
        help_text="How long you are away.",
    )
    agree = forms.BooleanField(label="I agree")
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("city") == "Atlantis":
            raise forms.ValidationError("Atlantis cannot be reached.")
        return cleaned


def render(form: forms.Form):
    markup = LAYOUT.render(Context({"form": form}))
    return lxml_html.fragment_fromstring(markup, create_parent="div")


def one(tree, xpath: str):
    found = tree.xpath(xpath)
    assert len(found) == 1, (xpath, found)
    return found[0]


def describedby(element) -> list[str]:
    return (element.get("aria-describedby") or "").split()


def invalid_form() -> TripForm:
    form = TripForm(data={"name": "x" * 30, "city": "Atlantis", "token": ""})
    assert not form.is_valid()
    return form


def test_the_summary_lists_every_error_and_links_to_its_field():
    tree = render(invalid_form())
    summary = one(tree, '//div[@class="form-errors"]')
    assert summary.get("role") == "alert"
    items = [item.text_content().strip() for item in summary.xpath(".//li")]
    assert items == [
        "Atlantis cannot be reached.",
        "Trip name: Ensure this value has at most 20 characters (it has 30).",
        "Kind: This field is required.",
        "I agree: This field is required.",
    ]
    links = summary.xpath(".//a/@href")
    assert links == ["#id_name", "#id_kind_0", "#id_agree"]
    # Every link leads to an element that is on the page.
    for href in links:
        one(tree, f'//*[@id="{href[1:]}"]')
    # The form's own error has no field to link to.
    assert not summary.xpath('.//li[contains(., "Atlantis")]/a')


def test_a_valid_or_unbound_form_has_no_summary():
    assert not render(TripForm()).xpath('//*[@class="form-errors"]')
    valid = TripForm(data={"name": "Lisbon", "kind": "day", "agree": "on"})
    assert valid.is_valid()
    assert not render(valid).xpath('//*[@class="form-errors"]')


def test_an_input_in_error_names_its_help_and_its_error_and_is_invalid():
    tree = render(invalid_form())
    name = one(tree, '//input[@name="name"]')
    assert describedby(name) == ["id_name_helptext", "id_name_error"]
    assert name.get("aria-invalid") == "true"
    help_text = one(tree, '//*[@id="id_name_helptext"]')
    assert help_text.text_content() == "What your team calls it."
    error = one(tree, '//*[@id="id_name_error"]')
    assert "at most 20 characters" in error.text_content()
    # Label, input, help, error, in that order, in one field wrapper.
    wrapper = name.getparent()
    assert "form-field-invalid" in wrapper.get("class")
    order = [child.tag for child in wrapper]
    assert order == ["label", "input", "div", "ul"]


def test_a_valid_field_is_described_by_its_help_only():
    form = TripForm(data={"name": "Lisbon", "city": "Atlantis", "kind": "day", "agree": "on"})
    tree = render(form)
    name = one(tree, '//input[@name="name"]')
    assert describedby(name) == ["id_name_helptext"]
    assert name.get("aria-invalid") is None
    city = one(tree, '//input[@name="city"]')
    assert city.get("aria-describedby") is None
    assert "(optional)" in one(tree, '//label[@for="id_city"]').text_content()


def test_a_group_of_radios_is_a_described_fieldset():
    tree = render(invalid_form())
    fieldset = one(tree, '//fieldset[.//input[@name="kind"]]')
    assert one(fieldset, "./legend").text_content().strip() == "Kind"
    assert describedby(fieldset) == ["id_kind_helptext", "id_kind_error"]
    one(tree, '//*[@id="id_kind_helptext"]')
    one(tree, '//*[@id="id_kind_error"]')
    radios = tree.xpath('//input[@name="kind"]')
    assert len(radios) == 2 and all(radio.get("aria-invalid") == "true" for radio in radios)


def test_every_id_an_input_names_is_on_the_page_once():
    tree = render(invalid_form())
    for element in tree.xpath("//*[@aria-describedby]"):
        for target in describedby(element):
            one(tree, f'//*[@id="{target}"]')
    ids = tree.xpath("//@id")
    assert len(ids) == len(set(ids)), ids


def test_a_hidden_field_is_rendered_bare():
    tree = render(TripForm())
    token = one(tree, '//input[@name="token"]')
    assert token.get("type") == "hidden"
    assert not tree.xpath('//label[@for="id_token"]')


@pytest.mark.django_db
def test_a_real_form_page_renders_the_summary_and_the_fields(client, career_officer):
    """The career-office invitation form, posted with a bad address."""
    client.force_login(career_officer)
    response = client.post(reverse("accounts:career-office-invite"), {"email": "nope"})
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.content)
    summary = one(tree, '//div[@class="form-errors"]')
    assert one(summary, ".//a").get("href") == "#id_email"
    field = one(tree, '//input[@id="id_email"]')
    assert field.get("aria-invalid") == "true"
    assert "id_email_error" in describedby(field)
    one(tree, '//*[@id="id_email_error"]')
