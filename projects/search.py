"""Full-text search over projects. Callers never know which engine runs.

PostgreSQL: a weighted ``search_vector`` column (title A, skills B, summary C,
description D) with a GIN index, ranked by ``SearchRank``. SQLite: a plain
case-insensitive containment match on the same fields.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, Exists, F, FloatField, OuterRef, Q, QuerySet, Value, When

SEARCH_CONFIG = "english"
MAX_QUERY_LENGTH = 200


def refresh_search_vector(*, project_ids: Iterable[int]) -> None:
    """Recompute the search column of these projects (after create, edit or a skill
    change). One UPDATE for all of them; nothing on SQLite."""
    ids = list(project_ids)
    if not ids or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE projects_project AS p SET search_vector =
                setweight(to_tsvector('english', coalesce(p.title, '')), 'A') ||
                setweight(to_tsvector('english', coalesce((
                    SELECT string_agg(s.name, ' ')
                    FROM projects_projectskill ps JOIN accounts_skill s ON s.id = ps.skill_id
                    WHERE ps.project_id = p.id), '')), 'B') ||
                setweight(to_tsvector('english', coalesce(p.summary, '')), 'C') ||
                setweight(to_tsvector('english', coalesce(p.description, '')), 'D')
            WHERE p.id = ANY(%s)
            """,
            [ids],
        )


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def project_search(qs: QuerySet, q: str) -> QuerySet:
    """Keep the projects of ``qs`` that match the keywords ``q`` and annotate ``rank``
    (higher is better) so callers can sort by relevance whatever the engine.

    PostgreSQL: ``websearch_to_tsquery`` against the GIN-indexed ``search_vector``
    (quoted phrases, ``or``, ``-word`` work), ranked by ``ts_rank`` whose default
    weights (A 1.0, B 0.4, C 0.2, D 0.1) make title > skills > summary > description.
    SQLite: every word must appear (case-insensitive) in the title, summary,
    description or a skill name; rank is a coarse "where did it hit" score in the same
    order, so the relevance sort behaves alike in development.
    """
    q = (q or "").strip()[:MAX_QUERY_LENGTH]
    if not q:
        return qs
    if is_postgres():
        query = SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
        return qs.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))

    from .models import ProjectSkill

    words = q.replace('"', " ").split()[:10]
    for word in words:
        skill_hit = ProjectSkill.objects.filter(project=OuterRef("pk"), skill__name__icontains=word)
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(description__icontains=word)
            | Q(Exists(skill_hit))
        )
    first = words[0] if words else q
    return qs.annotate(
        rank=Case(
            When(title__icontains=first, then=Value(1.0)),
            When(
                Exists(
                    ProjectSkill.objects.filter(
                        project=OuterRef("pk"), skill__name__icontains=first
                    )
                ),
                then=Value(0.4),
            ),
            When(summary__icontains=first, then=Value(0.2)),
            default=Value(0.1),
            output_field=FloatField(),
        )
    )
