import factory
from allauth.account.models import EmailAddress
from django.utils.text import slugify

from accounts.models import (
    CareerOfficeMembership,
    Institution,
    Membership,
    Notification,
    Organization,
    Skill,
    SkillCategory,
    StudentProfile,
    User,
)

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = User.Role.STUDENT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        """Every factory user has a verified primary address unless told otherwise."""
        if create and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )
        if create:
            self.save()


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"State University {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    email_domains = factory.Sequence(lambda n: [f"state{n}.edu"])


class StudentFactory(UserFactory):
    role = User.Role.STUDENT
    profile = factory.RelatedFactory(
        "tests.accounts.factories.StudentProfileFactory", factory_related_name="user"
    )


class StudentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudentProfile
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    major = "Economics"
    degree_level = StudentProfile.DegreeLevel.BACHELOR
    graduation_year = 2027
    headline = "Economics student who likes data"
    weekly_availability_hours = 15


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Acme Labs {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    industry = "Software"
    size = Organization.Size.SMALL
    website = "https://acme.example.com"
    description = "We build useful things."


class VerifiedOrganizationFactory(OrganizationFactory):
    verified_at = factory.Faker("date_time_this_year", tzinfo=__import__("datetime").UTC)


class EmployerFactory(UserFactory):
    """An employer who owns a (verified) organization."""

    role = User.Role.EMPLOYER
    membership = factory.RelatedFactory(
        "tests.accounts.factories.MembershipFactory",
        factory_related_name="user",
        role=Membership.Role.OWNER,
    )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory, role=User.Role.EMPLOYER)
    organization = factory.SubFactory(VerifiedOrganizationFactory)
    role = Membership.Role.SUPERVISOR


class CareerOfficerFactory(UserFactory):
    role = User.Role.CAREER_OFFICE
    career_office = factory.RelatedFactory(
        "tests.accounts.factories.CareerOfficeMembershipFactory", factory_related_name="user"
    )


class CareerOfficeMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareerOfficeMembership

    user = factory.SubFactory(UserFactory, role=User.Role.CAREER_OFFICE)
    institution = factory.SubFactory(InstitutionFactory)


class SkillCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SkillCategory
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Skill {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    category = factory.SubFactory(SkillCategoryFactory)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = "test"
    text = factory.Sequence(lambda n: f"Something happened #{n}")
    link = "/dashboard/"


class InstitutionSignOnFactory(factory.django.DjangoModelFactory):
    """An OpenID Connect sign-on by default; ``saml=True`` for a SAML one. The addresses
    are the institution's own domains."""

    class Meta:
        model = "accounts.InstitutionSignOn"

    class Params:
        saml = factory.Trait(
            protocol="saml",
            saml_entity_id="https://idp.state.example/metadata",
            saml_sso_url="https://idp.state.example/sso",
            saml_certificate="MIIB",
            oidc_issuer="",
            oidc_client_id="",
            oidc_client_secret="",
        )

    institution = factory.SubFactory(InstitutionFactory)
    protocol = "oidc"
    email_domains = factory.LazyAttribute(lambda o: list(o.institution.email_domains))
    oidc_issuer = "https://login.state.example/o"
    oidc_client_id = "internly"
    oidc_client_secret = "s3cret"
