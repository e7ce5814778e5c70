"""The exit from MkDocs 1.x: ProperDocs (a maintained continuation of MkDocs 1.6 that keeps
``hooks:``) builds this site to the same bytes as MkDocs, apart from the generator tag."""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

from conftest import run

GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def site_files(site: Path) -> dict[str, bytes]:
    """Every output file but the search index (Pagefind's chunk names are content hashes that
    differ from run to run; it is built from the catalog, not by the engine)."""
    files = {}
    for path in sorted(site.rglob("*")):
        if path.is_file() and not path.relative_to(site).as_posix().startswith("pagefind/"):
            data = path.read_bytes()
            if path.suffix == ".gz":  # the gzip header holds a timestamp: compare what it holds
                data = gzip.decompress(data)
            files[path.relative_to(site).as_posix()] = GENERATOR.sub(b"", data)
    return files


def test_properdocs_builds_the_same_site(fixture_build, tmp_path):
    """ProperDocs rebuilds the session's MkDocs build of the fixture project (same sources,
    same SOURCE_DATE_EPOCH) into a folder of its own."""
    properdocs_site = tmp_path / "site-properdocs"
    # One fixed build time (the footer and status.json carry it), as reproducible builds do.
    result = run(Path(sys.executable).parent / "properdocs", "build", "--strict", "-d", properdocs_site, cwd=fixture_build.project,
                 env={"SOURCE_DATE_EPOCH": fixture_build.epoch})
    assert result.returncode == 0, result.stderr
    mkdocs, properdocs = site_files(fixture_build.site), site_files(properdocs_site)
    assert sorted(mkdocs) == sorted(properdocs)
    assert any(name.endswith(".html") for name in mkdocs)
    different = [name for name in mkdocs if mkdocs[name] != properdocs[name]]
    assert different == []
    assert (fixture_build.site / "pagefind/pagefind.js").is_file() and (properdocs_site / "pagefind/pagefind.js").is_file()
    generators = GENERATOR.findall((properdocs_site / "index.html").read_bytes())
    assert generators and b"ProperDocs" in generators[0]
    assert b"ProperDocs" not in GENERATOR.findall((fixture_build.site / "index.html").read_bytes())[0]
