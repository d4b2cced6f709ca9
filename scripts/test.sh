#!/usr/bin/env bash
# make test: the whole suite, in TEST_WORKERS processes (pytest-xdist, default 2: this machine's
# cores). Each process takes a test file at a time (--dist loadfile), so a file's module fixtures, its
# servers and its Celery workers stay in one process; each process has its own test database
# (pytest-django names it after the worker) and its own Redis key prefix (portal/test_settings.py).
#
# The API's schemathesis module runs afterwards in one process: its items (one per API operation)
# share one pytest node id, and xdist, which tracks items by node id, would report them as one test.
#
# Arguments go to pytest. Naming a test file, folder or node (make test PYTEST_ARGS=tests/cases)
# runs just that, in one process.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=.venv/bin/pytest
SCHEMA=tests/api/test_schema.py

for arg in "$@"; do
  if [[ "$arg" != -* && -e "${arg%%::*}" ]]; then
    exec "$PYTEST" "$@"
  fi
done

"$PYTEST" -n "${TEST_WORKERS:-2}" --dist loadfile --ignore="$SCHEMA" "$@"
suite=$?
"$PYTEST" "$SCHEMA" "$@"
schema=$?
# 5 is "no test selected": a -k that picks nothing in one of the two runs is not a failure.
[[ $suite == 5 && $schema != 5 ]] && suite=0
[[ $schema == 5 && $suite != 5 ]] && schema=0
if [[ $suite != 0 ]]; then exit "$suite"; fi
exit "$schema"
