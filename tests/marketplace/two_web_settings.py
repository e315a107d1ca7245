"""The production settings for the gunicorn processes of test_two_web_processes.py, but
for the static files: with DEBUG off their storage is the manifest that collectstatic
writes into the image at build time (Dockerfile), and without one no page renders.
Collecting them for a test takes half a minute and tells nothing about sharing state
between processes, so pages here link the plain names."""

from marketplace.settings import *  # noqa: F403
from marketplace.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
