"""draft_bullets: a pure function, checked case by case (no database)."""

import pytest

from matching.bullets import CATEGORY_VERBS, MAX_CHARS, draft_bullets

BASE = {
    "project_title": "Newsletter growth sprint",
    "category": "marketing",
    "deliverables": ["Email sequence", "A/B test plan"],
    "outcomes": [],
    "skills": [],
    "hours": None,
    "organization": "Acme Labs",
}


def bullets(**overrides) -> list[str]:
    return draft_bullets(**{**BASE, **overrides})


# (case id, overrides, expected bullets exactly)
CASES = [
    (
        "deliverables only: main line + delivery line",
        {},
        [
            "Created email sequence and A/B test plan on “Newsletter growth sprint” for Acme Labs.",
            "Delivered the work to a fixed scope and deadline; it was reviewed and approved by "
            "Acme Labs.",
        ],
    ),
    (
        "hours are rounded and pluralised",
        {"hours": 12.5},
        [
            "Created email sequence and A/B test plan on “Newsletter growth sprint” for Acme "
            "Labs in 12.5 hours.",
            "Delivered the work to a fixed scope and deadline; it was reviewed and approved by "
            "Acme Labs.",
        ],
    ),
    (
        "two outcomes take both slots and carry one skill each",
        {
            "outcomes": ["Grew click-through from 2.1% to 3.4%", "20% more sign-ups in a month."],
            "skills": ["Copywriting", "Email marketing", "Canva"],
        },
        [
            "Created email sequence and A/B test plan on “Newsletter growth sprint” for Acme Labs.",
            "Grew click-through from 2.1% to 3.4%, using Copywriting.",
            "Achieved 20% more sign-ups in a month, using Email marketing.",
        ],
    ),
    (
        "one outcome leaves a slot for the endorsed skills",
        {"outcomes": ["cut reporting time by 3 hours a week"], "skills": ["Excel", "SQL"]},
        [
            "Created email sequence and A/B test plan on “Newsletter growth sprint” for Acme Labs.",
            "Cut reporting time by 3 hours a week.",
            "Demonstrated Excel and SQL, endorsed by the supervisor at Acme Labs.",
        ],
    ),
    (
        "no deliverables: the title is the object, the category its kind",
        {"deliverables": [], "category": "research", "skills": ["Interviewing"]},
        [
            "Completed “Newsletter growth sprint”, a research project, for Acme Labs.",
            "Demonstrated Interviewing, endorsed by the supervisor at Acme Labs.",
        ],
    ),
    (
        "acronyms and capitalised words keep their case",
        {"deliverables": ["SQL queries", "iOS prototype"], "category": "software"},
        [
            "Built SQL queries and iOS prototype on “Newsletter growth sprint” for Acme Labs.",
            "Delivered the work to a fixed scope and deadline; it was reviewed and approved by "
            "Acme Labs.",
        ],
    ),
    (
        "nothing at all still gives two sensible lines",
        {"project_title": "", "category": "", "deliverables": [], "organization": "  "},
        [
            "Completed a fixed-scope project for the organization.",
            "Delivered the work to a fixed scope and deadline; it was reviewed and approved by "
            "the organization.",
        ],
    ),
    (
        "blank and duplicate inputs are ignored",
        {
            "deliverables": ["Email sequence", " email   sequence ", "", "   "],
            "outcomes": ["", "  "],
            "skills": ["SEO", "seo", ""],
            "hours": 1,
        },
        [
            "Created email sequence on “Newsletter growth sprint” for Acme Labs in 1 hour.",
            "Demonstrated SEO, endorsed by the supervisor at Acme Labs.",
        ],
    ),
    (
        "zero or negative hours are left out",
        {"hours": 0, "deliverables": ["Report"]},
        [
            "Created report on “Newsletter growth sprint” for Acme Labs.",
            "Delivered the work to a fixed scope and deadline; it was reviewed and approved by "
            "Acme Labs.",
        ],
    ),
]


@pytest.mark.parametrize(
    ("overrides", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_draft_bullets_cases(overrides, expected):
    assert bullets(**overrides) == expected


@pytest.mark.parametrize(
    ("category", "verb"),
    [
        ("marketing", "Created"),
        ("data", "Analyzed data and built"),
        ("software", "Built"),
        ("design", "Designed"),
        ("writing", "Wrote"),
        ("research", "Researched and compiled"),
        ("finance", "Prepared"),
        ("product", "Defined"),
        ("unknown-category", "Delivered"),
        ("DESIGN", "Designed"),
    ],
)
def test_verb_follows_the_category(category, verb):
    assert bullets(category=category)[0].startswith(verb + " ")


def test_every_category_of_the_project_model_has_a_verb():
    from projects.models import Project

    assert set(Project.Category.values) <= set(CATEGORY_VERBS)


def test_deterministic():
    kwargs = {**BASE, "outcomes": ["Grew sign-ups by 40%"], "skills": ["SEO"], "hours": 7}
    assert draft_bullets(**kwargs) == draft_bullets(**kwargs)


def test_at_most_three_bullets_even_with_many_outcomes():
    result = bullets(outcomes=[f"Outcome number {i}" for i in range(5)], skills=["A", "B"])
    assert len(result) == 3
    assert "Outcome number 2" not in " ".join(result)


@pytest.mark.parametrize("field", ["project_title", "organization"])
def test_long_input_is_cut_at_a_word_boundary(field):
    long_text = " ".join(["extraordinarily"] * 60)
    result = bullets(**{field: long_text}, outcomes=[long_text], skills=[long_text])
    assert result
    for bullet in result:
        assert 0 < len(bullet) <= MAX_CHARS
        if len(bullet) == MAX_CHARS or bullet.endswith("…"):
            assert bullet.endswith("…")
            assert not bullet[:-1].endswith(" ")


def test_no_empty_or_duplicate_bullets():
    result = bullets(outcomes=["Same", "same"], skills=[])
    assert all(b.strip() for b in result)
    assert len({b.casefold() for b in result}) == len(result)
