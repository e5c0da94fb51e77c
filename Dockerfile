# The portal's image. The same image runs the web server (the default command, gunicorn), the
# Celery worker and Celery beat; docker-compose.yml shows all three.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# Dependencies first, so a code change does not reinstall them. Every file is checked against
# the hashes in the lock (docs/decisions/0004-hashed-lock-file-pip-tools.md). All packages are
# wheels, so no compiler is needed. The lock's header names a local package mirror of the
# machine it was made on; pip ignores it here with a warning.
COPY requirements.lock /tmp/requirements.lock
RUN python -m venv /opt/venv \
    && pip install --require-hashes -r /tmp/requirements.lock \
    && rm /tmp/requirements.lock

RUN groupadd --system --gid 10001 kinerja \
    && useradd --system --uid 10001 --gid kinerja --create-home --home-dir /home/kinerja kinerja

WORKDIR /app
COPY . .

# Static files are collected at build time (whitenoise serves them, compressed, with hashed
# names). Settings refuse to load without SECRET_KEY when DEBUG is off: this one exists only
# for this command and is not in the final environment. MEDIA_ROOT's default in the image is
# /data/media, a volume owned by the app user.
RUN DEBUG=0 SECRET_KEY=build-time-only-collectstatic-not-a-secret \
        python manage.py collectstatic --no-input -v0 \
    && mkdir -p /data/media \
    && chown kinerja:kinerja /data/media

ENV MEDIA_ROOT=/data/media
USER kinerja
EXPOSE 8000

# No HEALTHCHECK here: the worker and beat containers run this image too and serve no HTTP.
# The web service's health check (on /healthz) is in docker-compose.yml.
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--access-logfile", "-"]
