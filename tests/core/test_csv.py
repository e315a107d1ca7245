"""core.csv: cells a spreadsheet shows as text, and CSV that streams in pieces."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from core.csv import CHUNK_CHARS, csv_chunks, csv_download, csv_safe


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (date(2025, 1, 2), "2025-01-02"),
    ],
)
def test_csv_safe_turns_formulas_into_text(value, expected):
    assert csv_safe(value) == expected


@pytest.mark.parametrize("number", [-5, 0, 3, 2.5, Decimal("-1.25"), True])
def test_numbers_pass_unchanged(number):
    assert csv_safe(number) is number


def test_any_object_is_checked_by_its_text():
    class Figure:
        def __str__(self) -> str:
            return "-fewer than 5"

    assert csv_safe(Figure()) == "'-fewer than 5"


def test_chunks_join_into_the_whole_file_and_split_large_ones():
    rows = [[i, "x" * 100, "=1+1"] for i in range(2000)]
    chunks = list(csv_chunks(["n", "text", "formula"], iter(rows)))
    assert len(chunks) > 1
    assert all(len(chunk) < CHUNK_CHARS + 200 for chunk in chunks)
    parsed = list(csv.reader(io.StringIO("".join(chunks), newline="")))
    assert parsed[0] == ["n", "text", "formula"]
    assert parsed[1:] == [[str(i), "x" * 100, "'=1+1"] for i in range(2000)]


def test_rows_are_read_only_as_the_download_is_sent():
    read = []

    def rows():
        for i in range(3):
            read.append(i)
            yield [i]

    response = csv_download(filename="numbers", header=["n"], rows=rows())
    assert read == []
    assert response["Content-Disposition"] == 'attachment; filename="numbers.csv"'
    assert b"".join(response.streaming_content) == b"n\r\n0\r\n1\r\n2\r\n"
    assert read == [0, 1, 2]
