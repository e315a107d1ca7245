"""The schema and its reference page: served without a login, drawn on the server from the
schema (every operation, its parameters, body and responses), with no script of its own
and no Swagger UI, under the site's Content-Security-Policy."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import RequestFactory

from marketplace.api import api
from marketplace.api.reference import HTTP_METHODS, api_reference, operation_anchor, type_text
from tests.marketplace.api.conftest import API


def operations(schema):
    for path, item in schema["paths"].items():
        for method, spec in item.items():
            if method in HTTP_METHODS:
                yield method, path, spec


def operation_section(html: str, method: str, path: str) -> str:
    """The HTML of one operation's section, found by its heading's id."""
    anchor = operation_anchor(method, path)
    match = re.search(
        rf'<section class="api-operation" aria-labelledby="{anchor}">(.*?)</section>', html, re.S
    )
    assert match, f"{method.upper()} {path} has no section #{anchor}"
    return unescape(match.group(1))


@pytest.fixture
def docs_html(client, db) -> str:
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    return response.content.decode()


def test_schema_is_served_and_lists_every_area(client, db):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    tags = {tag for path in schema["paths"].values() for op in path.values() for tag in op["tags"]}
    assert tags == {"Open projects", "Students", "Employers", "Career offices"}


def test_docs_page_is_public_and_lists_every_operation_with_its_id(client, docs_html):
    schema = client.get(f"{API}/openapi.json").json()
    listed = list(operations(schema))
    assert len(listed) > 20
    for method, path, _spec in listed:
        anchor = operation_anchor(method, path)
        heading = re.search(rf'<h3 id="{anchor}">(.*?)</h3>', docs_html, re.S)
        assert heading, f"no heading #{anchor}"
        assert method.upper() in heading.group(1) and path in unescape(heading.group(1))
        assert f'href="#{anchor}"' in docs_html, f"{anchor} is not in the contents"
    for tag in {spec["tags"][0] for _m, _p, spec in listed}:
        assert f">{tag}</h2>" in docs_html


def test_docs_page_shows_parameters_body_and_responses_of_each_operation(client, docs_html):
    schema = client.get(f"{API}/openapi.json").json()
    components = schema["components"]["schemas"]
    for method, path, spec in operations(schema):
        section = operation_section(docs_html, method, path)
        for parameter in spec.get("parameters", []):
            assert f"<code>{parameter['name']}</code>" in section, (path, parameter["name"])
        for status, answer in spec["responses"].items():
            assert f'<th scope="row">{status}</th>' in section, (path, status)
            assert answer["description"] in section
        if body := spec.get("requestBody"):
            # A required body is {$ref}; an optional one is anyOf [{$ref}, null].
            [name] = re.findall(
                r'"#/components/schemas/(\w+)"', json.dumps(body["content"]["application/json"])
            )
            assert f'href="#schema-{name.lower()}"' in section
            for field in components[name].get("properties", {}):
                assert f"<code>{field}</code>" in section, (path, field)
    listing = operation_section(docs_html, "get", f"{API}/projects")
    assert "<code>work_mode</code>" in listing and "remote, onsite or hybrid" in listing


def test_every_table_scrolls_in_a_focusable_labelled_region(docs_html):
    tables = docs_html.count("<table")
    regions = re.findall(
        r'<div class="overflow-auto" tabindex="0" role="region" aria-label="[^"]+">\s*<table',
        docs_html,
    )
    assert tables > 20 and len(regions) == tables


def test_docs_page_links_the_schema_and_explains_the_basics(docs_html):
    assert f'href="{API}/openapi.json"' in docs_html
    assert 'href="/me/tokens/"' in docs_html  # where tokens are made
    for fact in ("Authorization: Bearer", "Retry-After", "next_cursor", "application/problem+json"):
        assert fact in docs_html
    assert 'id="schema-problem"' in docs_html


def test_docs_page_has_no_swagger_and_no_script_of_its_own(client, docs_html):
    assert "swagger" not in docs_html.lower()
    assert "api-docs.js" not in docs_html
    assert "<script>" not in docs_html and "<script type" not in docs_html  # no inline script
    assert 'style="' not in docs_html  # no inline style under the CSP
    sources = re.findall(r'(?:src|href)="(/static/[^"]+)"', docs_html)
    assert "/static/css/api-docs.css" in sources
    for gone in ("vendor/swagger-ui/swagger-ui-bundle.js", "vendor/swagger-ui/swagger-ui.css"):
        assert finders.find(gone) is None, gone
    assert finders.find("js/api-docs.js") is None
    csp = client.get(f"{API}/docs")["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp and "unsafe-inline" not in csp


def test_settings_page_links_to_the_docs(client, student):
    client.force_login(student)
    assert f'href="{API}/docs"' in client.get("/me/tokens/").content.decode()


# --- Reading a schema ------------------------------------------------------------------

SMALL_SCHEMA = {
    "paths": {
        "/things/{thing_id}": {
            "post": {
                "tags": ["Things"],
                "summary": "Rename a thing",
                "parameters": [
                    {
                        "in": "path",
                        "name": "thing_id",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ThingIn"}}
                    },
                },
                "responses": {"200": {"description": "OK"}},
                "security": [{"TokenAuth": ["write"]}],
            },
            "parameters": [],  # path-level keys that are not operations are skipped
        }
    },
    "components": {
        "schemas": {
            "ThingIn": {
                "properties": {"name": {"type": "string", "description": "New name."}},
                "required": ["name"],
            }
        }
    },
}


@pytest.mark.parametrize(
    ("schema", "text"),
    [
        ({"$ref": "#/components/schemas/ProjectOut"}, "ProjectOut"),
        ({"anyOf": [{"type": "integer"}, {"type": "null"}]}, "integer or null"),
        ({"type": "string", "enum": ["a", "b", "c"]}, "string: a, b or c"),
        ({"type": "array", "items": {"type": "string"}}, "array of string"),
        ({"type": "string", "format": "date"}, "string (date)"),
        (None, "any"),
    ],
)
def test_type_text_reads_a_schema_in_words(schema, text):
    assert type_text(schema) == text


def test_a_body_reference_is_resolved_one_level_and_a_scope_is_shown(rf: RequestFactory):
    reference = api_reference(SMALL_SCHEMA)
    [section] = reference["sections"]
    [operation] = section.operations
    assert operation.anchor == "post-things-thing-id"
    assert (operation.body, operation.body_anchor) == ("ThingIn", "schema-thingin")
    assert [(f.name, f.required, f.type) for f in operation.body_fields] == [
        ("name", True, "string")
    ]
    html = render_to_string(
        "api/docs.html",
        {"api": api, "openapi_url": "/x.json", "rate_limit": 1, "rate_window": 2, **reference},
        request=rf.get("/"),
    )
    assert '<h3 id="post-things-thing-id">' in html
    assert "Token scope: <code>write</code>" in html
    assert "New name." in html
