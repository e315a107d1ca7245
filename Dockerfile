# Production image: gunicorn serving marketplace.wsgi on port 8000 as a non-root user
# (settings in gunicorn.conf.py).
# The same image runs the Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

WORKDIR /app

# Pango: WeasyPrint draws the annual placement report (PDF) with it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so that a code change does not reinstall them. The project has
# no importable package of its own (the apps run from /app), so installing it only
# brings its dependencies; the placeholder README satisfies pyproject's `readme`.
COPY pyproject.toml ./
RUN touch README.md && pip install . && rm -rf build *.egg-info

COPY . .

# Static files are collected at build time with a throwaway key: nothing secret is
# baked into the image, and the real key comes from the environment at run time.
RUN DJANGO_DEBUG=0 \
    DJANGO_SECRET_KEY=build-time-only-dummy-key-not-used-at-runtime-0123456789abcdef \
    python manage.py collectstatic --noinput

RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home app \
    && mkdir -p /app/media \
    && chown -R app:app /app/media

USER app

# Production by default; gunicorn.conf.py refuses to serve with DEBUG on unless
# DJANGO_DEBUG is set explicitly.
ENV DJANGO_DEBUG=0 \
    MEDIA_ROOT=/app/media

EXPOSE 8000

CMD ["gunicorn", "-c", "gunicorn.conf.py", "marketplace.wsgi:application"]
