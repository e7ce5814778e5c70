#!/usr/bin/env sh
# Make sure real BibTeX (with plain.bst) is there for tests/test_bibtex.py, which runs it on
# the site's papers.bib. Installs Debian's (or Ubuntu's) texlive-binaries (bibtex) and
# texlive-base (plain.bst) with apt-get when run as root, or with passwordless sudo (GitHub's
# runners); otherwise says how, and that test skips (or fails, under CI).
set -eu
if command -v bibtex >/dev/null 2>&1 && kpsewhich plain.bst >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root="sudo -n"
else
  as_root="none"
fi
if [ "$as_root" != "none" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing BibTeX for the citation tests (apt-get install texlive-binaries texlive-base)..."
  $as_root apt-get update -qq
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends texlive-binaries texlive-base >/dev/null
else
  echo "bibtex not found: install it (sudo apt-get install texlive-binaries texlive-base); the bibtex test will skip." >&2
fi
