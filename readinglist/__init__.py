"""The reading list's domain logic, shared by the MkDocs hooks and the scripts.

Nothing here imports MkDocs: the hooks in ``hooks/`` are a thin layer over these modules, so
the same parsing, validation and rendering serve ``mkdocs build``, ``scripts/validate.py`` and
the importers alike.

- ``model``: the ``Paper`` model, parsing and validating one paper file, writing one back.
- ``taxonomy``: the topics (``topics.yml``) and the keyword rules that suggest them.
- ``catalog``: loading every paper file once, cross-file checks, file names, atomic writes.
- ``scrape``: parsing scraped Hugging Face "Daily Papers" listings into source entries.
- ``importer``: turning source entries into paper files (create / update / unchanged).
- ``render`` and ``pages``: the HTML of paper pages and the generated index pages.
"""
