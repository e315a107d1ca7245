"""The skill taxonomy as plain data, kept in each process until it changes.

Skills are read on nearly every discovery page (the browse filter's options, skill
names on a project page) and change only in the admin or a data migration. Each process
keeps one copy; a version number in the shared cache says when it is out of date. Saving
or deleting a skill or a category bumps the version (``skill_taxonomy_changed``, wired
in ``accounts.apps``), so every process reloads on its next request. A cleared cache
also forces a reload: a process's copy is only trusted while the version it was read
under is still the current one.

The skill picker's search (``skill_search_options``) reads this copy too, so a keystroke
costs no query while the taxonomy is unchanged.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.core.cache import cache

from ..models import Skill

VERSION_KEY = "accounts:skill-taxonomy:version"
SKILL_SEARCH_LIMIT = 20


@dataclass
class SkillTaxonomy:
    """Every skill as ``(pk, name, category name)``, ordered by category then name."""

    version: str
    rows: tuple[tuple[int, str, str], ...]
    names: dict[int, str] = field(init=False)
    #: what callers derive from this taxonomy once per version (e.g. the browse filter's
    #: grouped choices), kept with it so it is thrown away with it
    derived: dict = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.names = {pk: name for pk, name, _ in self.rows}


_current: SkillTaxonomy | None = None


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        # add, not set: when several processes find no version at once, one wins and
        # all read the winner's.
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def skill_taxonomy() -> SkillTaxonomy:
    """The current taxonomy: no query while this process's copy is current (one cache
    read to check), one query after a change."""
    global _current
    version = _version()
    taxonomy = _current
    if taxonomy is None or taxonomy.version != version:
        rows = tuple(
            Skill.objects.order_by("category__name", "name").values_list(
                "pk", "name", "category__name"
            )
        )
        taxonomy = _current = SkillTaxonomy(version=version, rows=rows)
    return taxonomy


def skill_taxonomy_changed(**kwargs) -> None:
    """Receiver for post_save/post_delete of Skill and SkillCategory: every process
    reloads the taxonomy on its next read."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


@dataclass(frozen=True)
class SkillOption:
    pk: int
    name: str
    category: str


def skill_search_options(
    *, query: str, exclude: frozenset[int] = frozenset(), limit: int = SKILL_SEARCH_LIMIT
) -> list[SkillOption]:
    """Up to ``limit`` skills, not in ``exclude``, whose name contains ``query`` (any
    case): names that start with it first, then names with a word that starts with it,
    then the rest; alphabetical within each. An empty query lists the first skills by
    name, for a person who opens the list to browse."""
    needle = " ".join(query.split()).casefold()
    ranked: list[tuple[int, str, SkillOption]] = []
    for pk, name, category in skill_taxonomy().rows:
        if pk in exclude:
            continue
        folded = name.casefold()
        if not needle or folded.startswith(needle):
            rank = 0
        elif f" {needle}" in f" {folded}".replace("(", " ").replace("/", " "):
            rank = 1
        elif needle in folded:
            rank = 2
        else:
            continue
        ranked.append((rank, folded, SkillOption(pk=pk, name=name, category=category)))
    ranked.sort(key=lambda item: item[:2])
    return [option for _, _, option in ranked[:limit]]
