"""Fixtures for the single sign-on tests (loaded by tests/conftest.py): a real SAML
identity provider (pysaml2, in a thread) and a real OpenID Connect provider
(django-oauth-toolkit, in its own process), each started once per session and put back
in its normal mode after every test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.sso.oidc import OIDCProvider, start_oidc_provider
from tests.sso.saml_idp import SamlIdP, start_saml_idp


@pytest.fixture(scope="session")
def _saml_idp_server(tmp_path_factory) -> Iterator[SamlIdP]:
    if shutil.which("xmlsec1") is None:
        from tests.conftest import IN_CI

        reason = "the SAML identity provider signs with xmlsec1 (apt-get install xmlsec1)"
        if IN_CI:
            pytest.fail(f"CI must provide this: {reason}", pytrace=False)
        pytest.skip(reason)
    server = start_saml_idp(tmp_path_factory.mktemp("saml-idp"))
    yield server
    server.stop()


@pytest.fixture
def saml_idp(_saml_idp_server: SamlIdP) -> Iterator[SamlIdP]:
    yield _saml_idp_server
    _saml_idp_server.set_mode("normal")


@pytest.fixture(scope="session")
def _oidc_provider_process(tmp_path_factory) -> Iterator[OIDCProvider]:
    with start_oidc_provider(tmp_path_factory.mktemp("oidc-provider")) as provider:
        yield provider


@pytest.fixture
def oidc_provider(_oidc_provider_process: OIDCProvider) -> Iterator[OIDCProvider]:
    yield _oidc_provider_process
    _oidc_provider_process.set_mode("normal")
