"""The reading list's domain logic, shared by the MkDocs hooks and the scripts.

Nothing here imports MkDocs: the hooks in ``hooks/`` are a thin layer over these modules, so
the same parsing, validation and rendering serve ``mkdocs build``, ``scripts/validate.py`` and
the importers alike.

- ``model``: the ``Paper`` model, parsing and validating one paper file, writing one back.
- ``taxonomy``: the topics (``topics.yml``) and the keyword rules that suggest them.
- ``catalog``: loading every paper file once, cross-file checks, file names, and
  ``Catalog.find``, the one "already listed?" rule.
- ``storage``: writing files: atomic writes, all-or-nothing imports (a journal), recovery.
- ``sources``: every outside source read into ``SourceEntry`` objects: ``sources.entry`` (the
  type and link helpers), ``sources.scrape`` (scraped Daily Papers listings),
  ``sources.huggingface`` and ``sources.arxiv`` (API answers).
- ``http``: the HTTP layer of the fetchers (timeouts, retries, ``Retry-After``, a deadline).
- ``importer``: turning source entries into paper files (create / update / unchanged) and
  writing them: ``run_import``, the one call of every import command.
- ``cli``: what the command-line scripts share (paths, loading, the import lock, Ctrl-C).
- ``render``: text to escaped HTML (math marked for KaTeX), safe Markdown for notes, templates.
- ``bibtex``: citation keys and BibTeX entries.
- ``related``: related papers (TF-IDF cosine, NumPy/SciPy).
- ``pages``: the generated pages and files, one module per family (papers, home, topics,
  dates, feeds, exports).
"""
