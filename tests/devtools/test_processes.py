"""What tools and tests use to start servers of their own."""

from __future__ import annotations

import socket

import dj_database_url

from devtools.processes import database_url, free_port


def test_a_free_port_can_be_bound():
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
        assert sock.getsockname()[1] == port


def test_the_database_url_reads_back_as_the_same_settings():
    settings = {"USER": "app user", "PASSWORD": "p@ss/w:rd", "HOST": "db.internal",
                "PORT": 6543, "NAME": "internly"}  # fmt: skip
    parsed = dj_database_url.parse(database_url(settings))
    assert {key: parsed[key] for key in settings} == settings


def test_the_database_url_fills_in_the_local_defaults():
    settings = {"USER": "", "PASSWORD": "", "HOST": "", "PORT": "", "NAME": "internly"}
    assert database_url(settings) == "postgres://postgres@127.0.0.1:5432/internly"
