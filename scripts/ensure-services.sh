#!/usr/bin/env bash
# Make sure the test suite's PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer.
# Starts them where they are installed but stopped; otherwise says exactly what is missing.
set -u

PG_HOST=127.0.0.1 PG_PORT=5432 REDIS_PORT=6379
missing=()

pg_up() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null || (exec 3<>/dev/tcp/$PG_HOST/$PG_PORT) 2>/dev/null; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }

if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ] && [ -n "$(ls /etc/postgresql 2>/dev/null)" ]; then
    version=$(ls /etc/postgresql | sort -V | tail -1)
    echo "Starting PostgreSQL $version ..."
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  fi
  pg_up || missing+=("PostgreSQL on $PG_HOST:$PG_PORT (install it with 'apt-get install postgresql', allow local trust or set DATABASE_URL, then run make test again)")
fi

if ! redis_up; then
  if command -v redis-server >/dev/null; then
    echo "Starting Redis ..."
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >/dev/null
    for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
  fi
  redis_up || missing+=("Redis on 127.0.0.1:$REDIS_PORT (install it with 'apt-get install redis-server', then run make test again)")
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "make test needs these services, and could not start them:" >&2
  for m in "${missing[@]}"; do echo "  - $m" >&2; done
  exit 1
fi
echo "PostgreSQL and Redis are up."
