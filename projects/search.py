"""Full-text search over projects. Callers never know which engine runs.

PostgreSQL: a weighted ``search_vector`` column (title A, skills B, summary C,
description D) with a GIN index, ranked by ``SearchRank``. SQLite: a plain
case-insensitive containment match on the same fields.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection


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
