"""``/status.json``: the build's freshness facts for monitors (when it was built, from which
commit, how many papers, the newest ``added``, the last import run), the same facts the footer
shows. ``{"version": 1, ...}``; fields are only ever added within version 1."""

from __future__ import annotations

import json

from .build import Build, GeneratedPage


def generate(build: Build) -> list[GeneratedPage]:
    if build.facts is None:
        return []
    data = {**build.facts.to_json(), "site": build.site.url or None}
    # Plain ASCII; "<", ">" and "&" escaped so the JSON is also safe inside HTML.
    text = json.dumps(data, ensure_ascii=True, indent=1).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return [GeneratedPage("status.json", content=text + "\n")]
