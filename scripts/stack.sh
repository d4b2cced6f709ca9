#!/usr/bin/env bash
# The production-shaped stack on one machine, on loopback (docs/operations.md):
#
#   nginx (Debian's, TLS with a self-signed certificate) on https://localhost:$STACK_HTTPS_PORT
#     -> two gunicorn web nodes (127.0.0.1:$STACK_WEB_PORT_A and _B)
#   two Celery workers and one beat; a Redis of its own ($STACK_REDIS_PORT); its own PostgreSQL
#   database ($STACK_DATABASE on the local cluster); moto's S3 server ($STACK_S3_PORT) for the
#   documents, reached through django-storages as S3 would be; an SMTP sink ($STACK_SMTP_PORT).
#
# Production settings (portal.settings, no demo switch, DEBUG off, MFA enforced). Every process
# runs in its own process group; its pid, log and state live under $STACK_DIR.
#
#   scripts/stack.sh up       install what is missing, start everything, wait for /readyz,
#                             print the first coordinator's sign-in link (once)
#   scripts/stack.sh down     stop every process of the stack (the database and files are kept)
#   scripts/stack.sh status   each process, and /readyz of each node and through nginx
#   scripts/stack.sh env      the environment the portal's processes run with (for manage.py)
#   scripts/stack.sh kill NAME  SIGKILL one process group (web-a, web-b, worker-1, ...): for drills
#   scripts/stack.sh start NAME start one process again
#   scripts/stack.sh serve-nginx  nginx alone in the foreground (the proxy of compose.yaml)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

STACK_DIR="${STACK_DIR:-$ROOT/var/stack}"
STACK_HTTPS_PORT="${STACK_HTTPS_PORT:-8443}"
STACK_WEB_PORT_A="${STACK_WEB_PORT_A:-8101}"
STACK_WEB_PORT_B="${STACK_WEB_PORT_B:-8102}"
STACK_REDIS_PORT="${STACK_REDIS_PORT:-6390}"
STACK_S3_PORT="${STACK_S3_PORT:-5055}"
STACK_SMTP_PORT="${STACK_SMTP_PORT:-8025}"
STACK_DATABASE="${STACK_DATABASE:-checkpoint_stack}"
STACK_PG="${STACK_PG:-postgres://postgres@127.0.0.1:5432}"
STACK_BUCKET="${STACK_BUCKET:-checkpoint-documents}"
STACK_COORDINATOR_EMAIL="${STACK_COORDINATOR_EMAIL:-coordinator@checkpoint.example}"
STACK_GUNICORN_WORKERS="${STACK_GUNICORN_WORKERS:-2}"
# Where nginx listens and finds the nodes (compose.yaml: 0.0.0.0, web-a:8000, web-b:8000).
STACK_LISTEN="${STACK_LISTEN:-127.0.0.1}"
STACK_WEB_A="${STACK_WEB_A:-127.0.0.1:$STACK_WEB_PORT_A}"
STACK_WEB_B="${STACK_WEB_B:-127.0.0.1:$STACK_WEB_PORT_B}"
PYTHON="${PYTHON:-python3.11}"
VENV="$ROOT/.venv"
BIN="$VENV/bin"
RUN="$STACK_DIR/run"
LOGS="$STACK_DIR/logs"
PROCESSES=(redis s3 smtp web-a web-b worker-1 worker-2 beat nginx)

say() { printf '%s\n' "stack: $*" >&2; }

# --- installation: what a fresh machine lacks ------------------------------------------------
install() {
  if ! command -v nginx >/dev/null; then
    if [ "$(id -u)" != 0 ]; then say "nginx is missing: run 'apt-get install -y nginx' as root"; exit 1; fi
    say "installing nginx (Debian's package)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx >/dev/null || {
      DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx >/dev/null
    }
  fi
  # nginx from the package may have started its own default site: the stack runs its own.
  for tool in redis-server openssl pg_dump psql; do
    command -v "$tool" >/dev/null || { say "$tool is missing (scripts/ensure-services.sh names the packages)"; exit 1; }
  done
  "$ROOT/scripts/ensure-services.sh" >/dev/null
  make -s -C "$ROOT" dev-deps PYTHON="$PYTHON" >/dev/null
}

# --- configuration -----------------------------------------------------------------------------
secrets_file() {
  # Generated once per stack and kept (sessions and encrypted TOTP secrets survive a restart).
  local file="$STACK_DIR/secrets.env"
  if [ ! -f "$file" ]; then
    mkdir -p "$STACK_DIR"
    umask 077
    {
      echo "SECRET_KEY=$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(64))')"
      echo "MFA_ENCRYPTION_KEY=$("$BIN/python" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
    } >"$file"
  fi
  echo "$file"
}

portal_env() {
  local secrets
  secrets="$(secrets_file)"
  cat "$secrets"
  cat <<EOF
DJANGO_SETTINGS_MODULE=portal.settings
DATABASE_URL=$STACK_PG/$STACK_DATABASE
REDIS_URL=redis://127.0.0.1:$STACK_REDIS_PORT/0
CACHE_KEY_PREFIX=checkpoint-stack
ALLOWED_HOSTS=localhost,127.0.0.1
CSRF_TRUSTED_ORIGINS=https://localhost:$STACK_HTTPS_PORT
SITE_URL=https://localhost:$STACK_HTTPS_PORT
STATIC_ROOT=$STACK_DIR/static
DOCUMENT_STORAGE_BACKEND=s3
DOCUMENT_S3_BUCKET=$STACK_BUCKET
DOCUMENT_S3_ENDPOINT_URL=http://127.0.0.1:$STACK_S3_PORT
DOCUMENT_S3_REGION=us-east-1
DOCUMENT_UPLOAD_TEMP_DIR=$STACK_DIR/upload-tmp
AUDIT_HEAD_PATH=$STACK_DIR/audit-head.json
AWS_ACCESS_KEY_ID=stack-access-key
AWS_SECRET_ACCESS_KEY=stack-secret-key
EMAIL_URL=smtp://127.0.0.1:$STACK_SMTP_PORT
LOG_FORMAT=json
READYZ_BEAT_MAX_AGE_SECONDS=120
EOF
}

load_env() {
  set -a
  # shellcheck disable=SC1090
  source <(portal_env)
  set +a
}

# --- processes -----------------------------------------------------------------------------------
pid_of() { cat "$RUN/$1.pid" 2>/dev/null || true; }
alive() { local pid; pid="$(pid_of "$1")"; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

# Start a command in a process group of its own (setsid), logging to $LOGS/NAME.log.
spawn() {
  local name="$1"; shift
  if alive "$name"; then return; fi
  mkdir -p "$RUN" "$LOGS"
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

command_of() {
  case "$1" in
    redis) echo "redis-server --port $STACK_REDIS_PORT --bind 127.0.0.1 --save '' --appendonly no --dir $STACK_DIR" ;;
    s3) echo "$BIN/moto_server -H 127.0.0.1 -p $STACK_S3_PORT" ;;
    smtp) echo "$BIN/python -u -m aiosmtpd -n -l 127.0.0.1:$STACK_SMTP_PORT" ;;
    # The portal's processes start as in a container (scripts/run.sh), so the two cannot drift.
    web-a) echo "env GUNICORN_WORKERS=$STACK_GUNICORN_WORKERS $ROOT/scripts/run.sh web $STACK_WEB_PORT_A web-a" ;;
    web-b) echo "env GUNICORN_WORKERS=$STACK_GUNICORN_WORKERS $ROOT/scripts/run.sh web $STACK_WEB_PORT_B web-b" ;;
    worker-1 | worker-2) echo "$ROOT/scripts/run.sh worker $1" ;;
    beat) echo "$ROOT/scripts/run.sh beat $STACK_DIR/celerybeat-schedule" ;;
    nginx) echo "nginx -c $STACK_DIR/nginx/nginx.conf -p $STACK_DIR/nginx -g 'daemon off;'" ;;
    *) say "no process named $1 (${PROCESSES[*]})"; exit 2 ;;
  esac
}

start_one() {
  local name="$1"
  # shellcheck disable=SC2046
  eval "spawn $name $(command_of "$name")"
}

wait_for() {  # wait_for WHAT SECONDS COMMAND...
  local what="$1" seconds="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then say "$what did not come up in ${seconds}s (logs in $LOGS)"; return 1; fi
    sleep 0.2
  done
}

ready() {  # ready URL: /readyz answers 200
  curl -fsS --max-time 3 --cacert "$STACK_DIR/tls/cert.pem" "$1" >/dev/null
}

# --- TLS and nginx ---------------------------------------------------------------------------------
certificate() {
  local dir="$STACK_DIR/tls"
  [ -f "$dir/cert.pem" ] && return
  mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
  chmod 600 "$dir/key.pem"
}

nginx_conf() {
  mkdir -p "$STACK_DIR/nginx/logs" "$STACK_DIR/nginx/temp"
  cat >"$STACK_DIR/nginx/nginx.conf" <<EOF
# Written by scripts/stack.sh; a template for a real deployment is in docs/operations.md.
worker_processes 2;
pid $RUN/nginx.master.pid;
error_log $LOGS/nginx-error.log warn;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
events { worker_connections 512; }
http {
  access_log $LOGS/nginx-access.log;
  client_body_temp_path $STACK_DIR/nginx/temp/body;
  proxy_temp_path $STACK_DIR/nginx/temp/proxy;
  fastcgi_temp_path $STACK_DIR/nginx/temp/fastcgi;
  uwsgi_temp_path $STACK_DIR/nginx/temp/uwsgi;
  scgi_temp_path $STACK_DIR/nginx/temp/scgi;
  types { text/html html; }
  server_tokens off;
  # Uploads up to DOCUMENT_MAX_UPLOAD_BYTES (1 GiB) and the multipart around them.
  client_max_body_size 1100m;

  upstream checkpoint_web {
    # A node that refuses a connection is out for 10 s; the request goes to the other.
    server $STACK_WEB_A max_fails=1 fail_timeout=10s;
    server $STACK_WEB_B max_fails=1 fail_timeout=10s;
  }

  server {
    listen $STACK_LISTEN:$STACK_HTTPS_PORT ssl;
    server_name localhost;
    ssl_certificate $STACK_DIR/tls/cert.pem;
    ssl_certificate_key $STACK_DIR/tls/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;

    # A node's readiness answer (503 while the beat's first heartbeat is not in yet, say) is
    # passed on as it is: it must not take the node out of the pool, nor be retried.
    location = /readyz {
      proxy_pass http://checkpoint_web;
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-Proto https;
      proxy_set_header X-Request-ID \$request_id;
      proxy_next_upstream error timeout;
    }

    location / {
      proxy_pass http://checkpoint_web;
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-Proto https;
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_set_header X-Request-ID \$request_id;
      # A request that could not reach a node (refused, reset before it was sent, a 502/503
      # from a node going down) is retried once on the other node. A POST already sent is not
      # (nginx never replays a non-idempotent request a node may have acted on).
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 2;
      proxy_connect_timeout 2s;
      proxy_read_timeout 300s;
      proxy_request_buffering on;
    }
  }
}
EOF
}

# --- the commands -------------------------------------------------------------------------------------
up() {
  SECONDS=0
  install
  say "installed (${SECONDS}s)"
  mkdir -p "$STACK_DIR" "$RUN" "$LOGS" "$STACK_DIR/upload-tmp"
  load_env
  certificate
  nginx_conf

  psql "$STACK_PG/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$STACK_DATABASE'" | grep -q 1 \
    || createdb -h 127.0.0.1 -U postgres "$STACK_DATABASE"

  start_one redis; start_one s3; start_one smtp
  wait_for "Redis" 20 redis-cli -p "$STACK_REDIS_PORT" ping
  wait_for "the S3 server" 30 curl -fsS "http://127.0.0.1:$STACK_S3_PORT/"
  "$BIN/python" - <<'EOF'
import os

import boto3

s3 = boto3.client("s3", endpoint_url=os.environ["DOCUMENT_S3_ENDPOINT_URL"], region_name="us-east-1")
if os.environ["DOCUMENT_S3_BUCKET"] not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
    s3.create_bucket(Bucket=os.environ["DOCUMENT_S3_BUCKET"])
EOF
  # Migrations before new code (docs/operations.md, "Upgrades"), then the static files.
  say "services up (${SECONDS}s)"
  "$ROOT/scripts/run.sh" release >"$LOGS/release.log" 2>&1 || { say "migrate or collectstatic failed: $LOGS/release.log"; exit 1; }
  say "migrated, static files collected (${SECONDS}s)"

  start_one web-a; start_one web-b; start_one worker-1; start_one worker-2; start_one beat; start_one nginx
  wait_for "web node A" 60 ready "http://127.0.0.1:$STACK_WEB_PORT_A/healthz"
  wait_for "web node B" 60 ready "http://127.0.0.1:$STACK_WEB_PORT_B/healthz"
  say "web nodes answer (${SECONDS}s)"
  # Ready once the beat's first heartbeat went through a worker.
  wait_for "the stack (/readyz through nginx)" 90 ready "https://localhost:$STACK_HTTPS_PORT/readyz"

  if [ ! -f "$STACK_DIR/coordinator-created" ]; then
    "$BIN/python" manage.py create_coordinator --email "$STACK_COORDINATOR_EMAIL" --name "First Coordinator" \
      | tee "$STACK_DIR/coordinator-link.txt" && touch "$STACK_DIR/coordinator-created"
  fi
  say "ready (${SECONDS}s)"
  say "up: https://localhost:$STACK_HTTPS_PORT/ (certificate $STACK_DIR/tls/cert.pem; logs in $LOGS)"
}

down() {
  local name pid
  for name in "${PROCESSES[@]}"; do
    pid="$(pid_of "$name")"
    [ -n "$pid" ] || continue
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for name in "${PROCESSES[@]}"; do
    pid="$(pid_of "$name")"
    [ -n "$pid" ] || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$RUN/$name.pid"
  done
  say "down"
}

status() {
  load_env
  local name code=0
  for name in "${PROCESSES[@]}"; do
    if alive "$name"; then printf '%-9s running (pid %s)\n' "$name" "$(pid_of "$name")"; else printf '%-9s stopped\n' "$name"; code=1; fi
  done
  for url in "http://127.0.0.1:$STACK_WEB_PORT_A/readyz" "http://127.0.0.1:$STACK_WEB_PORT_B/readyz" \
    "https://localhost:$STACK_HTTPS_PORT/readyz"; do
    printf '%-40s %s\n' "$url" "$(curl -sS --max-time 5 --cacert "$STACK_DIR/tls/cert.pem" "$url" 2>&1 || true)"
  done
  return $code
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  env) portal_env ;;
  # nginx alone, in the foreground, with the stack's configuration (compose.yaml's proxy).
  serve-nginx) mkdir -p "$RUN" "$LOGS"; certificate; nginx_conf; exec nginx -c "$STACK_DIR/nginx/nginx.conf" -p "$STACK_DIR/nginx" -g 'daemon off;' ;;
  kill) kill -KILL -- "-$(pid_of "$2")"; rm -f "$RUN/$2.pid" ;;
  start) load_env; start_one "$2" ;;
  *) echo "usage: $0 up|down|status|env|kill NAME|start NAME|serve-nginx" >&2; exit 2 ;;
esac
