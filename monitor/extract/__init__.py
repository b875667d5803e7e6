"""Extraction: the bytes of a page → an `Article`. Pure: no network, no SQLite.

`page.process_page` is what runs for each fetched or stored page: `article.extract_article`
(decoding, boilerplate pruning, trafilatura, title, lead, dates with provenance, quality flags,
language), then the canonical URL is checked and the text fingerprinted for near-duplicates.
"""
