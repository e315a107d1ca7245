"""Finding a person's university sign-in from their address, and configuring one."""

from __future__ import annotations

import re

import requests
from django import forms

from ..models import InstitutionSignOn, domain_within
from ..selectors.sign_on import sign_on_for_email
from ..sign_on import MAPPED_FIELDS, saml_idp_from_metadata


class UniversityEmailForm(forms.Form):
    email = forms.EmailField(
        label="Your university email",
        max_length=254,
        help_text="For example, you@state.edu. We send you to your university to sign in.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        self.sign_on: InstitutionSignOn | None = sign_on_for_email(email=email)
        if self.sign_on is None:
            domain = email.rsplit("@", 1)[-1]
            raise forms.ValidationError(
                f"No university signs in its people here for {domain}. Log in with your "
                "password or a code we email you instead.",
                code="no_sign_on",
            )
        return email


DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class InstitutionSignOnForm(forms.ModelForm):
    """Platform staff configure an institution's identity provider (in the admin). SAML
    providers are read from their metadata (a URL, or XML pasted here) when given;
    OpenID Connect providers must answer discovery at their issuer."""

    email_domains_text = forms.CharField(
        label="Email domains",
        max_length=2000,
        help_text="One per line, e.g. state.edu; subdomains are included.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    saml_metadata_xml = forms.CharField(
        label="IdP metadata XML",
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Paste the identity provider's metadata instead of the three fields below.",
    )

    class Meta:
        model = InstitutionSignOn
        fields = (
            "institution",
            "protocol",
            "enabled",
            "saml_entity_id",
            "saml_metadata_url",
            "saml_sso_url",
            "saml_certificate",
            "oidc_issuer",
            "oidc_client_id",
            "oidc_client_secret",
            "attribute_mapping",
        )
        widgets = {"oidc_client_secret": forms.PasswordInput(render_value=True)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email_domains_text"].initial = "\n".join(self.instance.email_domains or [])

    def clean_email_domains_text(self) -> list[str]:
        domains = []
        for line in self.cleaned_data["email_domains_text"].split():
            domain = line.strip().lower().lstrip("@")
            if not DOMAIN_RE.match(domain):
                raise forms.ValidationError(f"“{domain[:80]}” is not a domain such as state.edu.")
            if domain not in domains:
                domains.append(domain)
        for other in InstitutionSignOn.objects.exclude(pk=self.instance.pk):
            # Overlap either way: "state.edu" here and "cs.state.edu" there, or the reverse.
            taken = [d for d in domains if domain_within(d, other.email_domains)] + [
                d for d in other.email_domains if domain_within(d, domains)
            ]
            if taken:
                raise forms.ValidationError(
                    f"{', '.join(taken)} already signs in through {other.institution}."
                )
        return domains

    def clean_attribute_mapping(self) -> dict:
        mapping = self.cleaned_data.get("attribute_mapping") or {}
        if not isinstance(mapping, dict):
            raise forms.ValidationError('A JSON object: {"major": "urn:oid:…"}.')
        for field, names in mapping.items():
            if field not in MAPPED_FIELDS:
                raise forms.ValidationError(
                    f"“{field[:40]}” is not one of {', '.join(sorted(MAPPED_FIELDS))}."
                )
            names = [names] if isinstance(names, str) else names
            if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
                raise forms.ValidationError(f"{field}: an attribute name, or a list of them.")
        return mapping

    def clean(self) -> dict:
        data = super().clean()
        protocol = data.get("protocol")
        if protocol == InstitutionSignOn.Protocol.SAML:
            self._clean_saml(data)
        elif protocol == InstitutionSignOn.Protocol.OIDC:
            self._clean_oidc(data)
        return data

    def _clean_saml(self, data: dict) -> None:
        xml, url = data.get("saml_metadata_xml", ""), data.get("saml_metadata_url", "")
        if xml or url:
            try:
                found = saml_idp_from_metadata(
                    xml=xml, url=url, entity_id=data.get("saml_entity_id", "")
                )
            except ValueError as error:
                field = "saml_metadata_url" if url else "saml_metadata_xml"
                self.add_error(field, str(error))
                return
            data["saml_entity_id"] = found["entity_id"]
            data["saml_sso_url"] = found["sso_url"]
            data["saml_certificate"] = found["certificate"]
            return
        for field in ("saml_entity_id", "saml_sso_url", "saml_certificate"):
            if not data.get(field):
                self.add_error(field, "Needed for SAML, unless metadata is given.")

    def _clean_oidc(self, data: dict) -> None:
        for field in ("oidc_issuer", "oidc_client_id", "oidc_client_secret"):
            if not data.get(field):
                self.add_error(field, "Needed for OpenID Connect.")
        issuer = data.get("oidc_issuer")
        if not issuer:
            return
        discovery = issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            response = requests.get(discovery, timeout=10)
            response.raise_for_status()
            response.json()["authorization_endpoint"]
        except (requests.RequestException, ValueError, KeyError) as error:
            self.add_error("oidc_issuer", f"No OpenID Connect discovery at {discovery}: {error}")

    def save(self, commit: bool = True) -> InstitutionSignOn:
        self.instance.email_domains = self.cleaned_data["email_domains_text"]
        return super().save(commit=commit)
