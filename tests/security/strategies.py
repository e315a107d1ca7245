"""Hypothesis strategies for hostile input: values a browser never sends but anyone with
curl can, and the form data and query strings built from them.

A request is a valid submission with a few of its fields spoilt: each spoilt field gets
a hostile value, no value at all, two values, or a file where text belongs (text where a
file belongs). One bad value among valid ones gets past the form's other checks to the
service and the database behind it, which is where a missing bound turns into a 500; now
and then every field is spoilt. Hypothesis shrinks towards fewer spoilt fields.
"""

from __future__ import annotations

import datetime as dt
import io
import string

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import strategies as st
from PIL import Image

INT32 = 2**31
INT64 = 2**63

LONG_TEXT = st.builds(
    lambda char, n: char * n,
    st.sampled_from(["x", "é", "\u202e", "😀", "a\u0301", "<b>", "' OR 1=1 --", "\u200b"]),
    st.integers(min_value=10_000, max_value=100_000),
)
UNICODE_EDGES = st.sampled_from(
    [
        "\u202eevil\u202c",  # right-to-left override
        "שלום עולם",  # right-to-left script
        "e\u0301\u0301\u0301\u0301\u0301",  # stacked combining marks
        "👩‍👩‍👧‍👦🏳️‍🌈",  # joined emoji
        "\ufeffbom",
        "\u200b\u200c\u200d",  # zero-width
        "İıßﬁ",  # case mapping changes the length
        "𝕳𝖊𝖑𝖑𝖔",  # outside the basic plane
        "\u2028\u2029",  # line and paragraph separators
        "\uffff\ufffe",  # non-characters
        "ｆｕｌｌｗｉｄｔｈ",
    ]
)
# Surrogates cannot be encoded in UTF-8, so no HTTP request can carry them.
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
CONTROL = st.sampled_from(
    [
        "\x00",
        "nul\x00inside",
        "\x01\x02\x03\x1b[31m",
        "\x7f\x08",
        "\r\n\r\nSet-Cookie: x=1",
        "\t\t",
        "\x0b\x0c\x1c\x1d\x1e\x1f",
        "\x85",
    ]
)
NUMBERS = st.one_of(
    st.sampled_from(
        [
            str(INT32 - 1),
            str(INT32),
            str(-INT32),
            str(-INT32 - 1),
            str(INT64 - 1),
            str(INT64),
            str(-INT64),
            str(-INT64 - 1),
            str(2**64),
            "9" * 40,
            "-" + "9" * 40,
            "9" * 5000,  # past Python's int() digit limit
            "1e309",
            "-1e309",
            "1e-400",
            "NaN",
            "nan",
            "Infinity",
            "-Infinity",
            "inf",
            "-0",
            "-1",
            "0",
            "0.5",
            "1,000",
            "0x1F",
            " 42 ",
            "4_2",
            "١٢٣",  # Arabic-Indic digits
            "²",
        ]
    ),
    st.integers().map(str),
    st.floats().map(repr),
)
IDS_PAST_RANGE = st.sampled_from([str(INT64), str(-INT64 - 1), str(2**64), "9" * 40])
DATES = st.sampled_from(
    [
        "0001-01-01",
        "9999-12-31",
        "10000-01-01",
        "0000-00-00",
        "2024-02-30",
        "-0001-01-01",
        "1970-01-01T00:00",
        "9999-12-31T23:59",
        "9999-12-31 23:59:59.999999",
        "2038-01-19",
        "31/12/2025",
        "tomorrow",
    ]
)
URLS = st.sampled_from(
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "http://",
        "//evil.example.com/",
        "https://[::1",
        "https://" + "a" * 300 + ".com/",
        "https://例え.テスト/パス",
        "https://example.com/%00",
        "\\\\evil.example.com",
        "/projects/?next=https://evil.example.com",
    ]
)
HOSTILE = st.one_of(LONG_TEXT, UNICODE_EDGES, CONTROL, NUMBERS, DATES, URLS, ANY_TEXT, st.just(""))
PLAIN_WORDS = st.text(string.ascii_letters + " ", min_size=3, max_size=40).map(
    lambda s: s.strip() or "words"
)

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<<>>\n%%EOF\n"
PDF_WITH_JAVASCRIPT = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>"
    b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def _uploads(*files: tuple[str, bytes, str]):
    # Built on draw: an upload is read once, so each request needs its own.
    return st.sampled_from(files).map(lambda f: upload(*f))


VALID_PDF = _uploads(("resume.pdf", PDF, "application/pdf"))
VALID_IMAGE = st.builds(lambda: upload("logo.png", _png(), "image/png"))
HOSTILE_FILES = _uploads(
    ("empty.pdf", b"", "application/pdf"),
    ("active.pdf", PDF_WITH_JAVASCRIPT, "application/pdf"),
    ("fake.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
    ("image.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "application/pdf"),
    ("x" * 300 + ".pdf", PDF, "application/pdf"),
    ("../../etc/passwd", PDF, "application/pdf"),
    ("nul\x00name.pdf", PDF, "application/pdf"),
    ("résumé\u202efdp.exe", PDF, "application/octet-stream"),
    ("logo.png", b"\x89PNG\r\n\x1a\n truncated", "image/png"),
    ("logo.svg", b"<svg onload='alert(1)'/>", "image/svg+xml"),
)


def _choice_keys(field: forms.ChoiceField) -> list[str]:
    keys = []
    for key, label in field.choices:
        if isinstance(label, list | tuple):  # an optgroup
            keys.extend(str(k) for k, _ in label if k not in ("", None))
        elif key not in ("", None):
            keys.append(str(getattr(key, "value", key)))
    return keys


def _model_pks(field: forms.ModelChoiceField, world_pks: list[int]) -> list[str]:
    pks = [str(pk) for pk in field.queryset.values_list("pk", flat=True)[:5]]
    if not pks:
        # The view narrows the choices when it builds the form; the model's rows are the
        # nearest valid guess.
        pks = [
            str(pk) for pk in field.queryset.model._default_manager.values_list("pk", flat=True)[:5]
        ]
    return pks or [str(pk) for pk in world_pks[:5]]


def valid_value(field: forms.Field, world_pks: list[int]) -> st.SearchStrategy:
    """A value the field accepts on its own (the form as a whole may still refuse it)."""
    today = timezone.localdate()
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", ""])
    if isinstance(field, forms.ModelMultipleChoiceField):
        return st.lists(st.sampled_from(_model_pks(field, world_pks)), min_size=1, max_size=3)
    if isinstance(field, forms.ModelChoiceField):
        return st.sampled_from(_model_pks(field, world_pks))
    if isinstance(field, forms.MultipleChoiceField):
        keys = _choice_keys(field) or [str(pk) for pk in world_pks[:5]]
        return st.lists(st.sampled_from(keys), min_size=1, max_size=3)
    if isinstance(field, forms.ChoiceField):
        keys = _choice_keys(field) or [str(pk) for pk in world_pks[:5]]
        return st.sampled_from(keys)
    if isinstance(field, forms.DateTimeField):
        return st.integers(1, 60).map(
            lambda days: (timezone.localtime() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")
        )
    if isinstance(field, forms.DateField):
        return st.integers(-30, 120).map(lambda days: (today + dt.timedelta(days=days)).isoformat())
    if isinstance(field, forms.IntegerField):  # DecimalField and FloatField too
        low = int(field.min_value) if field.min_value is not None else 0
        high = int(field.max_value) if field.max_value is not None else low + 1000
        return st.integers(max(low, -1000), max(min(high, low + 1000), low)).map(str)
    if isinstance(field, forms.ImageField):
        return VALID_IMAGE
    if isinstance(field, forms.FileField):
        return VALID_PDF
    if isinstance(field, forms.EmailField):
        return st.sampled_from(["someone@example.com", "new.person@state.edu"])
    if isinstance(field, forms.URLField):
        return st.sampled_from(["https://example.com/work", "https://github.com/someone"])
    if isinstance(field, forms.SlugField):
        return st.sampled_from(["acme", "data-science"])
    max_length = getattr(field, "max_length", None) or 200
    return PLAIN_WORDS.map(lambda s: s[:max_length])


def _valid(field: forms.Field | None, world_pks: list[int], hints: list[str] | None):
    if field is not None:
        return valid_value(field, world_pks)
    # A raw key the view reads itself: a value that means something to it, or an id.
    return st.one_of(
        st.sampled_from(hints) if hints else PLAIN_WORDS,
        st.sampled_from([str(pk) for pk in world_pks[:5]] or ["1"]),
    )


def spoilt_value(
    field: forms.Field | None, world_pks: list[int], hints: list[str] | None = None
) -> st.SearchStrategy:
    """A bad value for the field; ``None`` means absent from the request."""
    valid = _valid(field, world_pks, hints)
    if isinstance(field, forms.FileField):
        hostile = HOSTILE_FILES
        wrong_type = st.one_of(HOSTILE, st.lists(HOSTILE, min_size=2, max_size=3))
    elif isinstance(field, forms.ModelChoiceField):
        # A choice of rows is checked by a query on the key column, where an id past
        # the column's range is the input that crashes: among the few examples of the
        # bounded profile it must not be one NUMBERS value in a hundred.
        hostile = st.one_of(IDS_PAST_RANGE, HOSTILE)
        wrong_type = st.one_of(
            st.lists(st.one_of(valid, IDS_PAST_RANGE), min_size=2, max_size=3), VALID_PDF
        )
    else:
        hostile = HOSTILE
        wrong_type = st.one_of(
            st.lists(st.one_of(valid, HOSTILE), min_size=2, max_size=3), VALID_PDF
        )
    return st.one_of(hostile, st.none(), wrong_type)


def _as_query_value(value):
    # A query string carries text only: a drawn file becomes its name.
    if isinstance(value, SimpleUploadedFile):
        return value.name
    if isinstance(value, list):
        return [_as_query_value(v) for v in value]
    return value


@st.composite
def request_data(
    draw,
    fields: dict[str, forms.Field | None],
    world_pks: list[int],
    hints: dict[str, list[str]],
    *,
    query: bool = False,
):
    """A dict for the test client: absent fields are left out."""
    names = sorted(fields)
    how_many = draw(st.sampled_from([0, 1, 1, 1, 2, 2, 3, len(names)]), label="spoilt")
    size = min(how_many, len(names))
    spoilt = set(
        draw(st.lists(st.sampled_from(names), min_size=size, max_size=size, unique=True))
        if names
        else []
    )
    data = {}
    for name in names:
        if name in spoilt:
            value = draw(spoilt_value(fields[name], world_pks, hints.get(name)), label=name)
        else:
            value = draw(_valid(fields[name], world_pks, hints.get(name)), label=name)
        if value is None:
            continue
        data[name] = _as_query_value(value) if query else value
    return data


RAW_QUERY_TAILS = st.sampled_from(
    ["", "&%ff=%fe", "&=x", "&novalue", "&%", "&q=%E0%A4%A", "&page=1&page=2", "&;;&&"]
)
PATH_VALUES = {
    "int": st.sampled_from([str(INT32), str(INT64), str(2**64), "9" * 40, "0"]),
    "str": st.sampled_from(["x" * 5000, "%E2%80%AE", "..", "%20", "%F0%9F%98%80", "%FF%FE"]),
    "slug": st.sampled_from(["a" * 5000, "-", "_", "0"]),
    "uuid": st.sampled_from(
        ["00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"]
    ),
    "path": st.sampled_from(["a/b", "..%2F..%2F"]),
}
