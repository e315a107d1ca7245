"""The schema and its documentation page: served without a login, with Swagger UI from
our own static files (no CDN) and the site's Content-Security-Policy (no inline script,
no 'unsafe-eval')."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders

from tests.marketplace.api.conftest import API


def test_schema_is_served_and_lists_every_area(client, db):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    tags = {tag for path in schema["paths"].values() for op in path.values() for tag in op["tags"]}
    assert tags == {"Open projects", "Students", "Employers", "Career offices"}


def test_docs_page_uses_vendored_assets_under_the_csp(client, db):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources  # no CDN
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in sources
    assert "<script>" not in html and "<script type" not in html  # no inline script
    for path in (
        "vendor/swagger-ui/swagger-ui-bundle.js",
        "vendor/swagger-ui/swagger-ui.css",
        "js/api-docs.js",
    ):
        assert finders.find(path), path
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp and "unsafe-inline" not in csp
    assert f'data-openapi-url="{API}/openapi.json"' in html


def test_settings_page_links_to_the_docs(client, student):
    client.force_login(student)
    assert f'href="{API}/docs"' in client.get("/me/tokens/").content.decode()
