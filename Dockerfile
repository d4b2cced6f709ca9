# Checkpoint's image, for operators who run containers (docs/operations.md). It is a thin wrapper
# around the same scripts as the loopback stack (scripts/run.sh, scripts/stack.sh), which is the
# tested form: no container runtime runs on the project's machines.
#
#   docker build -t checkpoint .                      # the portal (web, worker, beat, release)
#   docker build -t checkpoint-dev --build-arg REQUIREMENTS=requirements-dev.txt .
#                                                     # plus moto's S3 server and the SMTP sink (compose.yaml)

# --- build: a virtualenv with the locked requirements ------------------------------------------
FROM python:3.11-slim-bookworm AS build
ARG REQUIREMENTS=requirements.txt
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.txt requirements-dev.txt ./
RUN python -m venv /app/.venv \
 && /app/.venv/bin/pip install --require-hashes -r "$REQUIREMENTS"
COPY . .
# The hashed static files, made once in the image (the manifest storage of production settings).
RUN CHECKPOINT_DEMO=1 DEBUG=0 STATIC_ROOT=/app/staticfiles /app/.venv/bin/python manage.py collectstatic --noinput

# --- runtime: no compiler, a user without privileges ---------------------------------------------
FROM python:3.11-slim-bookworm AS runtime
# nginx and openssl for the proxy service (scripts/stack.sh serve-nginx), curl for health checks,
# the PostgreSQL client for manage.py backup and restore (pg_dump, pg_restore).
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx openssl curl postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --user-group --home-dir /app --no-create-home checkpoint
WORKDIR /app
COPY --from=build --chown=checkpoint:checkpoint /app /app
# Written by the portal: the stack's state (nginx), staged uploads, the audit head (a volume).
RUN mkdir -p /app/var/stack /app/var/upload-tmp /audit-head && chown -R checkpoint:checkpoint /app/var /audit-head
USER checkpoint
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=portal.settings \
    STATIC_ROOT=/app/staticfiles \
    BIND_HOST=0.0.0.0
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
CMD ["scripts/run.sh", "web", "8000"]
