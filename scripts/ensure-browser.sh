#!/usr/bin/env bash
# Make sure the browser tests (tests/browser, Playwright) have Debian's chromium at /usr/bin/chromium.
# Playwright's own download (`playwright install`) is not used: the tests launch this chromium.
# Installs it with apt-get when it is missing and we are root; otherwise says exactly what is missing.
set -u

CHROMIUM=/usr/bin/chromium

chromium_works() { [ -x "$CHROMIUM" ] && "$CHROMIUM" --headless --no-sandbox --version >/dev/null 2>&1; }

if ! chromium_works; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing chromium (the browser tests drive it) ..."
    if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }; then
      echo "make test needs chromium at $CHROMIUM for the browser tests, and 'apt-get install -y chromium' failed (see above)." >&2
      exit 1
    fi
  fi
fi

if ! chromium_works; then
  echo "make test needs chromium at $CHROMIUM for the browser tests (tests/browser), and it is missing or does not start." >&2
  if [ "$(id -u)" != "0" ]; then
    echo "  Install it as root:  sudo apt-get update && sudo apt-get install -y chromium" >&2
  else
    echo "  This system has no apt-get: install chromium so that $CHROMIUM runs, then run make test again." >&2
  fi
  echo "  Or run the other tests without it:  make test PYTEST_ARGS='-m \"not browser\"'" >&2
  exit 1
fi

if ! .venv/bin/python -c "import playwright, pytest_playwright" 2>/dev/null; then
  echo "The browser tests need playwright and pytest-playwright in .venv: run make dev-deps (make test does)." >&2
  exit 1
fi
echo "Chromium is installed: $("$CHROMIUM" --headless --no-sandbox --version 2>/dev/null)."
