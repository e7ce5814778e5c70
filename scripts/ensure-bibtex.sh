#!/usr/bin/env sh
# Make sure real BibTeX (with plain.bst) is there for tests/test_bibtex.py, which runs it on
# the site's papers.bib. Installs Debian's texlive-binaries (bibtex) and texlive-base
# (plain.bst) with apt-get when run as root; otherwise says how, and that test skips (or
# fails, under CI).
set -eu
if command -v bibtex >/dev/null 2>&1 && kpsewhich plain.bst >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing BibTeX for the citation tests (apt-get install texlive-binaries texlive-base)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends texlive-binaries texlive-base >/dev/null
else
  echo "bibtex not found: install it (sudo apt-get install texlive-binaries texlive-base); the bibtex test will skip." >&2
fi
