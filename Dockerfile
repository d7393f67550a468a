# syntax=docker/dockerfile:1
# Comradarr in one container: `manage.py serve` runs gunicorn, the django-q2
# cluster and (without DATABASE_URL) the embedded PostgreSQL in /data.

# The base image, pinned by digest so every build starts from the same bytes
# (python:3.11.15-slim-bookworm, its multi-arch index digest). To move to a
# newer release, read the digest the tag points to now (the "Digest:" line):
#   docker buildx imagetools inspect python:3.11-slim-bookworm
#   (or: skopeo inspect --format '{{.Digest}}' docker://docker.io/library/python:3.11-slim-bookworm)
# then replace the tag and the digest below together, naming the exact release
# (docker run --rm python:3.11-slim-bookworm@sha256:<digest> python -V).
ARG PYTHON_IMAGE=python:3.11.15-slim-bookworm@sha256:d29f48a31a8b408ed19272ca1e7b10ebae13b240a27e862d3d4217c528e2e0c3

# ---- build: the dependencies in a virtual environment ----------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Only the lock file: this layer is rebuilt when the pins change, not on every
# code change. Every package is checked against the lock's hashes (the same
# pins as `make run` and `make test`). The pip cache survives between builds.
# Nothing at run time needs setuptools: the copy `venv` seeds (an old one,
# with known CVEs) goes.
COPY requirements.lock ./
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install --require-hashes -r requirements.lock \
 && pip uninstall --yes setuptools

# ---- runtime ----------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    COMRADARR_DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=3000 \
    BASE_URL=/ \
    XDG_RUNTIME_DIR=/tmp

# A fixed uid/gid, so a bind-mounted /data can be chowned to match (1000:1000).
# The base image's own setuptools and wheel (unused, and setuptools with known
# CVEs in older tags) are removed; a base without pip (Debian's python3) has none.
RUN if python -m pip --version >/dev/null 2>&1; then \
        python -m pip uninstall --yes --disable-pip-version-check setuptools wheel; \
    fi \
 && groupadd --system --gid 1000 comradarr \
 && useradd --system --uid 1000 --gid comradarr --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin comradarr \
 && mkdir -p /data \
 && chown comradarr:comradarr /data

COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# The code belongs to root: the app user can read it, not change it.
COPY . .

# Static files are collected into /app/staticfiles at build time. The dummy
# SECRET_KEY and data directory keep the build from writing a real key into
# the image.
RUN SECRET_KEY=collectstatic-only-not-used-at-run-time-0123456789 \
    COMRADARR_DATA_DIR=/tmp/build-data \
    python manage.py collectstatic --noinput --verbosity 0 \
 && rm -rf /tmp/build-data

USER comradarr
VOLUME /data
EXPOSE 3000

# No curl in the slim image: Python asks /health (200 healthy or degraded, 503 when the database is down).
HEALTHCHECK --interval=30s --timeout=10s --start-period=90s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; base = '/' + os.environ.get('BASE_URL', '/').strip('/'); base = base.rstrip('/') + '/'; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('PORT', '3000')}{base}health\", timeout=8)"]

# serve forwards SIGTERM to gunicorn and the workers, waits for the task in
# hand (up to 30 s) and stops the embedded database: give it time to do so
# (docker stop -t 45, or stop_grace_period in compose).
STOPSIGNAL SIGTERM
CMD ["python", "manage.py", "serve"]
