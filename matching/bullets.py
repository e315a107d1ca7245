"""Résumé bullets drafted from a completed engagement.

A pure function: the same input always gives the same bullets, nothing is read from the
database. Each bullet follows the usual résumé shape — action verb + what + measurable
result + skill — and the student edits and approves them before anyone else sees them.

    1. what was made:   "<Verb> <deliverables> on “<title>” for <organization> in N hours."
    2. results:         each quantified outcome (up to two), with an endorsed skill
    3. skills:          "Demonstrated <skills>, endorsed by the supervisor at <organization>."
                        (when an outcome slot is left), or a closing line about the delivery
"""

from __future__ import annotations

import re

MAX_BULLETS = 3
MAX_CHARS = 300
MAX_DELIVERABLES = 3
MAX_SKILLS = 4

# One verb per project category, chosen to read well before a list of deliverables
# ("Designed a landing page mock-up") or a quoted project title.
CATEGORY_VERBS: dict[str, str] = {
    "marketing": "Created",
    "data": "Analyzed data and built",
    "software": "Built",
    "design": "Designed",
    "writing": "Wrote",
    "research": "Researched and compiled",
    "finance": "Prepared",
    "operations": "Documented and improved",
    "sales": "Developed",
    "people": "Prepared",
    "product": "Defined",
}
DEFAULT_VERB = "Delivered"
# Without deliverables the title is the object: "Completed “X”, a research project, …".
CATEGORY_NOUNS: dict[str, str] = {
    "marketing": "marketing",
    "data": "data-analysis",
    "software": "software",
    "design": "design",
    "writing": "writing",
    "research": "research",
    "finance": "finance",
    "operations": "operations",
    "sales": "sales",
    "people": "HR",
    "product": "product",
}
# Outcomes that open with a number read better with a verb in front: "Achieved 20% …".
_NUMERIC_START = re.compile(r"^[\d$€£¥%+\-~≈]")
_SPACES = re.compile(r"\s+")


def draft_bullets(
    *,
    project_title: str,
    category: str,
    deliverables: list[str],
    outcomes: list[str],
    skills: list[str],
    hours: float | None,
    organization: str,
) -> list[str]:
    """Two or three résumé bullets (never empty, never duplicated, ≤ 300 characters)."""
    title = _clean(project_title)
    organization = _clean(organization) or "the organization"
    made = _unique([_lower_first(d) for d in deliverables if _clean(d)])[:MAX_DELIVERABLES]
    results = _unique([_clean(o).rstrip(".;,") for o in outcomes if _clean(o).rstrip(".;,")])
    skill_names = _unique([_clean(s) for s in skills if _clean(s)])

    bullets = [_main_bullet(category, title, made, organization, hours)]

    spare = MAX_BULLETS - 1
    result_slots = results[:spare]
    skills_get_own_bullet = bool(skill_names) and len(result_slots) < spare
    for index, result in enumerate(result_slots):
        skill = None if skills_get_own_bullet or index >= len(skill_names) else skill_names[index]
        bullets.append(_result_bullet(result, skill))
    if skills_get_own_bullet:
        bullets.append(
            f"Demonstrated {_join(skill_names[:MAX_SKILLS])}, endorsed by the supervisor "
            f"at {organization}."
        )
    if len(bullets) < 2:
        bullets.append(
            f"Delivered the work to a fixed scope and deadline; it was reviewed and "
            f"approved by {organization}."
        )
    return _unique([_fit(b) for b in bullets if b.strip()])


# ------------------------------------------------------------------------------
# The pieces
# ------------------------------------------------------------------------------
def _main_bullet(
    category: str, title: str, made: list[str], organization: str, hours: float | None
) -> str:
    key = (category or "").strip().lower()
    if made:
        text = f"{CATEGORY_VERBS.get(key, DEFAULT_VERB)} {_join(made)}"
        if title:
            text += f" on “{title}”"
        text += f" for {organization}"
    else:
        noun = CATEGORY_NOUNS.get(key)
        kind = f"a {noun} project" if noun else "a fixed-scope project"
        text = (
            f"Completed “{title}”, {kind}, for {organization}"
            if title
            else (f"Completed {kind} for {organization}")
        )
    hours_text = _hours(hours)
    if hours_text:
        text += f" in {hours_text}"
    return text + "."


def _result_bullet(result: str, skill: str | None) -> str:
    text = f"Achieved {result}" if _NUMERIC_START.match(result) else _upper_first(result)
    if skill:
        text += f", using {skill}"
    return text + "."


def _hours(hours: float | None) -> str:
    if hours is None:
        return ""
    try:
        value = float(hours)
    except (TypeError, ValueError):
        return ""
    if value <= 0:
        return ""
    rounded = round(value, 1)
    number = f"{rounded:g}" if rounded != int(rounded) else str(int(rounded))
    return f"{number} hour" if number == "1" else f"{number} hours"


# ------------------------------------------------------------------------------
# Text helpers
# ------------------------------------------------------------------------------
def _clean(value: str | None) -> str:
    return _SPACES.sub(" ", str(value or "")).strip()


def _lower_first(value: str) -> str:
    """ "Interview notes" → "interview notes", but "SQL queries" and "iOS app" stay."""
    text = _clean(value).rstrip(".;,")
    if not text:
        return text
    first = text.split(" ", 1)[0]
    if len(first) > 1 and (first[1:] != first[1:].lower() or first.isupper()):
        return text
    return text[0].lower() + text[1:]


def _upper_first(value: str) -> str:
    return value[:1].upper() + value[1:]


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    unique = []
    for item in items:
        key = item.casefold()
        if item and key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def _fit(text: str) -> str:
    """At most MAX_CHARS characters, cut at a word boundary with an ellipsis."""
    text = _clean(text)
    if len(text) <= MAX_CHARS:
        return text
    cut = text[: MAX_CHARS - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:") + "…"
