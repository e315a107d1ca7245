"""Benchmark data and measurement (``manage.py seed_bench`` and ``manage.py bench``).

Generated rows are marked so they can be wiped without touching anything else: users'
emails end in ``@bench.internly.test``, organization and institution slugs start with
``bench-``. Generation is deterministic for a given scale and seed (``random.Random``),
apart from timestamps, which are relative to the moment of the run.

The search keyword ``dashboard`` (``SEARCH_KEYWORD``) appears in the title and summary
of about 5% of projects (``KEYWORD_SHARE``) and nowhere else — not in other texts, not
in skill names — so ``/projects/?q=dashboard`` matches a known fraction of the data.
"""

from __future__ import annotations

import io
import json
import math
import random
import statistics
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import cast

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import (
    Affiliation,
    CareerOfficeMembership,
    Institution,
    Membership,
    Organization,
    Skill,
    SkillCategory,
    StudentProfile,
    StudentSkill,
    User,
)
from matching.models import (
    Application,
    Engagement,
    EngagementEvent,
    HoursEntry,
    InternFeedback,
    Message,
    Offer,
    OutcomeReport,
    Payout,
    Submission,
    SupervisorFeedback,
)
from matching.services.ranking import (
    ProjectInputs,
    RankInputs,
    TrackRecord,
    application_scores_write,
    applications_rescore,
)
from projects.models import Project, ProjectSkill
from projects.search import refresh_search_vector

EMAIL_DOMAIN = "bench.internly.test"
SLUG_PREFIX = "bench-"
BENCH_STUDENT_EMAIL = f"student00000@{EMAIL_DOMAIN}"
BENCH_OFFICER_EMAIL = f"officer0@{EMAIL_DOMAIN}"
SEARCH_KEYWORD = "dashboard"
KEYWORD_SHARE = 0.05
DEFAULT_SEED = 20_251
BATCH_SIZE = 5_000

# At scale 1; scale N multiplies every count.
ORGANIZATIONS_PER_SCALE = 200
PROJECTS_PER_SCALE = 20_000
STUDENTS_PER_SCALE = 5_000
PUBLISHED_SPREAD_DAYS = 90
DEADLINE_SPREAD_DAYS = 60
INSTITUTIONS = 5
#: Most bench institutions are cut at Eastern midnight, the last at Pacific: placement
#: facts are built per time zone.
INSTITUTION_TIME_ZONES = ("America/New_York",) * (INSTITUTIONS - 1) + ("America/Los_Angeles",)
NO_GRADUATION_DATE_SHARE = 0.05  # students with a graduation year only
MOVER_SHARE = 0.01  # students who moved from another institution
# After posting (see _seed_matching): applications per student, the designated
# applicant-list project's applicants and the designated workspace's messages.
APPLICATIONS_PER_STUDENT = 10
APPLICANT_LIST_SIZE = 200
WORKSPACE_MESSAGES = 50

Status = Project.Status
# (status, share): open dominates, as on a live marketplace.
STATUS_SHARES: list[tuple[str, float]] = [
    (Status.OPEN, 0.85),
    (Status.DRAFT, 0.04),
    (Status.PENDING_REVIEW, 0.01),
    (Status.CLOSED, 0.05),
    (Status.COMPLETED, 0.03),
    (Status.CANCELLED, 0.02),
]
WORK_MODE_SHARES = [
    (Project.WorkMode.REMOTE, 0.6),
    (Project.WorkMode.HYBRID, 0.25),
    (Project.WorkMode.ONSITE, 0.15),
]
# Project category → the taxonomy's skill category it mostly draws skills from.
SKILL_CATEGORY_FOR = {"people": "people-hr"}

# ------------------------------------------------------------------------------
# Vocabulary (none of it contains the search keyword)
# ------------------------------------------------------------------------------
FIRST_NAMES = [
    "Aaliyah",
    "Aiden",
    "Amara",
    "Andre",
    "Anika",
    "Ari",
    "Beatriz",
    "Caleb",
    "Camila",
    "Chen",
    "Daria",
    "Diego",
    "Elena",
    "Eli",
    "Farah",
    "Felix",
    "Gabriel",
    "Hana",
    "Hugo",
    "Imani",
    "Isaac",
    "Jae",
    "Jamal",
    "Julia",
    "Kai",
    "Keisha",
    "Leila",
    "Leo",
    "Lucia",
    "Malik",
    "Maren",
    "Mei",
    "Milo",
    "Nadia",
    "Nico",
    "Nora",
    "Omar",
    "Pablo",
    "Quinn",
    "Rafael",
    "Rosa",
    "Ruth",
    "Sami",
    "Sana",
    "Tariq",
    "Tess",
    "Uma",
    "Victor",
    "Wen",
    "Xavier",
    "Yara",
    "Yusuf",
    "Zara",
]
LAST_NAMES = [
    "Abbott",
    "Ahmed",
    "Alvarez",
    "Bauer",
    "Becker",
    "Chang",
    "Cohen",
    "Diaz",
    "Dubois",
    "Evans",
    "Fernandes",
    "Foster",
    "Gupta",
    "Haddad",
    "Hansen",
    "Ito",
    "Jensen",
    "Khan",
    "Kowalski",
    "Larsen",
    "Lee",
    "Mensah",
    "Moreau",
    "Nakamura",
    "Novak",
    "Okafor",
    "Olsen",
    "Patel",
    "Pereira",
    "Quinn",
    "Reyes",
    "Rossi",
    "Sato",
    "Schmidt",
    "Silva",
    "Sokolov",
    "Tanaka",
    "Torres",
    "Varga",
    "Walsh",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhang",
]
ORG_WORDS_A = [
    "Blue",
    "Cedar",
    "Summit",
    "North",
    "Bright",
    "Harbor",
    "Iron",
    "Maple",
    "Silver",
    "Granite",
    "Red",
    "River",
    "Coastal",
    "Prairie",
    "Clear",
    "Open",
    "Copper",
    "Lumen",
    "Atlas",
    "Pioneer",
]
ORG_WORDS_B = [
    "Labs",
    "Works",
    "Analytics",
    "Studio",
    "Foods",
    "Health",
    "Energy",
    "Logistics",
    "Media",
    "Partners",
    "Robotics",
    "Capital",
    "Learning",
    "Outfitters",
    "Systems",
    "Collective",
]
INDUSTRIES = (
    "Software",
    "Retail",
    "Nonprofit",
    "Healthcare",
    "Energy",
    "Logistics",
    "Media",
    "Education",
    "Finance",
    "Food and beverage",
)
CITIES = (
    "Austin, TX",
    "Boston, MA",
    "Chicago, IL",
    "Denver, CO",
    "Atlanta, GA",
    "Portland, OR",
    "Seattle, WA",
    "Minneapolis, MN",
    "Pittsburgh, PA",
    "Raleigh, NC",
)
CLIENTS = (
    "a regional grocery chain",
    "a community health nonprofit",
    "a fintech startup",
    "a city transit agency",
    "an online bookstore",
    "a university library",
    "a solar installer",
    "a boutique hotel group",
    "a youth sports league",
    "a craft brewery",
    "a dental clinic network",
    "an e-commerce apparel brand",
)
# category → (verbs, objects, tools for the keyword title)
TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "marketing": (
        ("Plan", "Launch", "Audit", "Refresh", "Write"),
        (
            "a social media campaign",
            "an email nurture series",
            "our SEO strategy",
            "a referral program",
            "a product launch plan",
        ),
        ("marketing", "campaign", "Google Analytics"),
    ),
    "data": (
        ("Analyze", "Model", "Clean", "Visualize", "Forecast"),
        (
            "customer churn data",
            "weekly sales figures",
            "survey responses",
            "inventory levels",
            "website traffic",
        ),
        ("Power BI", "Tableau", "Looker Studio", "KPI"),
    ),
    "software": (
        ("Build", "Refactor", "Test", "Document", "Automate"),
        (
            "a REST API",
            "an internal admin tool",
            "a data import script",
            "the checkout flow",
            "a Slack integration",
        ),
        ("React", "Django", "admin", "metrics"),
    ),
    "design": (
        ("Design", "Redesign", "Prototype", "Illustrate", "Refresh"),
        (
            "a landing page",
            "our brand guidelines",
            "a mobile onboarding flow",
            "packaging labels",
            "a pitch deck",
        ),
        ("Figma", "UI", "analytics"),
    ),
    "writing": (
        ("Write", "Edit", "Draft", "Rewrite", "Proofread"),
        (
            "a series of blog posts",
            "our help-center articles",
            "a grant proposal",
            "case studies",
            "a quarterly newsletter",
        ),
        ("content", "editorial"),
    ),
    "research": (
        ("Research", "Map", "Survey", "Benchmark", "Review"),
        (
            "competitor pricing",
            "the local market",
            "user needs",
            "industry trends",
            "funding opportunities",
        ),
        ("research", "survey results"),
    ),
    "finance": (
        ("Model", "Reconcile", "Budget", "Analyze", "Forecast"),
        ("next year's budget", "unit economics", "cash flow", "vendor costs", "pricing scenarios"),
        ("finance", "cash-flow", "Excel"),
    ),
    "operations": (
        ("Streamline", "Map", "Document", "Improve", "Plan"),
        (
            "our order fulfilment process",
            "vendor onboarding",
            "warehouse layout",
            "an event schedule",
            "inventory counts",
        ),
        ("operations", "fleet", "warehouse"),
    ),
    "sales": (
        ("Build", "Qualify", "Research", "Segment", "Prepare"),
        (
            "a lead list",
            "our CRM pipeline",
            "partner prospects",
            "sales collateral",
            "an outreach sequence",
        ),
        ("sales pipeline", "CRM"),
    ),
    "people": (
        ("Design", "Write", "Benchmark", "Improve", "Plan"),
        (
            "an onboarding program",
            "job descriptions",
            "compensation bands",
            "an engagement survey",
            "interview guides",
        ),
        ("recruiting", "people analytics"),
    ),
    "product": (
        ("Define", "Prioritize", "Research", "Spec", "Test"),
        (
            "a new feature",
            "the product roadmap",
            "user feedback",
            "a pricing page",
            "the onboarding experience",
        ),
        ("product analytics", "usage"),
    ),
}
SENTENCES = (
    "You will work directly with a supervisor who answers questions within a day.",
    "We share the context, data and tools you need in a kickoff call.",
    "The work is self-paced within the project window.",
    "Expect a short weekly check-in and written feedback on your first draft.",
    "Clear communication matters as much as polish.",
    "Previous interns turned this kind of project into a portfolio piece.",
    "We will introduce you to the team that uses your work.",
    "Everything you need runs on an ordinary laptop.",
)
DELIVERABLES = (
    "A written summary of findings",
    "Source files and a short hand-over note",
    "A 15-minute presentation",
    "A prioritized list of recommendations",
    "Documentation for whoever continues the work",
)
MAJORS = (
    "Computer Science",
    "Economics",
    "Marketing",
    "Statistics",
    "Graphic Design",
    "Finance",
    "Psychology",
    "English",
    "Business Administration",
    "Public Health",
    "Data Science",
    "Industrial Engineering",
)
CANCEL_REASONS = ("Budget was reallocated.", "The team changed priorities.")


# ------------------------------------------------------------------------------
# Seeding
# ------------------------------------------------------------------------------
@dataclass
class BenchCounts:
    organizations: int
    projects: int
    students: int

    @classmethod
    def for_scale(cls, scale: float) -> BenchCounts:
        if scale <= 0:
            return cls(0, 0, 0)
        return cls(
            organizations=max(2, round(ORGANIZATIONS_PER_SCALE * scale)),
            projects=max(1, round(PROJECTS_PER_SCALE * scale)),
            students=max(1, round(STUDENTS_PER_SCALE * scale)),
        )


def bench_users():
    return User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")


def bench_organizations():
    return Organization.objects.filter(slug__startswith=SLUG_PREFIX)


def bench_projects():
    return Project.objects.filter(organization__slug__startswith=SLUG_PREFIX)


def bench_exists() -> bool:
    return bench_organizations().exists() or bench_users().exists()


def bench_reset() -> dict[str, int]:
    """Delete every bench row, and only those, in a few set-based statements."""
    deleted: dict[str, int] = {}
    tables = set(connection.introspection.table_names())
    with transaction.atomic():
        for label, queryset in (
            ("projects", bench_projects()),
            ("organizations", bench_organizations()),
            ("users", bench_users()),
            ("institutions", Institution.objects.filter(slug__startswith=SLUG_PREFIX)),
        ):
            deleted[label] = _delete_tree(queryset, tables)
    return deleted


def _delete_tree(queryset, tables: set[str], depth: int = 0) -> int:
    """Delete ``queryset`` and what depends on it with one DELETE (or UPDATE) per table,
    following every relation to the model like the ORM's collector would, but without
    loading 200,000 rows into memory and deleting them 100 at a time.

    Whatever points at a bench row is bench data too, so CASCADE and PROTECT both mean
    "delete it first"; SET_NULL references (an audit row's actor) are cleared. A model
    whose table is not in ``tables`` (not migrated yet) holds nothing to delete.
    """
    if depth > 8:
        raise RuntimeError("bench reset: relation chain too deep")
    model = queryset.model
    for rel in model._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_one or rel.one_to_many)):
            continue
        if rel.related_model._meta.db_table not in tables:
            continue
        related = rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": queryset})
        on_delete = rel.on_delete
        if on_delete is models.DO_NOTHING or not related.exists():
            continue
        if on_delete is models.SET_NULL:
            related.update(**{rel.field.name: None})
        else:
            _delete_tree(related, tables, depth + 1)
    return queryset._raw_delete(queryset.db)


def _insert(model: type[models.Model], names: list[str], rows: list[tuple]) -> list[int]:
    """Insert ``rows`` (values of the fields ``names``, in that order) and return their
    new primary keys in order. Columns not named get their model default (auto_now
    fields: now).

    On PostgreSQL the rows go in with COPY under ids taken from the table's sequence —
    several times faster than INSERT, which matters at 200,000 projects. Elsewhere
    (tests on SQLite) it is a plain ``bulk_create``.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = [model(**dict(zip(names, row, strict=True))) for row in rows]
        return [obj.pk for obj in model._default_manager.bulk_create(objs, batch_size=BATCH_SIZE)]
    now = timezone.now()
    fields = [cast(models.Field, model._meta.get_field(name)) for name in names]
    named = {f.column for f in fields}
    rest = [f for f in model._meta.concrete_fields if not f.primary_key and f.column not in named]
    stamped = ("auto_now", "auto_now_add")
    constants = [
        now if any(getattr(f, attr, False) for attr in stamped) else f.get_default() for f in rest
    ]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        tail = "\t".join(_copy_value(v) for v in constants)
        buffer = io.StringIO()
        for pk, row in zip(ids, rows, strict=True):
            values = "\t".join(_copy_value(v) for v in row)
            buffer.write(f"{pk}\t{values}\t{tail}\n" if rest else f"{pk}\t{values}\n")
        buffer.seek(0)
        columns = ", ".join(
            connection.ops.quote_name(c)
            for c in ["id", *(f.column for f in fields), *(f.column for f in rest)]
        )
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
    return ids


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, models.Model):
        value = value.pk
    if isinstance(value, list | dict):
        value = json.dumps(value)
    elif hasattr(value, "isoformat"):
        value = value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _chunks(n: int, size: int = BATCH_SIZE) -> Iterator[range]:
    for start in range(0, n, size):
        yield range(start, min(start + size, n))


def _pick_weighted(rng: random.Random, shares: Sequence[tuple[str, float]]) -> str:
    roll = rng.random()
    for value, share in shares:
        roll -= share
        if roll < 0:
            return value
    return shares[0][0]


def _ensure_skills() -> None:
    """Bench data needs a taxonomy; a database without the seeded one gets it here."""
    if Skill.objects.count() >= 20:
        return
    from accounts.skill_taxonomy import SKILL_TAXONOMY

    for category_name, category_slug, names in SKILL_TAXONOMY:
        category, _ = SkillCategory.objects.get_or_create(
            slug=category_slug, defaults={"name": category_name}
        )
        for name in names:
            Skill.objects.get_or_create(
                slug=slugify(name), defaults={"name": name, "category": category}
            )


@dataclass
class _SkillPools:
    by_category: dict[str, list[int]]
    all: list[int]
    keyword: list[int] = field(default_factory=list)

    @classmethod
    def load(cls) -> _SkillPools:
        by_category: dict[str, list[int]] = {}
        everything: list[int] = []
        keyword: list[int] = []
        for pk, name, category in Skill.objects.order_by("pk").values_list(
            "pk", "name", "category__slug"
        ):
            if SEARCH_KEYWORD in name.lower():
                keyword.append(pk)  # only projects about the keyword get these
                continue
            by_category.setdefault(category, []).append(pk)
            everything.append(pk)
        return cls(by_category, everything, keyword)

    def for_category(self, category: str) -> list[int]:
        pool = self.by_category.get(SKILL_CATEGORY_FOR.get(category, category), [])
        return pool if len(pool) >= 5 else self.all


def bench_seed(
    *, scale: float, seed: int = DEFAULT_SEED, log: Callable[[str], None] = lambda s: None
) -> BenchCounts:
    """Generate bench data for ``scale`` (1 → 200 organizations, 20,000 projects, 5,000
    students). Expects no bench rows yet (call ``bench_reset`` first)."""
    counts = BenchCounts.for_scale(scale)
    if not counts.projects:
        return counts
    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    unusable = make_password(None)  # one hash string for every bench user
    _ensure_skills()
    skills = _SkillPools.load()

    # Graduation dates and affiliation histories are drawn from a generator of their
    # own, so everything else stays what it was for this seed before they existed.
    history_rng = random.Random(f"{seed}-history")

    started = time.perf_counter()
    institution_ids = _insert(
        Institution,
        ["name", "slug", "email_domains", "time_zone"],
        [
            (
                f"Bench University {n}",
                f"{SLUG_PREFIX}university-{n}",
                [f"u{n}.{EMAIL_DOMAIN}"],
                INSTITUTION_TIME_ZONES[n],
            )
            for n in range(INSTITUTIONS)
        ],
    )
    _seed_career_officers(institution_ids, unusable)
    orgs = _seed_organizations(rng, counts, unusable, now)
    log(f"  {len(orgs)} organizations ({time.perf_counter() - started:.1f}s)")
    project_ids = _seed_projects(rng, counts, now, orgs, skills)
    log(f"  {len(project_ids)} projects with skills ({time.perf_counter() - started:.1f}s)")
    student_ids = _seed_students(
        rng, counts, unusable, institution_ids, skills, now=now, history_rng=history_rng
    )
    log(
        f"  {counts.students} students with skills and affiliations "
        f"({time.perf_counter() - started:.1f}s)"
    )
    made = _seed_matching(rng, now, student_ids)
    log(
        f"  {made['applications']} applications, {made['engagements']} engagements, "
        f"{made['offers']} offers ({time.perf_counter() - started:.1f}s)"
    )
    refresh_search_vector(project_ids=project_ids)
    log(f"  search column filled ({time.perf_counter() - started:.1f}s)")
    _analyze()
    log(f"  tables analyzed ({time.perf_counter() - started:.1f}s)")
    return counts


@dataclass
class _Org:
    id: int
    owner_id: int
    name: str
    verified: bool


def _seed_organizations(
    rng: random.Random, counts: BenchCounts, unusable: str, now: datetime
) -> list[_Org]:
    owner_ids = _insert(
        User,
        ["email", "first_name", "last_name", "role", "password"],
        [
            (
                f"owner{n:04d}@{EMAIL_DOMAIN}",
                rng.choice(FIRST_NAMES),
                rng.choice(LAST_NAMES),
                User.Role.EMPLOYER,
                unusable,
            )
            for n in range(counts.organizations)
        ],
    )
    names = [
        f"{rng.choice(ORG_WORDS_A)} {rng.choice(ORG_WORDS_B)} {n}"
        for n in range(counts.organizations)
    ]
    # One organization in twenty is unverified: its projects are the pending ones.
    verified = [n % 20 != 1 for n in range(counts.organizations)]
    org_ids = _insert(
        Organization,
        ["name", "slug", "industry", "size", "website", "description", "verified_at"],
        [
            (
                name,
                f"{SLUG_PREFIX}{slugify(name)}",
                rng.choice(INDUSTRIES),
                rng.choice(Organization.Size.values),
                f"https://{slugify(name)}.example.com",
                f"{name} is a {rng.choice(INDUSTRIES).lower()} organization.",
                now - timedelta(days=120) if ok else None,
            )
            for name, ok in zip(names, verified, strict=True)
        ],
    )
    _insert(
        Membership,
        ["user_id", "organization_id", "role"],
        [
            (owner, org, Membership.Role.OWNER)
            for owner, org in zip(owner_ids, org_ids, strict=True)
        ],
    )
    return [_Org(*fields) for fields in zip(org_ids, owner_ids, names, verified, strict=True)]


PROJECT_FIELDS = [
    "organization_id",
    "supervisor_id",
    "created_by_id",
    "title",
    "summary",
    "description",
    "deliverables",
    "category",
    "work_mode",
    "location",
    "estimated_hours",
    "duration_days",
    "fee",
    "slots",
    "application_deadline",
    "status",
    "published_at",
    "closed_at",
    "cancel_reason",
]


def _project(rng: random.Random, now: datetime, org: _Org, status: str) -> tuple[tuple, bool]:
    """One project's values (in PROJECT_FIELDS order) and whether it is a keyword one."""
    category = rng.choice(Project.Category.values)
    verbs, objects, tools = TOPICS[category]
    client = rng.choice(CLIENTS)
    keyword = rng.random() < KEYWORD_SHARE
    if keyword:
        tool = rng.choice(tools)
        title = f"Build a {tool} {SEARCH_KEYWORD} for {client}"
        summary = (
            f"Design and build a {SEARCH_KEYWORD} that shows {client} the numbers it "
            f"checks every week, using {tool}."
        )
    else:
        verb, obj = rng.choice(verbs), rng.choice(objects)
        title = f"{verb} {obj} for {client}"
        summary = f"{verb} {obj} for {client}, with a clear hand-over at the end."
    description = " ".join([f"{org.name} needs help: {summary}", *rng.sample(SENTENCES, 3)])
    hours = rng.randint(Project.MIN_HOURS, Project.MAX_HOURS)
    rate = max(settings.PAY_FLOOR_PER_HOUR, rng.randint(20, 45))
    fee = math.ceil(hours * rate / 10) * 10
    work_mode = _pick_weighted(rng, WORK_MODE_SHARES)
    location = "" if work_mode == Project.WorkMode.REMOTE else rng.choice(CITIES)
    published = now - timedelta(seconds=rng.randint(0, PUBLISHED_SPREAD_DAYS * 86_400))
    if status == Status.OPEN:
        deadline = now + timedelta(seconds=rng.randint(3_600, DEADLINE_SPREAD_DAYS * 86_400))
    elif status in (Status.DRAFT, Status.PENDING_REVIEW):
        deadline = now + timedelta(days=rng.randint(7, DEADLINE_SPREAD_DAYS))
    else:
        deadline = published + timedelta(days=rng.randint(3, 30))
    unpublished = status in (Status.DRAFT, Status.PENDING_REVIEW)
    finished = status in (Status.CLOSED, Status.COMPLETED, Status.CANCELLED)
    values = (
        org.id,
        org.owner_id,
        org.owner_id,
        title[:140],
        summary[:300],
        description,
        rng.sample(DELIVERABLES, rng.randint(1, 3)),
        category,
        work_mode,
        location,
        hours,
        rng.randint(7, 30),
        fee,
        rng.choice((1, 1, 1, 1, 2, 3)),
        deadline,
        status,
        None if unpublished else published,
        min(deadline, now) if finished else None,
        rng.choice(CANCEL_REASONS) if status == Status.CANCELLED else "",
    )
    return values, keyword


def _seed_projects(
    rng: random.Random,
    counts: BenchCounts,
    now: datetime,
    orgs: list[_Org],
    skills: _SkillPools,
) -> list[int]:
    verified = [org for org in orgs if org.verified]
    unverified = [org for org in orgs if not org.verified]
    category_at = PROJECT_FIELDS.index("category")
    ids: list[int] = []
    for chunk in _chunks(counts.projects):
        batch: list[tuple[tuple, bool]] = []
        for _ in chunk:
            status = _pick_weighted(rng, STATUS_SHARES)
            pool = unverified if status == Status.PENDING_REVIEW and unverified else verified
            batch.append(_project(rng, now, rng.choice(pool), status))
        created = _insert(Project, PROJECT_FIELDS, [values for values, _ in batch])
        links: list[tuple] = []
        for project_id, (values, keyword) in zip(created, batch, strict=True):
            picked = rng.sample(skills.for_category(values[category_at]), rng.randint(2, 5))
            if keyword and skills.keyword:
                picked[-1] = rng.choice(skills.keyword)
            links += [(project_id, pk, n < 2) for n, pk in enumerate(dict.fromkeys(picked))]
        _insert(ProjectSkill, ["project_id", "skill_id", "is_required"], links)
        ids += created
    return ids


def _graduation_date(rng: random.Random, year: int) -> date | None:
    """Commencement in May or June of the class year; a few students have the year only."""
    if rng.random() < NO_GRADUATION_DATE_SHARE:
        return None
    month = rng.choice((5, 6))
    return date(year, month, rng.randint(1, 30))


def _affiliations(
    rng: random.Random,
    student_id: int,
    institution_id: int,
    year: int,
    *,
    now: datetime,
    institution_ids: list[int],
) -> list[tuple]:
    """The student's verified periods (student, institution, started, ended): from the
    autumn of their first or second year, and before any application (applications are
    made on projects published in the last PUBLISHED_SPREAD_DAYS). A mover belonged to
    another institution until a day within that window, so their events are split."""
    first_event = now - timedelta(days=PUBLISHED_SPREAD_DAYS + 1)
    began = datetime(year - 4, 8, 20, 14, tzinfo=now.tzinfo) + timedelta(days=rng.randint(0, 400))
    began = min(began, first_event - timedelta(days=rng.randint(0, 60)))
    others = [pk for pk in institution_ids if pk != institution_id]
    if others and rng.random() < MOVER_SHARE:
        moved = now - timedelta(days=rng.randint(1, PUBLISHED_SPREAD_DAYS), hours=3)
        return [
            (student_id, rng.choice(others), began, moved),
            (student_id, institution_id, moved, None),
        ]
    return [(student_id, institution_id, began, None)]


def _seed_students(
    rng: random.Random,
    counts: BenchCounts,
    unusable: str,
    institution_ids: list[int],
    skills: _SkillPools,
    *,
    now: datetime,
    history_rng: random.Random,
) -> list[int]:
    categories = sorted(skills.by_category)
    student_ids: list[int] = []
    for chunk in _chunks(counts.students):
        user_ids = _insert(
            User,
            ["email", "first_name", "last_name", "role", "password"],
            [
                (
                    f"student{n:05d}@{EMAIL_DOMAIN}",
                    rng.choice(FIRST_NAMES),
                    rng.choice(LAST_NAMES),
                    User.Role.STUDENT,
                    unusable,
                )
                for n in chunk
            ],
        )
        profiles = []
        affiliations: list[tuple] = []
        for user_id in user_ids:
            major = rng.choice(MAJORS)
            institution_id = rng.choice(institution_ids)
            year = rng.randint(2025, 2028)
            profiles.append(
                (
                    user_id,
                    institution_id,
                    True,
                    major,
                    StudentProfile.DegreeLevel.BACHELOR,
                    year,
                    _graduation_date(history_rng, year),
                    f"{major} student looking for project work",
                    f"{major} student. " + " ".join(rng.sample(SENTENCES, 2)),
                    rng.choice((5, 10, 15, 20)),
                    rng.random() < 0.8,
                )
            )
            affiliations += _affiliations(
                history_rng,
                user_id,
                institution_id,
                year,
                now=now,
                institution_ids=institution_ids,
            )
        profile_ids = _insert(
            StudentProfile,
            [
                "user_id",
                "institution_id",
                "institution_verified",
                "major",
                "degree_level",
                "graduation_year",
                "graduation_date",
                "headline",
                "bio",
                "weekly_availability_hours",
                "share_with_career_office",
            ],
            profiles,
        )
        _insert(
            Affiliation, ["student_id", "institution_id", "started_at", "ended_at"], affiliations
        )
        links: list[tuple] = []
        for profile_id in profile_ids:
            # A student's skills cluster in one or two areas, like real profiles.
            pool: list[int] = []
            for category in rng.sample(categories, rng.randint(1, 2)):
                pool += skills.by_category[category]
            picked = rng.sample(pool, min(len(pool), rng.randint(3, 8)))
            links += [(profile_id, pk, rng.randint(1, 5)) for pk in picked]
        _insert(StudentSkill, ["profile_id", "skill_id", "level"], links)
        student_ids += user_ids
    return student_ids


def _seed_career_officers(institution_ids: list[int], unusable: str) -> None:
    """One career-office member per bench institution (``officer<n>@…``)."""
    officer_ids = _insert(
        User,
        ["email", "first_name", "last_name", "role", "password"],
        [
            (
                f"officer{n}@{EMAIL_DOMAIN}",
                "Career",
                f"Officer {n}",
                User.Role.CAREER_OFFICE,
                unusable,
            )
            for n in range(len(institution_ids))
        ],
    )
    _insert(
        CareerOfficeMembership,
        ["user_id", "institution_id"],
        list(zip(officer_ids, institution_ids, strict=True)),
    )


# ------------------------------------------------------------------------------
# After posting: applications, engagements, feedback, payouts, offers, outcomes
# ------------------------------------------------------------------------------
AppStatus = Application.Status
EngStatus = Engagement.Status
OfferStatus = Offer.Status
#: Per project status: the chance an application is accepted (while a place is free),
#: then the shares of the other outcomes (the rest stays "submitted").
APPLICATION_OUTCOMES: dict[str, tuple[float, list[tuple[str, float]]]] = {
    Status.OPEN: (
        0.04,
        [(AppStatus.SHORTLISTED, 0.15), (AppStatus.REJECTED, 0.15), (AppStatus.WITHDRAWN, 0.05)],
    ),
    Status.CLOSED: (
        0.35,
        [
            (AppStatus.SHORTLISTED, 0.10),
            (AppStatus.REJECTED, 0.35),
            (AppStatus.WITHDRAWN, 0.05),
            (AppStatus.EXPIRED, 0.15),
        ],
    ),
    Status.COMPLETED: (
        0.5,
        [(AppStatus.REJECTED, 0.55), (AppStatus.WITHDRAWN, 0.05), (AppStatus.EXPIRED, 0.40)],
    ),
    Status.CANCELLED: (0.0, [(AppStatus.WITHDRAWN, 0.2), (AppStatus.EXPIRED, 0.8)]),
}
ENGAGEMENT_OUTCOMES: dict[str, list[tuple[str, float]]] = {
    Status.OPEN: [
        (EngStatus.ACTIVE, 0.55),
        (EngStatus.SUBMITTED, 0.2),
        (EngStatus.REVISION_REQUESTED, 0.1),
        (EngStatus.COMPLETED, 0.1),
        (EngStatus.CANCELLED, 0.05),
    ],
    Status.CLOSED: [
        (EngStatus.ACTIVE, 0.3),
        (EngStatus.SUBMITTED, 0.2),
        (EngStatus.REVISION_REQUESTED, 0.1),
        (EngStatus.COMPLETED, 0.35),
        (EngStatus.CANCELLED, 0.05),
    ],
    Status.COMPLETED: [(EngStatus.COMPLETED, 0.92), (EngStatus.CANCELLED, 0.08)],
}
OFFER_OUTCOMES = [
    (OfferStatus.ACCEPTED, 0.45),
    (OfferStatus.DECLINED, 0.2),
    (OfferStatus.EXTENDED, 0.2),
    (OfferStatus.RESCINDED, 0.05),
    (OfferStatus.EXPIRED, 0.1),
]
OFFER_SHARE = 0.2  # of completed engagements
OUTCOME_SHARE = 0.1  # of students report a destination themselves
ACTIVITY_SHARE = 0.05  # of other engagements get a few messages, hours and a hand-in
COVER_NOTES = (
    "I have done similar work in class and would love to do it for a real client.",
    "This matches my skills and my schedule; I can start this week.",
    "I enjoy this kind of problem and I communicate early and often.",
)
DECISION_MESSAGES = ("", "", "Thank you for applying; we chose a candidate with more experience.")
MESSAGE_TEXTS = (
    "Quick question about the scope of the second deliverable.",
    "Good question: keep it to the three regions we discussed.",
    "I pushed a first draft; comments welcome.",
    "Looks good. Could you add a short summary at the top?",
    "Done, and I fixed the chart labels too.",
    "Thanks! Let us talk through it on Thursday.",
)
OFFER_TITLES = ("Junior Analyst", "Associate", "Coordinator", "Software Engineer I")
CANCEL_TEXT = "The student's schedule changed."
FEEDBACK_WINDOW = timedelta(days=14)

APPLICATION_FIELDS = [
    "project_id",
    "student_id",
    "status",
    "cover_note",
    "answers",
    "decision_message",
    "decided_at",
    "created_at",
    "rank_score",  # always last: ``_MatchingWriter.scored`` appends it
]
ENGAGEMENT_FIELDS = [
    "application_id",
    "project_id",
    "student_id",
    "supervisor_id",
    "slot_number",
    "status",
    "checklist",
    "due_date",
    "fee",
    "currency",
    "started_at",
    "submitted_at",
    "completed_at",
    "cancelled_at",
    "cancel_reason",
    "last_activity_at",
    "feedback_released_at",
]


@dataclass
class _Proj:
    id: int
    status: str
    organization_id: int
    supervisor_id: int
    slots: int
    fee: int
    currency: str
    deliverables: list
    published_at: datetime | None
    deadline: datetime
    duration_days: int
    estimated_hours: int


def bench_designated_projects() -> tuple[int | None, int | None]:
    """(the applicant-list project, the workspace project): the two oldest open projects
    of verified bench organizations. Random applications leave both alone: the first
    gets exactly APPLICANT_LIST_SIZE applicants, the second the bench student's
    engagement with WORKSPACE_MESSAGES messages."""
    ids = list(
        bench_projects()
        .filter(status=Status.OPEN, organization__verified_at__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[:2]
    )
    ids += [None] * (2 - len(ids))
    return ids[0], ids[1]


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    if end <= start:
        return start
    return start + timedelta(seconds=rng.randint(0, int((end - start).total_seconds())))


class _MatchingWriter:
    """Builds the rows after posting for one chunk of students at a time and writes them
    with ``_insert`` (COPY on PostgreSQL). Places taken are remembered across chunks so
    no project gets more engagements than it has slots.

    Every application is written with its rank score, computed by the services' own
    ``RankInputs.scorer`` (``matching.services.ranking``) from the inputs in memory.
    Completed engagements and released ratings are drawn after the applications are
    written (they need their ids), so a chunk ends by rescoring its students whose
    track record it changed: their rows of this chunk from memory, rows of earlier
    chunks through ``applications_rescore``."""

    def __init__(self, rng: random.Random, now: datetime, inputs: RankInputs | None = None):
        self.rng = rng
        self.now = now
        self.used_slots: dict[int, int] = {}
        self.slot_numbers: dict[int, int] = {}
        self.offered: set[tuple[int, int]] = set()
        self.made = {"applications": 0, "engagements": 0, "offers": 0}
        self.inputs = inputs or RankInputs(projects={}, levels={}, weekly={}, records={})
        self.score = self.inputs.scorer()
        self.written_students: set[int] = set()
        self.tally: dict[int, list] = {}  # student → [completed, rating total, rated]

    def scored(self, project: _Proj, row: tuple) -> tuple:
        """``row`` with its rank score (APPLICATION_FIELDS' last column) appended."""
        return (*row, self.score(project.id, row[1]))

    def _track(self, student_id: int, *, rating: int | None) -> None:
        """One more completed engagement of the student, and its released rating."""
        tally = self.tally.setdefault(student_id, [0, 0, 0])
        tally[0] += 1
        if rating is not None:
            tally[1] += rating
            tally[2] += 1
        completed, total, rated = tally
        self.inputs.records[student_id] = TrackRecord(
            completed=completed, rating=total / rated if rated else None
        )

    # -- applications -----------------------------------------------------------
    def application(self, project: _Proj, student_id: int, status: str | None = None):
        rng, now = self.rng, self.now
        published = project.published_at or now - timedelta(days=30)
        created = _between(rng, published, min(now, project.deadline))
        accept_share, others = APPLICATION_OUTCOMES[project.status]
        if status is None:
            status = AppStatus.SUBMITTED
            if rng.random() < accept_share and self.used_slots.get(project.id, 0) < project.slots:
                status = AppStatus.ACCEPTED
            else:
                roll = rng.random()
                for candidate, share in others:
                    roll -= share
                    if roll < 0:
                        status = candidate
                        break
        if status == AppStatus.ACCEPTED:
            self.used_slots[project.id] = self.used_slots.get(project.id, 0) + 1
        decided = None
        message = ""
        if status in (AppStatus.ACCEPTED, AppStatus.REJECTED):
            decided = min(now, created + timedelta(hours=rng.randint(6, 240)))
        if status == AppStatus.REJECTED:
            message = rng.choice(DECISION_MESSAGES)
        row: tuple = (
            project.id,
            student_id,
            status,
            rng.choice(COVER_NOTES),
            [],
            message,
            decided,
            created,
        )
        return row

    # -- engagements ------------------------------------------------------------
    def engagement(self, project: _Proj, application_id: int, app_row: tuple, status=None):
        rng, now = self.rng, self.now
        if status is None:
            if project.status == Status.CANCELLED:
                status = EngStatus.CANCELLED
            else:
                status = _pick_weighted(rng, ENGAGEMENT_OUTCOMES[project.status])
        started = app_row[6] or now
        submitted = completed = cancelled = released = None
        if status in (EngStatus.SUBMITTED, EngStatus.REVISION_REQUESTED, EngStatus.COMPLETED):
            submitted = _between(rng, started, now)
        if status == EngStatus.COMPLETED:
            completed = _between(rng, submitted or started, now)
        if status == EngStatus.CANCELLED:
            cancelled = _between(rng, started, now)
        last = max(t for t in (started, submitted, completed, cancelled) if t is not None)
        slot = self.slot_numbers[project.id] = self.slot_numbers.get(project.id, 0) + 1
        row = [
            application_id,
            project.id,
            app_row[1],
            project.supervisor_id,
            slot,
            status,
            [{"title": d, "done": status == EngStatus.COMPLETED} for d in project.deliverables],
            (started + timedelta(days=project.duration_days)).date(),
            project.fee,
            project.currency,
            started,
            submitted,
            completed,
            cancelled,
            CANCEL_TEXT if status == EngStatus.CANCELLED else "",
            last,
            released,
        ]
        return row

    def write_chunk(self, projects_and_apps: list[tuple[_Proj, tuple]]) -> None:
        rng, now = self.rng, self.now
        self.score = self.inputs.scorer()  # a memo per chunk: memory stays bounded
        rows = [self.scored(project, row) for project, row in projects_and_apps]
        app_ids = _insert(Application, APPLICATION_FIELDS, rows)
        self.made["applications"] += len(app_ids)
        eng_rows: list[list] = []
        eng_projects: list[_Proj] = []
        for app_id, (project, app_row) in zip(app_ids, projects_and_apps, strict=True):
            if app_row[2] == AppStatus.ACCEPTED:
                eng_rows.append(self.engagement(project, app_id, app_row))
                eng_projects.append(project)
        # Feedback of completed engagements decides their release time, so it is drawn
        # before the engagements are written.
        sup_rows, intern_rows = [], []
        at = {name: i for i, name in enumerate(ENGAGEMENT_FIELDS)}
        feedback_plan = []
        for row in eng_rows:
            if row[at["status"]] != EngStatus.COMPLETED:
                feedback_plan.append((False, False))
                continue
            completed = row[at["completed_at"]]
            sup = rng.random() < 0.85
            intern = rng.random() < 0.75
            feedback_plan.append((sup, intern))
            if sup and intern:
                row[at["feedback_released_at"]] = min(now, completed + timedelta(days=2))
            elif completed + FEEDBACK_WINDOW <= now:
                row[at["feedback_released_at"]] = completed + FEEDBACK_WINDOW
        eng_ids = _insert(Engagement, ENGAGEMENT_FIELDS, [tuple(r) for r in eng_rows])
        self.made["engagements"] += len(eng_ids)

        payouts, offers, messages, hours, submissions = [], [], [], [], []
        tracked: set[int] = set()
        for eng_id, row, project, (sup, intern) in zip(
            eng_ids, eng_rows, eng_projects, feedback_plan, strict=True
        ):
            status = row[at["status"]]
            student_id, supervisor_id = row[at["student_id"]], row[at["supervisor_id"]]
            completed = row[at["completed_at"]]
            if status == EngStatus.COMPLETED:
                paid = rng.random() < 0.6
                payouts.append(
                    (
                        eng_id,
                        project.fee,
                        project.currency,
                        Payout.Status.PAID if paid else Payout.Status.DUE,
                        completed,
                        min(now, completed + timedelta(days=3)) if paid else None,
                        supervisor_id if paid else None,
                        f"ACH-{eng_id}" if paid else "",
                    )
                )
                rating = None
                if sup:
                    sup_rows.append(self._supervisor_feedback(eng_id, supervisor_id, completed))
                    if row[at["feedback_released_at"]] is not None:
                        rating = sup_rows[-1][SUPERVISOR_FEEDBACK_FIELDS.index("overall_rating")]
                self._track(student_id, rating=rating)
                tracked.add(student_id)
                if intern:
                    intern_rows.append(self._intern_feedback(eng_id, student_id, completed))
                key = (project.organization_id, student_id)
                if key not in self.offered and rng.random() < OFFER_SHARE:
                    self.offered.add(key)
                    offers.append(self._offer(eng_id, project, student_id, completed))
            if rng.random() < ACTIVITY_SHARE:
                started = row[at["started_at"]]
                for n in range(3):
                    author = student_id if n % 2 == 0 else supervisor_id
                    messages.append(
                        (
                            eng_id,
                            author,
                            MESSAGE_TEXTS[n],
                            _between(rng, started, row[at["last_activity_at"]]),
                        )
                    )
                for _ in range(2):
                    day = _between(rng, started, row[at["last_activity_at"]]).date()
                    hours.append((eng_id, student_id, day, rng.choice((1, 2, 3.5)), "Work"))
                if row[at["submitted_at"]] is not None:
                    submissions.append(
                        (
                            eng_id,
                            student_id,
                            f"https://files.example.com/{eng_id}",
                            "Hand-in",
                            row[at["submitted_at"]],
                        )
                    )
        _insert(
            Payout,
            ["engagement_id", "amount", "currency", "status", "due_at", "paid_at"]
            + ["marked_paid_by_id", "reference"],
            payouts,
        )
        _insert(SupervisorFeedback, SUPERVISOR_FEEDBACK_FIELDS, sup_rows)
        _insert(InternFeedback, INTERN_FEEDBACK_FIELDS, intern_rows)
        _insert(Offer, OFFER_FIELDS, offers)
        self.made["offers"] += len(offers)
        _insert(Message, ["engagement_id", "author_id", "body", "created_at"], messages)
        _insert(HoursEntry, ["engagement_id", "student_id", "date", "hours", "description"], hours)
        _insert(
            Submission, ["engagement_id", "author_id", "link", "note", "created_at"], submissions
        )
        self._rescore(tracked, app_ids, projects_and_apps, rows)

    def _rescore(self, tracked: set[int], app_ids: list[int], projects_and_apps, rows) -> None:
        """Scores of the students whose track record this chunk changed (it was drawn
        after their applications were written), then remember who has rows written."""
        if tracked:
            fixed = []
            for app_id, (project, _), row in zip(app_ids, projects_and_apps, rows, strict=True):
                if row[1] in tracked:
                    score = self.score(project.id, row[1])
                    if score != row[-1]:
                        fixed.append((app_id, score))
            application_scores_write(fixed)
            earlier = tracked & self.written_students
            if earlier:
                applications_rescore(student_ids=earlier)
        self.written_students.update(row[1] for row in rows)

    def _supervisor_feedback(self, eng_id: int, author_id: int, completed: datetime) -> tuple:
        rng = self.rng
        ratings = [rng.randint(2, 5) if rng.random() < 0.7 else None for _ in range(8)]
        return (
            eng_id,
            author_id,
            *ratings,
            rng.randint(2, 5),
            "Reliable, clear work delivered on time.",
            ["Delivered every item on the checklist"],
            rng.random() < 0.6,
            min(self.now, completed + timedelta(hours=rng.randint(1, 72))),
        )

    def _intern_feedback(self, eng_id: int, author_id: int, completed: datetime) -> tuple:
        rng = self.rng
        return (
            eng_id,
            author_id,
            rng.randint(2, 5),
            rng.randint(2, 5),
            rng.randint(2, 5),
            rng.random() < 0.8,
            "A well-scoped project.",
            min(self.now, completed + timedelta(hours=rng.randint(1, 72))),
        )

    def _offer(self, eng_id: int, project: _Proj, student_id: int, completed: datetime):
        rng, now = self.rng, self.now
        status = _pick_weighted(rng, OFFER_OUTCOMES)
        created = _between(rng, completed, now)
        today = timezone.localdate(now)
        if status == OfferStatus.EXTENDED:
            deadline = today + timedelta(days=rng.randint(1, 14))
        elif status == OfferStatus.EXPIRED:
            deadline = today - timedelta(days=rng.randint(1, 10))
        else:
            deadline = timezone.localdate(created) + timedelta(days=14)
        responded = (
            _between(rng, created, now)
            if status in (OfferStatus.ACCEPTED, OfferStatus.DECLINED)
            else None
        )
        annual = rng.random() < 0.7
        return (
            project.organization_id,
            student_id,
            eng_id,
            project.supervisor_id,
            rng.choice(OFFER_TITLES),
            Offer.Type.FULL_TIME if annual else Offer.Type.PART_TIME,
            rng.randint(45, 90) * 1000 if annual else rng.randint(18, 40),
            Offer.PayPeriod.ANNUAL if annual else Offer.PayPeriod.HOURLY,
            project.currency,
            rng.choice(CITIES),
            rng.random() < 0.3,
            today + timedelta(days=rng.randint(30, 120)),
            deadline,
            "We would like you to join us.",
            status,
            responded,
            "The position was closed." if status == OfferStatus.RESCINDED else "",
            created,
        )


SUPERVISOR_FEEDBACK_FIELDS = [
    "engagement_id",
    "author_id",
    "communication",
    "critical_thinking",
    "teamwork",
    "professionalism",
    "technology",
    "leadership",
    "career_development",
    "equity_inclusion",
    "overall_rating",
    "written_feedback",
    "outcomes",
    "would_hire",
    "submitted_at",
]
INTERN_FEEDBACK_FIELDS = [
    "engagement_id",
    "author_id",
    "brief_clarity",
    "mentorship",
    "scope_fairness",
    "would_recommend",
    "comment",
    "submitted_at",
]
OFFER_FIELDS = [
    "organization_id",
    "student_id",
    "engagement_id",
    "created_by_id",
    "title",
    "type",
    "pay_amount",
    "pay_period",
    "currency",
    "location",
    "is_remote",
    "start_date",
    "response_deadline",
    "message",
    "status",
    "responded_at",
    "rescind_reason",
    "created_at",
]


def _published_projects() -> list[_Proj]:
    return [
        _Proj(*row)
        for row in bench_projects()
        .filter(status__in=[Status.OPEN, Status.CLOSED, Status.COMPLETED, Status.CANCELLED])
        .order_by("pk")
        .values_list(
            "pk",
            "status",
            "organization_id",
            "supervisor_id",
            "slots",
            "fee",
            "currency",
            "deliverables",
            "published_at",
            "application_deadline",
            "duration_days",
            "estimated_hours",
        )
    ]


def _rank_inputs(projects: list[_Proj]) -> RankInputs:
    """What the rank scores read, for every bench project and student, in four queries
    (bench rows only, by their marks rather than long id lists). Track records start
    empty: the writer adds them as it writes engagements and feedback."""
    required: dict[int, set[int]] = {}
    nice: dict[int, set[int]] = {}
    for project_id, skill_id, is_required in ProjectSkill.objects.filter(
        project__organization__slug__startswith=SLUG_PREFIX
    ).values_list("project_id", "skill_id", "is_required"):
        (required if is_required else nice).setdefault(project_id, set()).add(skill_id)
    levels: dict[int, dict[int, int]] = {}
    for student_id, skill_id, level in StudentSkill.objects.filter(
        profile__user__email__endswith=f"@{EMAIL_DOMAIN}"
    ).values_list("profile__user_id", "skill_id", "level"):
        levels.setdefault(student_id, {})[skill_id] = level
    return RankInputs(
        projects={
            p.id: ProjectInputs(
                required=frozenset(required.get(p.id, ())),
                nice=frozenset(nice.get(p.id, ())),
                estimated_hours=p.estimated_hours,
                duration_days=p.duration_days,
            )
            for p in projects
        },
        levels=levels,
        weekly=dict(
            StudentProfile.objects.filter(user__email__endswith=f"@{EMAIL_DOMAIN}").values_list(
                "user_id", "weekly_availability_hours"
            )
        ),
        records={},
    )


def _seed_matching(rng: random.Random, now: datetime, student_ids: list[int]) -> dict[str, int]:
    """About APPLICATIONS_PER_STUDENT applications per student on published projects
    (one per project and student), accepted ones as engagements within the project's
    places, and after completed work: payouts, two-sided feedback (released when both
    are in or the window closed), offers citing the engagement, self-reported outcomes.
    Plus the two designated pages' data (see ``bench_designated_projects``)."""
    projects = _published_projects()
    if not projects or not student_ids:
        return {"applications": 0, "engagements": 0, "offers": 0}
    writer = _MatchingWriter(rng, now, _rank_inputs(projects))
    list_id, workspace_id = bench_designated_projects()
    by_id = {p.id: p for p in projects}
    pool = [p for p in projects if p.id not in (list_id, workspace_id)]

    # The applicant list: exactly APPLICANT_LIST_SIZE applicants (fewer students, all).
    if list_id is not None:
        applicants = rng.sample(student_ids, min(APPLICANT_LIST_SIZE, len(student_ids)))
        statuses = [AppStatus.SUBMITTED] * 6 + [AppStatus.SHORTLISTED] * 2
        statuses += [AppStatus.REJECTED, AppStatus.WITHDRAWN]
        rows = [
            (by_id[list_id], writer.application(by_id[list_id], sid, rng.choice(statuses)))
            for sid in applicants
        ]
        writer.write_chunk(rows)

    if workspace_id is not None:
        _seed_workspace(writer, by_id[workspace_id], student_ids[0])

    per = APPLICATIONS_PER_STUDENT
    for begin in range(0, len(student_ids), BATCH_SIZE // 2):
        rows = []
        for sid in student_ids[begin : begin + BATCH_SIZE // 2]:
            k = min(len(pool), rng.randint(per - 4, per + 4))
            for index in rng.sample(range(len(pool)), k):
                project = pool[index]
                rows.append((project, writer.application(project, sid)))
        writer.write_chunk(rows)

    reports = []
    kinds = OutcomeReport.Kind.values
    for sid in student_ids:
        if rng.random() < OUTCOME_SHARE:
            kind = rng.choice(kinds)
            employed = kind == OutcomeReport.Kind.EMPLOYED_ELSEWHERE
            reports.append(
                (
                    sid,
                    kind,
                    f"{rng.choice(ORG_WORDS_A)} {rng.choice(ORG_WORDS_B)}" if employed else "",
                    rng.choice(OFFER_TITLES) if employed else "",
                    "Master's program" if kind == OutcomeReport.Kind.GRADUATE_SCHOOL else "",
                    now - timedelta(days=rng.randint(0, 60)),
                )
            )
    _insert(
        OutcomeReport,
        ["student_id", "kind", "employer_name", "job_title", "program_name", "reported_at"],
        reports,
    )
    return writer.made


def _seed_workspace(writer: _MatchingWriter, project: _Proj, student_id: int) -> None:
    """The bench student's engagement on the workspace project: handed in once, sent
    back for a revision, with WORKSPACE_MESSAGES messages, hours and its audit trail."""
    now = writer.now
    started = now - timedelta(days=12)
    app_row = list(writer.application(project, student_id, AppStatus.ACCEPTED))
    app_row[6] = started  # decided_at
    app_row[7] = started - timedelta(days=2)  # created_at
    (app_id,) = _insert(Application, APPLICATION_FIELDS, [writer.scored(project, tuple(app_row))])
    writer.written_students.add(student_id)
    row = writer.engagement(project, app_id, tuple(app_row), EngStatus.REVISION_REQUESTED)
    at = {name: i for i, name in enumerate(ENGAGEMENT_FIELDS)}
    submitted = now - timedelta(days=3)
    row[at["submitted_at"]] = submitted
    row[at["last_activity_at"]] = now - timedelta(hours=1)
    checklist = row[at["checklist"]]
    if checklist:
        checklist[0]["done"] = True
    (eng_id,) = _insert(Engagement, ENGAGEMENT_FIELDS, [tuple(row)])
    writer.made["applications"] += 1
    writer.made["engagements"] += 1
    supervisor_id = project.supervisor_id
    step = (now - started) / (WORKSPACE_MESSAGES + 1)
    _insert(
        Message,
        ["engagement_id", "author_id", "body", "created_at"],
        [
            (
                eng_id,
                student_id if n % 2 == 0 else supervisor_id,
                MESSAGE_TEXTS[n % len(MESSAGE_TEXTS)],
                started + step * (n + 1),
            )
            for n in range(WORKSPACE_MESSAGES)
        ],
    )
    _insert(
        HoursEntry,
        ["engagement_id", "student_id", "date", "hours", "description"],
        [
            (eng_id, student_id, (started + timedelta(days=d)).date(), 2.5, "Work on the draft")
            for d in range(1, 11)
        ],
    )
    _insert(
        Submission,
        ["engagement_id", "author_id", "link", "note", "created_at"],
        [(eng_id, student_id, "https://files.example.com/draft", "First draft", submitted)],
    )
    _insert(
        EngagementEvent,
        ["engagement_id", "from_status", "to_status", "actor_id", "note", "created_at"],
        [
            (eng_id, "", EngStatus.ACTIVE, supervisor_id, "Started", started),
            (eng_id, EngStatus.ACTIVE, EngStatus.SUBMITTED, student_id, "Draft", submitted),
            (
                eng_id,
                EngStatus.SUBMITTED,
                EngStatus.REVISION_REQUESTED,
                supervisor_id,
                "Please tighten the summary.",
                submitted + timedelta(days=1),
            ),
        ],
    )


def _analyze() -> None:
    """Fresh planner statistics (and, outside a transaction, a vacuum so the search
    UPDATE leaves no dead rows behind) for the tables bench data fills."""
    if connection.vendor != "postgresql":
        return
    tables = [
        model._meta.db_table
        for model in (
            Project,
            ProjectSkill,
            User,
            Organization,
            Membership,
            StudentProfile,
            StudentSkill,
            Application,
            Engagement,
            Message,
            Payout,
            SupervisorFeedback,
            InternFeedback,
            Offer,
            OutcomeReport,
        )
    ]
    verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(f"{verb} {', '.join(tables)}")


def wait_for_quiet_database(*, timeout: float = 300.0, poll: float = 1.0) -> float:
    """Before timing pages: flush dirty buffers (CHECKPOINT) and wait, up to
    ``timeout`` seconds, until no autovacuum worker runs. Seeding and the statistics
    task write hundreds of thousands of rows; the autovacuum and checkpoint work they
    set off would otherwise share the 2-core machine with the timed requests. Returns
    the seconds waited (0 off PostgreSQL)."""
    if connection.vendor != "postgresql":
        return 0.0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
        while time.perf_counter() - started < timeout:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
            )
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(poll)
    return round(time.perf_counter() - started, 1)


# ------------------------------------------------------------------------------
# Measuring pages
# ------------------------------------------------------------------------------
@dataclass
class BenchContext:
    """What page URLs may depend on, found after seeding."""

    open_project_id: int | None
    #: the project with APPLICANT_LIST_SIZE applicants and the owner of its organization
    applicant_project_id: int | None = None
    applicant_viewer_email: str | None = None
    #: the bench student's engagement with WORKSPACE_MESSAGES messages
    workspace_engagement_id: int | None = None
    career_officer_email: str = BENCH_OFFICER_EMAIL


@dataclass(frozen=True)
class Page:
    name: str
    url: Callable[[BenchContext], str]
    #: log in as the bench student first (pages a student sees)
    as_student: bool = False
    #: or as this user (the email, from the context): an employer, a career officer
    as_user: Callable[[BenchContext], str | None] | None = None


@dataclass
class Measurement:
    scale: float
    page: str
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    bytes: int | None = None
    floor_ratio: float | None = None
    error: str | None = None
    #: more keys for rows that measure something other than a page ("peak_mb")
    extra: dict = field(default_factory=dict)

    def as_row(self) -> dict:
        row = {
            "scale": self.scale,
            "page": self.page,
            "median_ms": self.median_ms,
            "p95_ms": self.p95_ms,
            "queries": self.queries,
            "bytes": self.bytes,
            "floor_ratio": self.floor_ratio,
        }
        row.update(self.extra)
        if self.error:
            row["error"] = self.error
        return row


def percentile(samples: Iterable[float], pct: float) -> float:
    """Nearest-rank percentile (p95 of 30 samples is the 29th smallest)."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def measure_page(client, url: str, *, scale: float, name: str, requests: int, warmup: int = 3):
    """Time ``requests`` GETs of ``url`` after ``warmup`` untimed ones; count the SQL
    queries of one more. A non-200 answer or an exception is recorded, not raised."""
    result = Measurement(scale=scale, page=name)
    try:
        for _ in range(warmup):
            client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            result.error = f"HTTP {response.status_code}"
            location = response.headers.get("Location")
            if location:
                result.error += f" → {location}"
            return result
        result.queries = len(queries.captured_queries)
        result.bytes = len(response.content)
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
    except Exception as exc:  # noqa: BLE001 — one broken page must not stop the run
        result.error = f"{type(exc).__name__}: {exc}"[:300]
        return result
    result.median_ms = round(statistics.median(timings), 2)
    result.p95_ms = round(percentile(timings, 95), 2)
    return result


def bench_context() -> BenchContext:
    """The newest open bench project (the one at the top of the browse page) and the
    designated pages' objects."""
    project_id = (
        bench_projects()
        .filter(status=Status.OPEN)
        .order_by("-published_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    list_id, workspace_id = bench_designated_projects()
    viewer = engagement_id = None
    if list_id is not None:
        viewer = (
            Membership.objects.filter(
                organization__projects__pk=list_id, role=Membership.Role.OWNER
            )
            .values_list("user__email", flat=True)
            .first()
        )
    if workspace_id is not None:
        engagement_id = (
            Engagement.objects.filter(project_id=workspace_id, student__email=BENCH_STUDENT_EMAIL)
            .values_list("pk", flat=True)
            .first()
        )
    return BenchContext(
        open_project_id=project_id,
        applicant_project_id=list_id,
        applicant_viewer_email=viewer,
        workspace_engagement_id=engagement_id,
    )


def measure_statistics(*, scale: float, trace: bool = False) -> Measurement:
    """One run of the nightly ``compute_statistics`` task over the bench data: its
    duration as median_ms (and p95_ms: one sample) and its SQL query count. With
    ``trace`` the run is watched by tracemalloc and its peak Python memory is reported
    as "peak_mb" (tracing slows Python down, so that run's time is "traced_ms" only).
    Errors are recorded, not raised."""
    import tracemalloc

    from marketplace.tasks import compute_statistics

    result = Measurement(scale=scale, page="stats_task")
    if trace:
        tracemalloc.start()
    try:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            written = compute_statistics.apply().get()
            seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
    except Exception as exc:  # noqa: BLE001 — a failing task must not stop the run
        result.error = f"{type(exc).__name__}: {exc}"[:300]
        return result
    finally:
        if trace:
            tracemalloc.stop()
    ms = round(seconds * 1000, 1)
    result.queries = len(queries.captured_queries)
    result.extra = {"fact_rows": written}
    if trace:
        result.extra.update(
            peak_mb=round(peak / (1024 * 1024), 1),
            traced_ms=ms,
            peak_rss_mb=statistics_peak_rss_mb(),
        )
    else:
        result.median_ms = result.p95_ms = ms
    return result


def statistics_peak_rss_mb() -> float | None:
    """Peak resident memory of one statistics run in a process of its own (what a
    worker needs for it, Django included), from the kernel's account of that process
    alone (``wait4``: the running process's other children do not count). None when it
    could not be measured."""
    import os
    import subprocess
    import sys

    code = "from marketplace.placement import placement_rebuild; placement_rebuild()"
    child = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0 or not usage.ru_maxrss:
        return None
    return round(usage.ru_maxrss / 1024, 1)  # Linux reports kilobytes


def bench_compute_statistics() -> dict[str, float | int]:
    """Time one full rebuild of the placement facts in this process, with its
    peak Python memory. Returns {"seconds", "peak_mib", "rows", "queries"}."""
    import tracemalloc

    from marketplace.placement import placement_rebuild

    tracemalloc.start()
    began = time.perf_counter()
    try:
        with CaptureQueriesContext(connection) as queries:
            rows = placement_rebuild()
        seconds = time.perf_counter() - began
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return {
        "seconds": round(seconds, 3),
        "peak_mib": round(peak / (1024 * 1024), 2),
        "rows": rows,
        "queries": len(queries.captured_queries),
    }
