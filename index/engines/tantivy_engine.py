"""The tantivy engine (Rust, via the `tantivy` package).

Text is analyzed in Python (`terms.analyze_document`) and handed to tantivy as space-joined
tokens in fields using tantivy's "whitespace" tokenizer: measured on 3 KB articles, that costs
~0.1 ms a document against ~1.9 ms for `PreTokenizedString` (one Python `Token` object per
token), and Python's analysis (~0.25 ms) is the bottleneck either way.

Phrases are positional phrase queries on the syllable fields. A phrase of common words ("của
và là") is checked at nearly every document, reading long position lists: at 100,000 synthetic
articles its p95 is ~40 ms, and it grows with the index. Syllable-bigram fields (as the whoosh
engine has) cut that to ~7 ms but cost far more at indexing than they save: tantivy slows with
the number of distinct terms, and bigrams multiply it; indexing fell from ~2,900 to 700-1,800
docs/s and the index grew 60%. They are not used. Nor are pairs of common syllables only
(CommonGrams, a positional stream of the pairs of the ~250 commonest syllables for phrases made
only of them): phrase p95 fell by a third at 30,000 articles, and so did indexing speed.

Everything a hit needs, the text included (for snippets), is stored as one JSON blob; counts
use tantivy's aggregations (a terms aggregation on the source with a nested histogram on the
publication time, whose grid is shifted by the caller's UTC offset).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import tantivy

from index.engines import terms
from index.engines.directory import check_directory, create_index, directory_size
from index.engines.ordering import UNDATED_KEY, Candidate, relevance_page
from index.errors import EngineError, IndexNeedsRebuild
from index.model import Counts, Document, Hit, SearchPage, Sort
from index.query import And, DateRange, MatchAll, Node, Not, Or, Phrase, Term

NAME = "tantivy"
# Bump when the fields or their analysis change: older indexes then ask for a rebuild.
# 2: labels (flag:, tag:, status:).
SCHEMA_VERSION = 2

_WRITER_HEAP = 128_000_000
# Python analysis is the bottleneck; a second indexing thread only splits the heap.
_WRITER_THREADS = 1
# tantivy refuses aggregations past 65,000 buckets. Sources × days can exceed that on a big
# index (200 sources over a year), in which case days are counted one source at a time.
_BUCKET_LIMIT = 60_000

_FOLDED = {
    "default": (("title_f", terms.TITLE_BOOST), ("text_f", 1.0)),
    "title": (("title_f", 1.0),),
}
_EXACT = {
    "default": (("title_x", terms.TITLE_BOOST), ("text_x", 1.0)),
    "title": (("title_x", 1.0),),
}
_SINGLE = {"author": (("author_f", 1.0),), "url": (("url_t", 1.0),)}
# Filters on a whole value: the field each is looked up in.
_WHOLE_VALUE_FIELDS = {"source": "source_k", "lang": "lang", "label": "labels"}


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", tokenizer_name="raw", index_option="basic")
    for name in ("title_x", "title_f", "text_x", "text_f", "author_f", "url_t"):
        sb.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    sb.add_text_field("source_k", tokenizer_name="raw", index_option="basic")
    sb.add_text_field("source", tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_text_field("lang", tokenizer_name="raw", index_option="basic")
    sb.add_text_field("labels", tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("published", indexed=True, fast=True)
    sb.add_integer_field("sort_new", fast=True)
    sb.add_integer_field("sort_old", fast=True)
    sb.add_bytes_field("stored", stored=True)
    return sb.build()


class TantivyEngine:
    """A tantivy index in one directory. Not safe for concurrent writes from two threads."""

    name = NAME

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            if not check_directory(self.path, NAME, SCHEMA_VERSION):
                create_index(
                    self.path,
                    NAME,
                    SCHEMA_VERSION,
                    lambda at: tantivy.Index(_schema(), path=str(at), reuse=False),
                )
            self._index = tantivy.Index.open(str(self.path))
        except (ValueError, OSError) as exc:
            raise IndexNeedsRebuild(
                f"can't open the tantivy index in {self.path}: {exc}; it may be corrupt"
            ) from exc
        self._schema = self._index.schema
        self._writer: tantivy.IndexWriter | None = None
        self._closed = False

    # --- writing ----------------------------------------------------------------------------------

    def _get_writer(self) -> tantivy.IndexWriter:
        # Created on the first write and kept until close(): a writer holds the directory lock
        # and its threads, and a process that indexes once usually indexes again.
        self._check_open()
        if self._writer is None:
            try:
                self._writer = self._index.writer(
                    heap_size=_WRITER_HEAP, num_threads=_WRITER_THREADS
                )
            except ValueError as exc:
                raise EngineError(
                    f"can't write the index in {self.path}: {exc} "
                    "(is another press-monitor process indexing?)"
                ) from exc
        return self._writer

    def add(self, docs: Iterable[Document]) -> int:
        writer = self._get_writer()
        n = 0
        for doc in docs:
            a = terms.analyze_document(doc)
            tdoc = tantivy.Document()
            tdoc.add_text("id", a.id)
            tdoc.add_text("title_x", a.title_exact)
            tdoc.add_text("title_f", a.title_folded)
            tdoc.add_text("text_x", a.text_exact)
            tdoc.add_text("text_f", a.text_folded)
            tdoc.add_text("author_f", a.author)
            tdoc.add_text("url_t", a.url)
            for key in a.source_keys:
                tdoc.add_text("source_k", key)
            tdoc.add_text("source", a.source)
            tdoc.add_text("lang", a.lang)
            for label in a.labels:
                tdoc.add_text("labels", label)
            if a.published is None:
                tdoc.add_integer("sort_new", UNDATED_KEY)
                tdoc.add_integer("sort_old", UNDATED_KEY)
            else:
                tdoc.add_integer("published", a.published)
                tdoc.add_integer("sort_new", a.published)
                tdoc.add_integer("sort_old", -a.published)
            tdoc.add_bytes("stored", a.stored)
            # A delete applies to every document added before it, committed or not, so this
            # replaces an earlier version of the same id even within one batch.
            writer.delete_documents_by_term("id", a.id)
            writer.add_document(tdoc)
            n += 1
        return n

    def delete(self, ids: Iterable[str]) -> int:
        writer = self._get_writer()
        n = 0
        for doc_id in ids:
            writer.delete_documents_by_term("id", doc_id)
            n += 1
        return n

    def commit(self) -> None:
        self._check_open()
        if self._writer is None:
            return
        try:
            self._writer.commit()
        except ValueError as exc:
            raise EngineError(f"commit to {self.path} failed: {exc}") from exc
        self._index.reload()

    def clear(self) -> None:
        writer = self._get_writer()
        # Pending adds would otherwise survive `delete_all_documents` and reappear at commit.
        writer.rollback()
        writer.delete_all_documents()
        writer.commit()
        self._index.reload()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.rollback()
            # Lets background merges finish and releases the directory lock.
            writer.wait_merging_threads()

    # --- reading ----------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise EngineError(f"the index in {self.path} is closed")

    def _searcher(self) -> tantivy.Searcher:
        self._check_open()
        return self._index.searcher()

    def doc_count(self) -> int:
        return int(self._searcher().num_docs)

    def size_bytes(self) -> int:
        return directory_size(self.path)

    def count(self, query: Node) -> int:
        return _count(self._searcher(), self._compile(query))

    def search(
        self,
        query: Node,
        *,
        limit: int = 10,
        offset: int = 0,
        sort: Sort = "relevance",
        snippets: bool = True,
    ) -> SearchPage:
        searcher = self._searcher()
        compiled = self._compile(query)
        limit, offset = max(limit, 0), max(offset, 0)
        if sort == "relevance" and not terms.is_scored(query):
            # Every match scores the same: relevance order is newest first.
            sort = "newest"
        if sort == "relevance":
            # Counting alongside the top N makes tantivy score every match; apart, the count
            # needs no scores and the top N skips blocks that can't enter it. A phrase is
            # checked at every match either way, so it is run once.
            separate = not _has_phrase(query)
            counted: list[int] = []

            def fetch(n: int) -> tuple[list[Candidate[Any]], int]:
                result = searcher.search(compiled, n, count=not separate)
                hits = result.hits
                keys = searcher.fast_field_values("sort_new", [addr for _s, addr in hits])
                cands = [
                    Candidate(float(score), int(key or UNDATED_KEY), addr)
                    for (score, addr), key in zip(hits, keys, strict=True)
                ]
                if not separate:
                    return cands, _total(result)
                if not counted:
                    counted.append(_count(searcher, compiled))
                return cands, counted[0]

            page, total = relevance_page(fetch, offset, limit)
            scored = [(c.score, c.ref) for c in page]
        else:
            field = "sort_new" if sort == "newest" else "sort_old"
            result = searcher.search(
                compiled,
                max(limit, 1),
                count=True,
                order_by_field=field,
                order=tantivy.Order.Desc,
                offset=offset,
            )
            total = _total(result)
            # Date-sorted hits carry no score; 0 says so.
            scored = [(0.0, addr) for _key, addr in result.hits[:limit]]
        hits = [self._hit(searcher, addr, score, query, snippets) for score, addr in scored]
        return SearchPage(total=total, hits=hits)

    def _hit(
        self, searcher: tantivy.Searcher, addr: Any, score: float, query: Node, snippets: bool
    ) -> Hit:
        return terms.make_hit(_stored(searcher, addr), score, query, snippets)

    def ids(self, query: Node) -> list[str]:
        searcher = self._searcher()
        compiled = self._compile(query)
        total = _count(searcher, compiled)
        if total == 0:
            return []
        result = searcher.search(compiled, total, order_by_field="sort_new")
        return [_stored(searcher, addr).id for _key, addr in result.hits]

    def counts(self, query: Node, *, utc_offset: timedelta = timedelta(0)) -> Counts:
        searcher = self._searcher()
        compiled = self._compile(query)
        total = _count(searcher, compiled)
        by_source: dict[str, int] = {}
        by_day: dict[date, int] = {}
        by_source_day: dict[tuple[str, date], int] = {}
        if total == 0:
            return Counts(0, by_source, by_day, by_source_day, 0)
        offset_us = utc_offset // timedelta(microseconds=1)
        histogram = {
            "histogram": {
                "field": "published",
                "interval": terms.MICROS_PER_DAY,
                # The grid starts where local midnight falls in UTC.
                "offset": (-offset_us) % terms.MICROS_PER_DAY,
                "min_doc_count": 1,
            }
        }
        source_terms = {"field": "source", "size": _BUCKET_LIMIT}
        flat = searcher.aggregate(compiled, {"src": {"terms": source_terms}, "day": histogram})
        sources = [(str(b["key"]), int(b["doc_count"])) for b in flat["src"]["buckets"]]
        if len(sources) * (len(flat["day"]["buckets"]) + 1) <= _BUCKET_LIMIT:
            nested = searcher.aggregate(
                compiled, {"src": {"terms": source_terms, "aggs": {"day": histogram}}}
            )
            per_source = [
                (str(b["key"]), int(b["doc_count"]), b["day"]["buckets"])
                for b in nested["src"]["buckets"]
            ]
        else:
            per_source = [
                (name, count, self._days_of_source(searcher, compiled, name, histogram))
                for name, count in sources
            ]
        dated = 0
        # Every source repeats the same day keys; convert each once.
        days_by_key: dict[float, date] = {}
        for source, count, days in per_source:
            by_source[source] = by_source.get(source, 0) + count
            for bucket in days:
                n = int(bucket["doc_count"])
                key = bucket["key"]
                day = days_by_key.get(key)
                if day is None:
                    day = days_by_key[key] = terms.day_of(int(key), utc_offset)
                by_day[day] = by_day.get(day, 0) + n
                # Sources are distinct terms and days distinct buckets: each pair comes once.
                by_source_day[(source, day)] = n
                dated += n
        return Counts(total, by_source, by_day, by_source_day, total - dated)

    def _days_of_source(
        self,
        searcher: tantivy.Searcher,
        compiled: tantivy.Query,
        source: str,
        histogram: dict[str, Any],
    ) -> list[dict[str, Any]]:
        narrowed = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, compiled), (tantivy.Occur.Must, self._term("source", source))]
        )
        buckets: list[dict[str, Any]] = searcher.aggregate(narrowed, {"day": histogram})["day"][
            "buckets"
        ]
        return buckets

    # --- queries ----------------------------------------------------------------------------------

    def _term(self, field: str, value: str) -> tantivy.Query:
        return tantivy.Query.term_query(self._schema, field, value)

    def _compile(self, node: Node) -> tantivy.Query:
        q = tantivy.Query
        if isinstance(node, (Term, Phrase)):
            return self._leaf(terms.leaf(node))
        if isinstance(node, MatchAll):
            return _zero(q.all_query())
        if isinstance(node, DateRange):
            start, end = terms.micros_bounds(node)
            if start is None and end is None:
                return _zero(q.exists_query("published"))
            # tantivy wants an unbounded side marked inclusive.
            return _zero(
                q.range_query(
                    self._schema,
                    "published",
                    tantivy.FieldType.Integer,
                    lower_bound=start,
                    upper_bound=end,
                    include_lower=True,
                    include_upper=end is None,
                )
            )
        if isinstance(node, And):
            must, must_not = terms.split_and(node)
            clauses = [(tantivy.Occur.Must, self._compile(c)) for c in must]
            if not clauses:
                clauses.append((tantivy.Occur.Must, _zero(q.all_query())))
            clauses += [(tantivy.Occur.MustNot, self._compile(c)) for c in must_not]
            return q.boolean_query(clauses)
        if isinstance(node, Or):
            return q.boolean_query(
                [(tantivy.Occur.Should, self._compile(c)) for c in node.children]
            )
        if isinstance(node, Not):
            # A bare negation (the parser wraps these, a hand-built tree may not) means
            # "everything except".
            return q.boolean_query(
                [
                    (tantivy.Occur.Must, _zero(q.all_query())),
                    (tantivy.Occur.MustNot, self._compile(node.child)),
                ]
            )
        raise EngineError(f"unknown query node {node!r}")

    def _leaf(self, leaf: terms.Leaf) -> tantivy.Query:
        if leaf.empty:
            return tantivy.Query.empty_query()
        if leaf.kind in _WHOLE_VALUE_FIELDS:
            return _zero(self._term(_WHOLE_VALUE_FIELDS[leaf.kind], leaf.key))
        if leaf.kind in _SINGLE:
            return self._match(_SINGLE[leaf.kind], leaf.folded)
        if leaf.exact_only:
            return self._match(_EXACT[leaf.kind], leaf.exact)
        folded = self._match(_FOLDED[leaf.kind], leaf.folded)
        if not leaf.bonus:
            return folded
        bonus = tantivy.Query.boost_query(
            self._match(_EXACT[leaf.kind], leaf.exact), terms.EXACT_BOOST
        )
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, folded), (tantivy.Occur.Should, bonus)]
        )

    def _match(self, fields: Sequence[tuple[str, float]], tokens: Sequence[str]) -> tantivy.Query:
        queries = []
        for field, boost in fields:
            if len(tokens) == 1:
                one = self._term(field, tokens[0])
            else:
                one = tantivy.Query.phrase_query(self._schema, field, list(tokens))
            queries.append(one if boost == 1.0 else tantivy.Query.boost_query(one, boost))
        if len(queries) == 1:
            return queries[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, one) for one in queries])


def _total(result: tantivy.SearchResult) -> int:
    # `count` exists (a search with count=True sets it) but the package's stubs omit it.
    return int(result.count)  # type: ignore[attr-defined]


def _count(searcher: tantivy.Searcher, compiled: tantivy.Query) -> int:
    """How many documents match. Ordering by a fast field switches scoring off, which the
    package offers no other way to do: at 100,000 articles, p95 1.3 ms against 7.6 ms for
    two-word queries."""
    return _total(searcher.search(compiled, 1, count=True, order_by_field="sort_new"))


def _has_phrase(node: Node) -> bool:
    """Whether the tree holds a phrase (or a word that analyzes to several tokens)."""
    if isinstance(node, (Term, Phrase)):
        leaf = terms.leaf(node)
        return len(leaf.folded) > 1
    if isinstance(node, (And, Or)):
        return any(_has_phrase(c) for c in node.children)
    if isinstance(node, Not):
        return _has_phrase(node.child)
    return False


def _stored(searcher: tantivy.Searcher, addr: tantivy.DocAddress) -> terms.StoredDoc:
    blob = searcher.doc(addr).get_first("stored")
    if not isinstance(blob, bytes):
        raise IndexNeedsRebuild("a document in the index has no stored fields")
    return terms.load_stored(blob)


def _zero(query: tantivy.Query) -> tantivy.Query:
    """Filters match without ranking: they add nothing to a document's score."""
    return tantivy.Query.const_score_query(query, 0.0)
