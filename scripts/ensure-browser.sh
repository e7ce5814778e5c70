#!/usr/bin/env sh
# Make sure Debian's Chromium is there for the browser tests (Playwright drives it; its own
# browser download cannot be used offline). Installs it with apt-get when run as root;
# otherwise says how, and the browser tests skip (or fail, under CI).
set -eu
for candidate in "${CHROMIUM:-}" /usr/bin/chromium; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then exit 0; fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium for the browser tests (apt-get install chromium)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
else
  echo "Chromium not found: install it (sudo apt-get install chromium) or set CHROMIUM=/path; browser tests will skip." >&2
fi
