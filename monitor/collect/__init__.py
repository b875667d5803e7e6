"""Collecting: the network and the documents it brings, up to parsed feed entries.

The one HTTP client and its politeness (`http`), work spread over hosts (`hosts`), when to poll
a feed next (`schedule`), feed documents to entries (`feed_parser`, `feed_dates`), finding a
site's feeds (`discovery`) and OPML subscription lists (`opml`). Nothing here touches SQLite:
what is collected is stored by the workflows in `monitor.jobs`.
"""
