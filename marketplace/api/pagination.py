"""Cursor pagination for the API's lists.

A cursor is opaque and signed: it carries the sort values of the last item given (a
keyset: the next page is a WHERE on the list's own ORDER BY, so it costs the same on
page 1 and page 500 and never repeats or skips an item when rows are added meanwhile)
and how many items came before the next page (an applicant's rank). For lists that a
selector ranks in Python from a bounded candidate set (a keyword search, best match) it
carries only the position in that list. A cursor from another list, or edited, is a 400.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.core import signing
from django.db.models import Model, Q, QuerySet
from django.utils.dateparse import parse_datetime

from .errors import ApiProblem

T = TypeVar("T")
M = TypeVar("M", bound=Model)

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True)
class Page:
    items: list
    next_cursor: str | None
    start: int  # how many items came before this page


def _salt(kind: str) -> str:
    return f"marketplace.api.cursor:{kind}"


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and "dt" in value:
        return parse_datetime(value["dt"])
    return value


def encode_cursor(kind: str, *, position: int, values: Sequence[Any] = ()) -> str:
    return signing.dumps(
        {"p": position, "v": [_encode_value(v) for v in values]}, salt=_salt(kind), compress=True
    )


def decode_cursor(kind: str, cursor: str | None) -> tuple[int, list[Any] | None]:
    """(position, keyset values or None) of a cursor; (0, None) for the first page."""
    if not cursor:
        return 0, None
    try:
        data = signing.loads(cursor, salt=_salt(kind))
    except signing.BadSignature:
        raise ApiProblem(
            400, "This cursor is not valid for this list.", field="cursor", code="invalid_cursor"
        ) from None
    return int(data["p"]), [_decode_value(v) for v in data["v"]]


def _order_fields(queryset: QuerySet) -> list[tuple[str, bool]]:
    """The queryset's ORDER BY as (field, descending) pairs."""
    order = list(queryset.query.order_by)
    if not order:
        raise ValueError("Keyset pagination needs an ordered queryset.")
    return [(f.removeprefix("-"), f.startswith("-")) for f in order]


def _after(order: list[tuple[str, bool]], values: list[Any]) -> Q:
    """Rows that sort after ``values`` under ``order``: (a after) or (a equal and b
    after) or …"""
    condition = Q()
    for i, (name, descending) in enumerate(order):
        step = Q(**{f"{name}__{'lt' if descending else 'gt'}": values[i]})
        for earlier, value in zip(order[:i], values[:i], strict=True):
            step &= Q(**{earlier[0]: value})
        condition |= step
    return condition


def keyset_page(queryset: QuerySet[M], *, kind: str, cursor: str | None, limit: int) -> Page:
    """One page of an ordered queryset (every ORDER BY column non-null, the last one
    unique, such as the primary key) after ``cursor``."""
    order = _order_fields(queryset)
    position, values = decode_cursor(kind, cursor)
    if values is not None:
        if len(values) != len(order):
            raise ApiProblem(400, "This cursor is not valid for this list.", field="cursor")
        queryset = queryset.filter(_after(order, values))
    rows = list(queryset[: limit + 1])
    items, more = rows[:limit], len(rows) > limit
    next_cursor = None
    if more:
        last = items[-1]
        next_cursor = encode_cursor(
            kind,
            position=position + len(items),
            values=[getattr(last, "pk" if name == "pk" else name) for name, _ in order],
        )
    return Page(items=items, next_cursor=next_cursor, start=position)


def list_page(items: Sequence[T], *, kind: str, cursor: str | None, limit: int) -> Page:
    """One page of a bounded list already in memory (ranked by a selector)."""
    position, _ = decode_cursor(kind, cursor)
    page = list(items[position : position + limit])
    more = position + limit < len(items)
    next_cursor = encode_cursor(kind, position=position + limit) if more else None
    return Page(items=page, next_cursor=next_cursor, start=position)
