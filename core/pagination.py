"""Pagination for long lists without an exact COUNT(*).

An exact count of every open project is a full index scan that grows with the table;
browse must not grow with the data. So
``CappedPaginator`` counts at most ``cap + 1`` rows (``SELECT COUNT(*) FROM (… LIMIT
1001)``, which stops early on the ordering index) and shows "1,000+ projects" past the
cap. Pages stop at the cap: nobody pages through 50 pages of results, and the filters
are the way to narrow them down.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

DEFAULT_CAP = 1000


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, cap: int = DEFAULT_CAP, **kwargs) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def raw_count(self) -> int:
        """How many objects, but never more than ``cap + 1``."""
        object_list = self.object_list
        if isinstance(object_list, QuerySet):
            # Counting needs neither the order nor the annotations (e.g. a search rank).
            object_list = object_list.order_by().values("pk")
        object_list = object_list[: self.cap + 1]
        counter = getattr(object_list, "count", None)
        if callable(counter):
            try:
                return counter()
            except TypeError:  # a list's count() needs an argument
                pass
        return len(object_list)

    @property
    def is_capped(self) -> bool:
        return self.raw_count > self.cap

    @cached_property
    def count(self) -> int:
        """The number of reachable objects (at most ``cap``); see ``is_capped``."""
        return min(self.raw_count, self.cap)

    @property
    def count_display(self) -> str:
        return f"{self.cap:,}+" if self.is_capped else f"{self.count:,}"
