"""Reports: the archive and the index → plain data (no rendering, no printing).

Searches and their JSON (`search`), saved searches and `@name` expansion (`saved`), coverage
counts with and without near-duplicate copies (`coverage`), frequent terms (`terms`), feed health
(`health`), articles as `show` and `export` give them (`articles`), exports to JSONL, CSV and WARC
(`export`) and counts and sizes (`stats`). The command line renders what these return.
"""
