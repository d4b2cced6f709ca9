#!/usr/bin/env bash
# make lint: the locked dependencies against the known vulnerabilities (pip-audit, PyPI's
# advisory service). A vulnerability fails; a service that cannot be reached (no network, a
# closed mirror) is said plainly and does not fail, since nothing was checked.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${VENV_BIN:-$ROOT/.venv/bin}"
output="$("$BIN/pip-audit" --requirement "$ROOT/requirements-dev.txt" --require-hashes --disable-pip --progress-spinner off --timeout 15 2>&1)"
status=$?
if [ $status -eq 0 ]; then
  echo "pip-audit: no known vulnerability in requirements-dev.txt"
  exit 0
fi
if grep -qiE "connection|timed out|timeout|resolve|unreachable|network|proxy|SSLError|Max retries" <<<"$output" \
  && ! grep -qE "Found [0-9]+ known vulnerabilit" <<<"$output"; then
  echo "pip-audit: the vulnerability service could not be reached, so the dependencies were NOT audited:"
  tail -n 3 <<<"$output" | sed 's/^/  /'
  exit 0
fi
echo "$output"
exit $status
