"""The exit from MkDocs 1.x: ProperDocs (a maintained continuation of MkDocs 1.6 that keeps
``hooks:``) builds this site to the same bytes as MkDocs, apart from the generator tag."""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

from conftest import copy_project, run

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


def test_properdocs_builds_the_same_site(tmp_path):
    project = copy_project(tmp_path / "project")
    bin_dir = Path(sys.executable).parent
    for engine in ("mkdocs", "properdocs"):
        # One fixed build time (the footer and status.json carry it), as reproducible builds do.
        result = run(bin_dir / engine, "build", "--strict", "-d", project / f"site-{engine}", cwd=project,
                     env={"SOURCE_DATE_EPOCH": "1795132800"})
        assert result.returncode == 0, result.stderr
    mkdocs, properdocs = site_files(project / "site-mkdocs"), site_files(project / "site-properdocs")
    assert sorted(mkdocs) == sorted(properdocs)
    assert any(name.endswith(".html") for name in mkdocs)
    different = [name for name in mkdocs if mkdocs[name] != properdocs[name]]
    assert different == []
    assert (project / "site-mkdocs/pagefind/pagefind.js").is_file() and (project / "site-properdocs/pagefind/pagefind.js").is_file()
    generators = GENERATOR.findall((project / "site-properdocs" / "index.html").read_bytes())
    assert generators and b"ProperDocs" in generators[0]
