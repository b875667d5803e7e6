"""A small full-text search library for news articles, Vietnamese first.

It knows nothing of feeds, configuration or the application that uses it: it takes a directory
and documents, and answers queries written in one query language (see `index.query`).
"""

from index.engine import ENGINES, Engine, open_engine
from index.engines.terms import Analyzed, analyze_documents
from index.errors import EngineError, QuerySyntaxError, SearchError
from index.model import Counts, Document, Hit, LabelCounts, SearchPage, Snippet, Sort
from index.query import parse

__all__ = [
    "ENGINES",
    "Analyzed",
    "Counts",
    "Document",
    "Engine",
    "EngineError",
    "Hit",
    "LabelCounts",
    "QuerySyntaxError",
    "SearchError",
    "SearchPage",
    "Snippet",
    "Sort",
    "analyze_documents",
    "open_engine",
    "parse",
]
