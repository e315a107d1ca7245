"""``{{ value|figure }}`` and ``{{ value|figure:"%" }}``: a dashboard figure as text —
"—" when there is nothing to show, "fewer than 5" when it is suppressed for privacy,
otherwise the number with its unit."""

from __future__ import annotations

from typing import Any

from django import template

from ..dashboards.figures import Suppressed

register = template.Library()


@register.filter
def figure(value: Any, unit: str = "") -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, Suppressed):
        return str(value)
    return f"{value}{unit}"


@register.filter
def is_suppressed(value: Any) -> bool:
    return isinstance(value, Suppressed)


@register.filter
def slice_at(values: list, index: int) -> Any:
    """``values[index]``, or "" past the end (a table's per-row definitions)."""
    try:
        return values[index]
    except (IndexError, TypeError):
        return ""
