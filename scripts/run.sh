#!/usr/bin/env bash
# One process of a deployment, as scripts/stack.sh, the Dockerfile and compose.yaml start it, so
# that the three cannot drift (docs/operations.md). The environment is the portal's (README,
# "Settings"); BIND_HOST is where a web node listens (127.0.0.1 on the stack, 0.0.0.0 in a container).
#
#   scripts/run.sh release            migrate, then collectstatic (before new code serves)
#   scripts/run.sh web PORT [NAME]    a gunicorn node
#   scripts/run.sh worker NAME        a Celery worker
#   scripts/run.sh beat SCHEDULE_FILE the Celery beat (one per deployment)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
BIN="${VENV_BIN:-$ROOT/.venv/bin}"

case "${1:-}" in
  release)
    "$BIN/python" manage.py migrate --noinput
    exec "$BIN/python" manage.py collectstatic --noinput
    ;;
  web)
    exec "$BIN/gunicorn" portal.wsgi --bind "${BIND_HOST:-127.0.0.1}:$2" --workers "${GUNICORN_WORKERS:-2}" \
      --graceful-timeout 10 --access-logfile - --name "checkpoint-${3:-web}"
    ;;
  worker)
    exec "$BIN/celery" -A portal worker --concurrency "${CELERY_CONCURRENCY:-2}" --hostname "$2@%h" --loglevel INFO
    ;;
  beat)
    exec "$BIN/celery" -A portal beat --loglevel INFO --schedule "$2" --pidfile=
    ;;
  *)
    echo "usage: $0 release | web PORT [NAME] | worker NAME | beat SCHEDULE_FILE" >&2
    exit 2
    ;;
esac
