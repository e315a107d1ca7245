"""CSV downloads a spreadsheet opens as data, never as formulas: every cell goes through
``csv_safe``. ``csv_download`` streams, so an export of any size is written a batch of
rows at a time instead of being built in memory first."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.http import StreamingHttpResponse

#: A spreadsheet runs a cell beginning with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: Rows are sent in pieces of about this many characters: one write per row would make
#: the server send thousands of tiny chunks.
CHUNK_CHARS = 64 * 1024


def csv_safe(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as text: text beginning with a formula
    character gets a leading apostrophe (OWASP's advice); numbers pass unchanged; None is
    an empty cell; anything else is written as its text, checked the same way."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_chunks(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The header and rows as CSV text, every cell made safe, in pieces of about
    ``CHUNK_CHARS``. Rows are read only as the pieces are asked for."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
        if buffer.tell() >= CHUNK_CHARS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_download(
    *, filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """A streamed CSV attachment named ``filename`` (without ``.csv``)."""
    response = StreamingHttpResponse(
        csv_chunks(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    # Personal data: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response
