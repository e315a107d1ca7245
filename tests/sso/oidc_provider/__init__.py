"""A stand-alone OpenID Connect identity provider for tests (django-oauth-toolkit).

It is its own Django project and only ever runs in its own process
(``python -m tests.sso.oidc_provider --port N --data DIR``); tests drive it over HTTP
through ``tests/sso/oidc.py``. Nothing here may import Internly's apps, and nothing of
Internly imports this package.
"""
