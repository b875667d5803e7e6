"""The whoosh engine (pure Python, whoosh-reloaded).

Phrases. whoosh's positional phrase matching on syllable tokens is slow (every syllable of a
phrase has a long posting list, and the matcher checks positions at every document holding all
of them), so title and text also have syllable-bigram fields ("hoà_bình"), folded and exact,
indexed with positions. A two-word phrase is one bigram term; a longer phrase is a positional
phrase over its bigrams ("a b c d e" → "a_b b_c c_d d_e" at consecutive positions), which
matches exactly the documents the syllable phrase would while reading only the short bigram
posting lists. The syllable fields then need no positions. Measured on 3,000 synthetic 3 KB
articles, 30 five-word phrases, median / p95 ms:

* positional phrase on syllables: 185 / 1,480
* positional phrase on bigrams: 10.5 / 66 (same matches)
* AND of the bigrams without positions: 6 / 33, but 2,657 matches instead of 80: bigrams of
  common words co-occur everywhere, so it would need a verification pass over stored text that
  costs more than it saves. Rejected.
* AND of bigrams plus a syllable phrase to verify: 146 / 884 (whoosh advances the phrase
  matcher to its next true match at every step). Rejected.

The price is indexing time (each bigram is a posting with a position; ~2.5x the syllable
field's cost) and size.

Writes. whoosh allows one writer per index and a commit costs seconds on a large index, so
`add` and `delete` are buffered in memory and applied at `commit`: old versions of the ids are
deleted through one searcher (whoosh's `update_document` runs a delete query per document) and
the batch is written as new segments. Buffering also makes a second `add` of an id within a
batch replace the first, which a whoosh writer cannot do for documents it has not committed.
A large batch is written in slices (`_SLICE_DOCS`), a writer and a segment each, so that
whoosh's posting pool never spills to disk; the deletions go with the first slice. If a later
slice fails, the documents not yet written stay pending (their old versions are already gone)
and the next commit writes them. Never a multiprocess writer: it silently drops documents when
a child fails.

Totals. whoosh's top-N collector skips documents that can't reach the top N, so its running
count is low; `len(results)` then counts the matches in a second, unscored pass, which is what
`total` uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.sorting import FieldFacet
from whoosh.writing import CLEAR

from index.engines import terms
from index.engines import whoosh_counts as counting
from index.engines.directory import check_directory, create_index, directory_size
from index.engines.ordering import UNDATED_KEY, Candidate, relevance_page
from index.errors import EngineError, IndexNeedsRebuild
from index.model import Counts, Document, LabelCounts, SearchPage, Sort
from index.query import And, DateRange, IdRange, MatchAll, Node, Not, Or, Phrase, Term

NAME = "whoosh"
# Bump when the fields or their analysis change: older indexes then ask for a rebuild.
# 2: labels (flag:, tag:, status:). 3: ids as numbers (`num`, for IdRange).
SCHEMA_VERSION = 3

# Documents per writer, i.e. per new segment. whoosh's posting pool spills to disk (a pickle per
# posting, then a sorted merge) once it outgrows `_WRITER_MB` by its own estimate (~200 bytes a
# posting); a 3 KB article makes ~1,650 postings, so a big commit is written in slices whose
# pool stays in memory. On 2,000 synthetic articles in one commit: one 64 MB writer, 22 docs/s;
# slices of 500 at 256 MB, 45 docs/s and 247 MB peak RSS; 1,000 at 512 MB, 49 docs/s, 439 MB.
# The pool limit also bounds merges, which read whole segments through the same pool.
_WRITER_MB = 256
_SLICE_DOCS = 500
_INDEX_NAME = "MAIN"  # whoosh's default, as create_in uses

# (syllable field, bigram field, boost) per field kind and form.
_FOLDED = {
    "default": (("title_f", "title_bf", terms.TITLE_BOOST), ("text_f", "text_bf", 1.0)),
    "title": (("title_f", "title_bf", 1.0),),
}
_EXACT = {
    "default": (("title_x", "title_bx", terms.TITLE_BOOST), ("text_x", "text_bx", 1.0)),
    "title": (("title_x", "title_bx", 1.0),),
}
# Short fields: positional phrases on the tokens themselves are cheap.
_SINGLE = {"author": "author_f", "url": "url_t"}
# Filters on a whole value: the field each is looked up in.
_WHOLE_VALUE_FIELDS = {"source": "source_k", "lang": "lang", "label": "labels"}


_PLAIN_FIELDS = ("title_x", "title_f", "text_x", "text_f")
_POSITIONAL_FIELDS = ("title_bx", "title_bf", "text_bx", "text_bf", "author_f", "url_t")


def _schema() -> Schema:
    # Tokens arrive analyzed and space-joined (see terms.analyze_document).
    tokens = SpaceSeparatedTokenizer()
    plain = {name: TEXT(analyzer=tokens, phrase=False) for name in _PLAIN_FIELDS}
    positional = {name: TEXT(analyzer=tokens, phrase=True) for name in _POSITIONAL_FIELDS}
    return Schema(
        id=ID(unique=True, sortable=True),
        source_k=KEYWORD(commas=True),
        source=ID(sortable=True),
        lang=ID(),
        labels=KEYWORD(),
        num=NUMERIC(int, bits=64, signed=True),
        published=NUMERIC(int, bits=64, signed=True),
        sort_new=NUMERIC(int, bits=64, signed=True, sortable=True),
        sort_old=NUMERIC(int, bits=64, signed=True, sortable=True),
        stored=STORED(),
        **plain,
        **positional,
    )


class _TrackingStorage(FileStorage):  # type: ignore[misc]
    """A FileStorage that remembers the files it opens, to close them if opening fails.

    whoosh raises on a damaged table of contents without closing the file it was reading; the
    leaked handle would otherwise surface later as a ResourceWarning far from the cause.
    """

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.opened: list[Any] | None = []

    def open_file(self, name: str, **kwargs: Any) -> Any:
        f = super().open_file(name, **kwargs)
        if self.opened is not None:
            self.opened.append(f)
        return f

    def close_opened(self) -> None:
        for f in self.opened or ():
            raw = getattr(f, "file", None)
            if raw is not None and hasattr(raw, "close"):
                raw.close()
        self.opened = None

    def stop_tracking(self) -> None:
        self.opened = None


def _open_existing(path: Path) -> Any:
    storage = _TrackingStorage(str(path))
    try:
        ix = whoosh_index.FileIndex(storage, indexname=_INDEX_NAME)
        # Reading every segment once finds damage now rather than in the first search.
        with ix.searcher() as searcher:
            searcher.doc_count()
    except Exception as exc:
        # whoosh fails on a damaged index with anything from struct.error to
        # UnpicklingError; all of them mean the same thing here.
        storage.close_opened()
        raise IndexNeedsRebuild(
            f"can't open the whoosh index in {path}: {type(exc).__name__}: {exc}; it may be corrupt"
        ) from exc
    storage.stop_tracking()
    schema_names = set(ix.schema.names())
    if schema_names != set(_schema().names()):
        ix.close()
        raise IndexNeedsRebuild(f"the whoosh index in {path} has unexpected fields")
    return ix


class WhooshEngine:
    """A whoosh index in one directory. Not safe for concurrent writes from two threads."""

    name = NAME

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not check_directory(self.path, NAME, SCHEMA_VERSION):
            create_index(
                self.path,
                NAME,
                SCHEMA_VERSION,
                lambda at: whoosh_index.create_in(str(at), _schema()),
            )
        self._index = _open_existing(self.path)
        # Documents, or their terms when they came analysed (`add_analyzed`).
        self._pending: dict[str, Document | terms.Analyzed] = {}
        self._deleted: set[str] = set()
        self._searcher_obj: Any = None
        self._closed = False

    # --- writing ----------------------------------------------------------------------------------

    def add(self, docs: Iterable[Document]) -> int:
        return self._add(docs)

    def add_analyzed(self, docs: Iterable[terms.Analyzed]) -> int:
        return self._add(docs)

    def _add(self, docs: Iterable[Document | terms.Analyzed]) -> int:
        self._check_open()
        n = 0
        for doc in docs:
            self._pending[doc.id] = doc
            n += 1
        return n

    def delete(self, ids: Iterable[str]) -> int:
        self._check_open()
        n = 0
        for doc_id in ids:
            self._pending.pop(doc_id, None)
            self._deleted.add(doc_id)
            n += 1
        return n

    def commit(self) -> None:
        self._check_open()
        if not self._pending and not self._deleted:
            return
        docs = list(self._pending.values())
        writer = self._writer()
        try:
            replaced = self._deleted | self._pending.keys()
            if replaced and self._index.doc_count_all():
                reader = writer.searcher().reader()
                for doc_id in replaced:
                    if ("id", doc_id) in reader:
                        for docnum in reader.postings("id", doc_id).all_ids():
                            writer.delete_document(docnum)
            self._write(writer, docs[:_SLICE_DOCS])
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        # Deletions are durable with the first slice; the rest only add new segments.
        self._deleted.clear()
        done = _SLICE_DOCS
        try:
            while done < len(docs):
                writer = self._writer()
                try:
                    self._write(writer, docs[done : done + _SLICE_DOCS])
                except BaseException:
                    writer.cancel()
                    raise
                writer.commit()
                done += _SLICE_DOCS
        finally:
            # What is written stays written; what is not stays pending for the next commit.
            for doc in docs[:done]:
                self._pending.pop(doc.id, None)
            self._refresh()

    def _write(self, writer: Any, docs: list[Document | terms.Analyzed]) -> None:
        for doc in docs:
            writer.add_document(**self._fields(doc))

    def _writer(self) -> Any:
        try:
            return self._index.writer(limitmb=_WRITER_MB, procs=1)
        except LockError as exc:
            raise EngineError(
                f"the index in {self.path} is locked by another writer "
                "(is another press-monitor process indexing?)"
            ) from exc

    def _fields(self, doc: Document | terms.Analyzed) -> dict[str, Any]:
        a = doc if isinstance(doc, terms.Analyzed) else terms.analyze_document(doc)
        (title_x, title_f), (text_x, text_f) = a.title_tokens, a.text_tokens
        fields: dict[str, Any] = {
            "id": a.id,
            "title_x": a.title_exact,
            "title_f": a.title_folded,
            "text_x": a.text_exact,
            "text_f": a.text_folded,
            "title_bx": terms.bigram_text(title_x),
            "title_bf": terms.bigram_text(title_f),
            "text_bx": terms.bigram_text(text_x),
            "text_bf": terms.bigram_text(text_f),
            "author_f": a.author,
            "url_t": a.url,
            "source_k": ",".join(a.source_keys),
            "source": a.source,
            "lang": a.lang,
            "labels": " ".join(a.labels),
            "sort_new": UNDATED_KEY if a.published is None else a.published,
            "sort_old": UNDATED_KEY if a.published is None else -a.published,
            "stored": a.stored,
        }
        if a.published is not None:
            fields["published"] = a.published
        if a.number is not None:
            fields["num"] = a.number
        # whoosh rejects empty strings for ID fields; a missing value simply isn't indexed.
        return {k: v for k, v in fields.items() if v != ""}

    def clear(self) -> None:
        self._check_open()
        self._pending.clear()
        self._deleted.clear()
        writer = self._writer()
        writer.commit(mergetype=CLEAR)
        self._refresh()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._pending.clear()
        self._deleted.clear()
        if self._searcher_obj is not None:
            self._searcher_obj.close()
            self._searcher_obj = None
        self._index.close()

    # --- reading ----------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise EngineError(f"the index in {self.path} is closed")

    def _searcher(self) -> Any:
        self._check_open()
        if self._searcher_obj is None:
            self._searcher_obj = self._index.searcher()
        return self._searcher_obj

    def _refresh(self) -> None:
        # Searcher.refresh() keeps the old reader when the index was emptied by a CLEAR
        # commit; a new searcher on next use is always right.
        if self._searcher_obj is not None:
            self._searcher_obj.close()
            self._searcher_obj = None

    def doc_count(self) -> int:
        self._check_open()
        return int(self._searcher().doc_count())

    def size_bytes(self) -> int:
        return directory_size(self.path)

    def count(self, query: Node) -> int:
        searcher = self._searcher()
        return sum(1 for _ in self._docnums(searcher, self._compile(query)))

    def _docnums(self, searcher: Any, compiled: Any) -> Iterator[int]:
        return iter(searcher.docs_for_query(compiled))

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
        if _empty(searcher):
            return SearchPage(total=0, hits=[])
        if sort == "relevance" and not terms.is_scored(query):
            sort = "newest"
        if sort == "relevance":
            sort_new = searcher.reader().column_reader("sort_new")

            def fetch(n: int) -> tuple[list[Candidate[Any]], int]:
                results = searcher.search(compiled, limit=n)
                cands = [
                    Candidate(float(score), int(sort_new[docnum]), docnum)
                    for score, docnum in results.top_n
                ]
                return cands, len(results)

            page, total = relevance_page(fetch, offset, limit)
            scored = [(c.score, c.ref) for c in page]
        else:
            field = "sort_new" if sort == "newest" else "sort_old"
            results = searcher.search(
                compiled, limit=max(offset + limit, 1), sortedby=FieldFacet(field, reverse=True)
            )
            total = len(results)
            scored = [(0.0, docnum) for _key, docnum in results.top_n[offset : offset + limit]]
        hits = [
            terms.make_hit(
                terms.load_stored(searcher.stored_fields(docnum)["stored"]),
                score,
                query,
                snippets,
            )
            for score, docnum in scored
        ]
        return SearchPage(total=total, hits=hits)

    def ids(self, query: Node) -> list[str]:
        searcher = self._searcher()
        if _empty(searcher):
            return []
        compiled = self._compile(query)
        column = searcher.reader().column_reader("id")
        return [column[docnum] for docnum in self._docnums(searcher, compiled)]

    def counts(self, query: Node, *, utc_offset: timedelta = timedelta(0)) -> Counts:
        searcher = self._searcher()
        if _empty(searcher):
            return Counts(0, {}, {}, {}, 0)
        docnums = self._docnums(searcher, self._compile(query))
        return counting.counts(searcher.reader(), docnums, utc_offset)

    def label_counts(
        self, query: Node, field: str, *, utc_offset: timedelta = timedelta(0)
    ) -> LabelCounts:
        searcher = self._searcher()
        if _empty(searcher):
            return LabelCounts(0, {}, {}, {}, 0, 0)
        docnums = self._docnums(searcher, self._compile(query))
        return counting.label_counts(searcher.reader(), docnums, field, utc_offset)

    # --- queries ----------------------------------------------------------------------------------

    def _compile(self, node: Node) -> Any:
        if isinstance(node, (Term, Phrase)):
            return self._leaf(terms.leaf(node))
        if isinstance(node, MatchAll):
            return _zero(wq.Every())
        if isinstance(node, DateRange):
            start, end = terms.micros_bounds(node)
            return _zero(wq.NumericRange("published", start, end, endexcl=end is not None))
        if isinstance(node, IdRange):
            bounds = terms.id_bounds(node)
            if bounds is None:
                return wq.NullQuery
            return _zero(wq.NumericRange("num", bounds[0], bounds[1]))
        if isinstance(node, And):
            must, must_not = terms.split_and(node)
            positive = [self._compile(c) for c in must] or [_zero(wq.Every())]
            required = positive[0] if len(positive) == 1 else wq.And(positive)
            if not must_not:
                return required
            negative = [self._compile(c) for c in must_not]
            return wq.And(
                [required, _excluding(negative[0] if len(negative) == 1 else wq.Or(negative))]
            )
        if isinstance(node, Or):
            return wq.Or([self._compile(c) for c in node.children])
        if isinstance(node, Not):
            return _excluding(self._compile(node.child))
        raise EngineError(f"unknown query node {node!r}")

    def _leaf(self, leaf: terms.Leaf) -> Any:
        if leaf.empty:
            return wq.NullQuery
        if leaf.kind in _WHOLE_VALUE_FIELDS:
            return _zero(wq.Term(_WHOLE_VALUE_FIELDS[leaf.kind], leaf.key))
        if leaf.kind in _SINGLE:
            field = _SINGLE[leaf.kind]
            if len(leaf.folded) == 1:
                return wq.Term(field, leaf.folded[0])
            return wq.Phrase(field, list(leaf.folded))
        if leaf.exact_only:
            return self._match(_EXACT[leaf.kind], leaf.exact)
        folded = self._match(_FOLDED[leaf.kind], leaf.folded)
        if not leaf.bonus:
            return folded
        bonus = self._match(_EXACT[leaf.kind], leaf.exact, terms.EXACT_BOOST)
        return wq.AndMaybe(folded, bonus)

    def _match(
        self, fields: Sequence[tuple[str, str, float]], tokens: Sequence[str], boost: float = 1.0
    ) -> Any:
        queries: list[Any] = []
        for syllable_field, bigram_field, field_boost in fields:
            b = boost * field_boost
            if len(tokens) == 1:
                queries.append(wq.Term(syllable_field, tokens[0], boost=b))
            elif len(tokens) == 2:
                queries.append(wq.Term(bigram_field, terms.bigrams(tokens)[0], boost=b))
            else:
                queries.append(wq.Phrase(bigram_field, terms.bigrams(tokens), boost=b))
        return queries[0] if len(queries) == 1 else wq.Or(queries)


def _empty(searcher: Any) -> bool:
    """An index with no segments has no columns to read (whoosh raises NotImplementedError)."""
    return int(searcher.doc_count_all()) == 0


def _excluding(query: Any) -> Any:
    """Every document not matching `query`, scoring nothing.

    Not `AndNot`: whoosh 2.7's AndNotMatcher misses an exclusion when the excluded matcher
    starts before the first positive document of a segment (it only looks for equal first ids),
    so the first match of every segment can slip through. `Not` (an inverse matcher) is right.
    """
    return _zero(wq.Not(query))


def _zero(query: Any) -> Any:
    """Filters match without ranking: they add nothing to a document's score."""
    return wq.ConstantScoreQuery(query, 0.0)
