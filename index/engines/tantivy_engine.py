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
use tantivy's aggregations (`tantivy_counts`). A decimal id is also kept as a number (`num`, a
fast field): `ids` reads it as the sort key of a search instead of opening every stored document
(which holds the whole text), and `IdRange` is a range on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import tantivy

from index.engines import tantivy_counts as counting
from index.engines import terms
from index.engines.directory import check_directory, create_index, directory_size
from index.engines.ordering import UNDATED_KEY, Candidate, relevance_page
from index.errors import EngineError, IndexNeedsRebuild
from index.model import Counts, Document, Hit, LabelCounts, SearchPage, Sort
from index.query import And, DateRange, IdRange, MatchAll, Node, Not, Or, Phrase, Term

NAME = "tantivy"
# Bump when the fields or their analysis change: older indexes then ask for a rebuild.
# 2: labels (flag:, tag:, status:). 3: ids as numbers (`num`); labels counted (fast field).
SCHEMA_VERSION = 3

_WRITER_HEAP = 128_000_000
# Python analysis is the bottleneck; a second indexing thread only splits the heap.
_WRITER_THREADS = 1

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
    sb.add_text_field("labels", tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_integer_field("num", indexed=True, fast=True)
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
        return self.add_analyzed(map(terms.analyze_document, docs))

    def add_analyzed(self, docs: Iterable[terms.Analyzed]) -> int:
        writer = self._get_writer()
        n = 0
        for a in docs:
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
            if a.number is not None:
                tdoc.add_integer("num", a.number)
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
        return counting.count(self._searcher(), self._compile(query))

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
                    return cands, counting.total(result)
                if not counted:
                    counted.append(counting.count(searcher, compiled))
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
            total = counting.total(result)
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
        n = counting.count(searcher, compiled)
        if n == 0:
            return []
        # Sorted by the numeric id, each hit carries its id as its key; only documents
        # whose id is no number are opened.
        result = searcher.search(compiled, n, order_by_field="num")
        return [
            str(key) if key is not None else _stored(searcher, addr).id for key, addr in result.hits
        ]

    def counts(self, query: Node, *, utc_offset: timedelta = timedelta(0)) -> Counts:
        return counting.counts(self._searcher(), self._compile(query), utc_offset, self._term)

    def label_counts(
        self, query: Node, field: str, *, utc_offset: timedelta = timedelta(0)
    ) -> LabelCounts:
        searcher = self._searcher()
        return counting.label_counts(searcher, self._compile(query), field, utc_offset, self._term)

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
        if isinstance(node, IdRange):
            bounds = terms.id_bounds(node)
            if bounds is None:
                return q.empty_query()
            return _zero(
                q.range_query(
                    self._schema,
                    "num",
                    tantivy.FieldType.Integer,
                    lower_bound=bounds[0],
                    upper_bound=bounds[1],
                    include_lower=True,
                    include_upper=True,
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
