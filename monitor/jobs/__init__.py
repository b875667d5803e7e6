"""Workflows across stages: a collection run, indexing, re-extraction.

Each one drives `collect`, `extract` and `archive` (and the `index` library) and reports its
progress as `progress.Progress` events; nothing here prints. The command line renders them.
"""
