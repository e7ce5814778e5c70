#!/usr/bin/env sh
# Make sure Debian's Chromium is there for the browser tests (Playwright drives it; its own
# browser download cannot be used offline). The tests prefer its headless shell (package
# chromium-headless-shell: the same engine without the browser's windowing layer, about a
# third of the CPU per page load, which is most of the suite's time) and fall back to the
# full browser (readinglist/commands/bench.py, chromium_path). Installs the shell with
# apt-get when run as root; otherwise says how, and the browser tests skip (or fail, under CI).
set -eu
if [ -n "${CHROMIUM:-}" ] && [ -x "${CHROMIUM}" ]; then exit 0; fi
if [ -x /usr/bin/chromium-headless-shell ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium's headless shell for the browser tests (apt-get install chromium-headless-shell)..."
  # A failed index update must not stop a machine that has the full browser already.
  apt-get update -qq || true
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium-headless-shell >/dev/null; then
    exit 0
  fi
  if [ -x /usr/bin/chromium ]; then
    echo "chromium-headless-shell could not be installed: the browser tests use the full Chromium (slower)." >&2
    exit 0
  fi
  echo "Installing Chromium instead (apt-get install chromium)..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
elif [ -x /usr/bin/chromium ]; then
  echo "chromium-headless-shell not found: the browser tests use the full Chromium, about three times slower (sudo apt-get install chromium-headless-shell)." >&2
else
  echo "Chromium not found: install it (sudo apt-get install chromium-headless-shell) or set CHROMIUM=/path; browser tests will skip." >&2
fi
