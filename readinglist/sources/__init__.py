"""Outside descriptions of papers, each read into ``SourceEntry`` objects (``entry``): a scraped
Daily Papers listing (``scrape``), the Hugging Face papers API (``huggingface``) and the arXiv
API (``arxiv``). Every entry then goes through ``importer.run_import``, one path for all of
them, so file names, duplicates and curator fields behave the same."""
