"""People and organizations: users and roles, employer organizations, institutions and
their career-office staff, student profiles, the skill taxonomy and notifications."""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .notification_kinds import Delivery


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            "Enter a time zone name such as “America/Chicago”.", code="invalid_time_zone"
        )


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """Somebody who logs in with an email address. ``role`` says which side they are on;
    platform staff are ``is_staff``."""

    class Role(models.TextChoices):
        STUDENT = "student", "Student or recent graduate"
        EMPLOYER = "employer", "Employer"
        CAREER_OFFICE = "career_office", "Career office"

    username = None
    email = models.EmailField("email address", unique=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STUDENT)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        ordering = ["email"]
        indexes = [
            # Lists of people in name order (a career office's students) read the first
            # page off this index instead of sorting everyone.
            models.Index(fields=["last_name", "first_name", "id"], name="user_name_order"),
            # Counts of active students exclude the deactivated few: read off this small
            # index, not by scanning every user.
            models.Index(fields=["id"], condition=models.Q(is_active=False), name="user_inactive"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_platform_staff(self) -> bool:
        """Staff who work for the platform only. Staff flags on an employer's or a career
        officer's account add the staff area to that role; they do not replace it."""
        return self.is_staff and self.role == self.Role.STUDENT

    @property
    def is_student(self) -> bool:
        # The role defaults to student (createsuperuser, the admin's add form), so staff
        # would otherwise pass for students: no profile, no applying, no student pages.
        return self.role == self.Role.STUDENT and not self.is_staff

    @property
    def is_employer(self) -> bool:
        return self.role == self.Role.EMPLOYER

    @property
    def is_career_office(self) -> bool:
        return self.role == self.Role.CAREER_OFFICE

    @property
    def email_domain(self) -> str:
        return self.email.rsplit("@", 1)[-1].lower()


# ------------------------------------------------------------------------------
# Skills
# ------------------------------------------------------------------------------
class SkillCategory(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "skill categories"

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    category = models.ForeignKey(SkillCategory, on_delete=models.PROTECT, related_name="skills")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# ------------------------------------------------------------------------------
# Institutions and career offices
# ------------------------------------------------------------------------------
def domain_within(domain: str, domains: list[str]) -> bool:
    """Whether ``domain`` is one of ``domains`` or a subdomain of one ("cs.state.edu" is
    within "state.edu"; "notstate.edu" is not)."""
    domain = domain.lower()
    return any(domain == d or domain.endswith("." + d) for d in domains)


class Institution(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    # Lower-case domains such as "state.edu"; a student whose verified address ends in
    # one of them is affiliated automatically.
    email_domains = models.JSONField(default=list, blank=True)
    logo = models.ImageField(upload_to="institutions/logos/", blank=True)
    # Academic years and months are cut at midnight here (an IANA name, "America/Chicago").
    time_zone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def matches_domain(self, domain: str) -> bool:
        return domain_within(domain, self.email_domains)


class InstitutionSignOn(models.Model):
    """An institution's identity provider: its students and staff sign in through it
    (allauth's SAML or OpenID Connect provider, built from this row by
    ``accounts.social_adapter``). The provider vouches for the address and so for the
    affiliation, for the email domains listed here."""

    class Protocol(models.TextChoices):
        SAML = "saml", "SAML 2.0"
        OIDC = "oidc", "OpenID Connect"

    institution = models.OneToOneField(
        Institution, on_delete=models.CASCADE, related_name="sign_on"
    )
    protocol = models.CharField(max_length=8, choices=Protocol.choices)
    # Lower-case domains such as "state.edu" (subdomains included) whose people sign in
    # here; an address outside them is refused, whatever the provider says.
    email_domains = models.JSONField(default=list)
    enabled = models.BooleanField(default=True)
    # SAML 2.0: the identity provider's entity id and either its metadata URL or the
    # single sign-on URL and signing certificate (read from pasted metadata XML).
    saml_entity_id = models.CharField("IdP entity id", max_length=500, blank=True)
    saml_metadata_url = models.URLField("IdP metadata URL", max_length=500, blank=True)
    saml_sso_url = models.URLField("IdP single sign-on URL", max_length=500, blank=True)
    saml_certificate = models.TextField("IdP signing certificate", blank=True)
    # OpenID Connect: discovery at <issuer>/.well-known/openid-configuration.
    oidc_issuer = models.URLField("issuer", max_length=500, blank=True)
    oidc_client_id = models.CharField("client id", max_length=255, blank=True)
    oidc_client_secret = models.CharField("client secret", max_length=500, blank=True)
    # Our field -> the SAML attribute names or OIDC claim names that may hold it, first
    # found wins (see accounts.sign_on.DEFAULT_ATTRIBUTES for the fields and defaults).
    attribute_mapping = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["institution__name"]

    def __str__(self) -> str:
        return f"{self.get_protocol_display()} sign-in for {self.institution}"

    def covers(self, email: str) -> bool:
        return domain_within(email.rsplit("@", 1)[-1], self.email_domains)


class CareerOfficeMembership(models.Model):
    """A career-office staff member of one institution."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="career_office"
    )
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="staff")
    joined_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} @ {self.institution}"


# ------------------------------------------------------------------------------
# Employer organizations
# ------------------------------------------------------------------------------
def organization_logo_path(organization: Organization, filename: str) -> str:
    """Each organization's files under its own folder, and a new name for every upload:
    a replaced logo never shares a name (or a cached copy) with the one before."""
    # The services save a new organization before its logo; the admin's add form may not.
    folder = organization.pk or "new"
    return f"organizations/{folder}/logo-{secrets.token_hex(8)}{PurePath(filename).suffix.lower()}"


class Organization(models.Model):
    class Size(models.TextChoices):
        MICRO = "1-10", "1–10 people"
        SMALL = "11-50", "11–50 people"
        MEDIUM = "51-250", "51–250 people"
        LARGE = "251-1000", "251–1,000 people"
        ENTERPRISE = "1000+", "More than 1,000 people"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    website = models.URLField(blank=True)
    industry = models.CharField(max_length=120, blank=True)
    size = models.CharField(max_length=16, choices=Size.choices, blank=True)
    description = models.TextField(blank=True)
    # Checked, squared and re-encoded by accounts.services.logos; stored in the default
    # storage (the local folder, or S3) and served through organization_logo.
    logo = models.ImageField(upload_to=organization_logo_path, blank=True)
    # Set only by platform staff (organization_verify service); gates publishing.
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organization-public", kwargs={"slug": self.slug})

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def logo_url(self) -> str:
        """The public address of the logo, "" without one. The stored name is part of the
        address, so a replaced logo is a new address that no cache has seen."""
        if not self.logo:
            return ""
        version = hashlib.sha256(self.logo.name.encode()).hexdigest()[:12]
        path = reverse("accounts:organization-logo", kwargs={"slug": self.slug})
        return f"{path}?v={version}"


class Membership(models.Model):
    """A person's place in an organization. A user belongs to at most one organization,
    which keeps "my organization" unambiguous everywhere."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        SUPERVISOR = "supervisor", "Supervisor"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.SUPERVISOR)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "role", "joined_at"]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.organization}"

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER


# ------------------------------------------------------------------------------
# Invitations (supervisors to an organization, staff to a career office)
# ------------------------------------------------------------------------------
def hash_token(token: str) -> str:
    """Invitation tokens are stored hashed: a leaked table does not leak usable links."""
    return hashlib.sha256(token.encode()).hexdigest()


def default_invitation_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


class InvitationBase(models.Model):
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=default_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired


class OrganizationInvitation(InvitationBase):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.organization}"


class CareerOfficeInvitation(InvitationBase):
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="invitations"
    )

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.institution} career office"


# ------------------------------------------------------------------------------
# Student profiles
# ------------------------------------------------------------------------------
def resume_upload_to(instance: StudentProfile, filename: str) -> str:
    # The stored name is ours, never the uploader's: no path tricks, no collisions.
    return f"resumes/{instance.user_id}/{timezone.now():%Y%m%d%H%M%S}.pdf"


class StudentProfile(models.Model):
    class DegreeLevel(models.TextChoices):
        ASSOCIATE = "associate", "Associate"
        BACHELOR = "bachelor", "Bachelor's"
        MASTER = "master", "Master's"
        DOCTORATE = "doctorate", "Doctorate"
        BOOTCAMP = "bootcamp", "Bootcamp or certificate"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="student_profile"
    )
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.SET_NULL, related_name="students"
    )
    # True only once a verified email address on the institution's domain proved it.
    institution_verified = models.BooleanField(default=False)
    major = models.CharField(max_length=120, blank=True)
    degree_level = models.CharField(max_length=16, choices=DegreeLevel.choices, blank=True)
    graduation_year = models.PositiveSmallIntegerField(null=True, blank=True)
    # The day the student graduated or expects to: places them in a graduating class
    # (first-destination figures); ``graduation_year`` follows it when it is set.
    graduation_date = models.DateField(null=True, blank=True)
    headline = models.CharField(max_length=140, blank=True)
    bio = models.TextField(blank=True)
    weekly_availability_hours = models.PositiveSmallIntegerField(default=10)
    portfolio_url = models.URLField(blank=True)
    linkedin_url = models.URLField(blank=True)
    github_url = models.URLField(blank=True)
    resume = models.FileField(upload_to=resume_upload_to, blank=True)
    resume_uploaded_at = models.DateTimeField(null=True, blank=True)
    share_with_career_office = models.BooleanField(default=False)
    skills = models.ManyToManyField(Skill, through="StudentSkill", related_name="students")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["institution", "graduation_year"]),
            # A career office's figures filtered by major count only that major's rows.
            models.Index(fields=["institution", "major"], name="profile_school_major"),
            # ... and unfiltered, its consenting and other students are counted off this
            # index alone (PostgreSQL: the included columns spare reading the rows).
            models.Index(
                fields=["institution", "share_with_career_office"],
                include=["id", "user"],
                condition=models.Q(institution_verified=True),
                name="profile_school_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    @property
    def completeness(self) -> int:
        """Percent of the fields an employer looks at that are filled in."""
        checks = [
            bool(self.user.first_name and self.user.last_name),
            bool(self.major),
            bool(self.graduation_year),
            bool(self.headline),
            bool(self.bio),
            bool(self.resume),
            self.studentskill_set.exists() if self.pk else False,
        ]
        return round(100 * sum(checks) / len(checks))


class Affiliation(models.Model):
    """A period during which a student's membership of an institution was verified.
    Placement figures count an event for the school the student belonged to when it
    happened; the profile only says where they are now."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="affiliations"
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="affiliations"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["student", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_affiliation_per_student",
            )
        ]
        indexes = [models.Index(fields=["institution", "student", "started_at"])]

    def __str__(self) -> str:
        until = f"{self.ended_at:%Y-%m-%d}" if self.ended_at else "now"
        return f"{self.student} @ {self.institution} ({self.started_at:%Y-%m-%d}–{until})"


class StudentSkill(models.Model):
    class Level(models.IntegerChoices):
        BEGINNER = 1, "Beginner"
        WORKING = 2, "Working knowledge"
        PROFICIENT = 3, "Proficient"
        ADVANCED = 4, "Advanced"
        EXPERT = 5, "Expert"

    profile = models.ForeignKey(StudentProfile, on_delete=models.CASCADE)
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.WORKING)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "skill"], name="unique_student_skill"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="student_skill_level_1_5"
            ),
        ]
        ordering = ["-level", "skill__name"]

    def __str__(self) -> str:
        return f"{self.skill} ({self.get_level_display()})"


# ------------------------------------------------------------------------------
# Notifications
# ------------------------------------------------------------------------------
class Notification(models.Model):
    """Something that happened that a person should know about. Recorded first, then
    emailed by a task queued after commit; ``email_status`` lets a sweeper find the ones
    whose task never ran."""

    class EmailStatus(models.TextChoices):
        PENDING = "pending", "Pending"
        # An attempt was recorded and a worker is sending it, or died doing so: the
        # sweeper sends it again once the attempt is older than SWEEP_AFTER.
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Not emailed"
        FAILED = "failed", "Failed"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # The person whose action this tells about (the inbox shows their initials); empty
    # for what the system did on its own (reminders, expiries) and once they are deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(max_length=64)
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=500, blank=True)
    # Same key → same notification: a task that runs twice records and emails once.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(
        max_length=16, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    # How this one is delivered, fixed when it is recorded (the recipient's preference
    # for its kind then, or the kind's default): in_app → never emailed (skipped);
    # email → the task sends it now; digest → the daily digest task bundles it.
    delivery = models.CharField(max_length=8, choices=Delivery.choices, default=Delivery.EMAIL)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    # The last time a task tried to send it: the sweeper leaves recent tries to the
    # task's own retries.
    email_last_attempt_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The inbox: a recipient's items, unread first, newest first.
            models.Index(fields=["recipient", "read_at", "-created_at"]),
            # The sweeper: pending emails by age.
            models.Index(fields=["email_status", "created_at"]),
            # The daily digest: a recipient's pending digest items.
            models.Index(
                fields=["delivery", "email_status", "recipient"], name="notification_digest"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient}: {self.text}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """How a user wants one kind delivered. No row: the kind's default
    (accounts.notification_kinds)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=64)
    delivery = models.CharField(max_length=8, choices=Delivery.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="unique_notification_preference")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} → {self.delivery}"


class DigestRun(models.Model):
    """One daily digest email per user and day: the row is the marker that makes the
    digest task safe to run twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_runs"
    )
    day = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)
    notification_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="unique_digest_run_per_day")
        ]

    def __str__(self) -> str:
        return f"Digest for {self.user} on {self.day}"


# ------------------------------------------------------------------------------
# Personal access tokens (the public API)
# ------------------------------------------------------------------------------
class ApiToken(models.Model):
    """A personal access token for the API. Only the SHA-256 of the secret is kept (the
    secret is shown once, when created); ``prefix`` is the token's visible start, so a
    person can tell their tokens apart and recognise one found in a log."""

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        WRITE = "write", "Read and write"

    PREFIX_LENGTH = 16

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=PREFIX_LENGTH, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="apitoken_user_newest")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE
