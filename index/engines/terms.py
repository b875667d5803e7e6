"""How a document and a query word become index terms, the same for every engine.

Both engines index the same terms, computed here once per document, so they agree on what
matches; they differ only in how they store and run them.

Fields (as terms):

* title / text, each in two forms: exact tokens (lowercase, diacritics kept, tone placement
  unified) and folded tokens (no diacritics, đ→d), both from `analysis.analyze`.
* source: the folded tokens of the name joined by a space and without a space
  ("Tuổi Trẻ" → "tuoi tre", "tuoitre"), matched as a whole value.
* lang: the lowercased language code; author: folded tokens; url: folded `TOKEN_RE` tokens of
  the URL, so `url:vnexpress.net` is a phrase of "vnexpress" "net".
* labels: `field:value` keys, the value folded and its words joined by "_" ("tag:bao_quoc_gia"),
  one term each, matched as whole values by `flag:`, `tag:` and `status:`.
* published: microseconds since the epoch, UTC.
* number: the id as an integer when it is a decimal number (`id_number`), for `IdRange` and
  for reading ids without opening stored documents.

Exact matching (`=word`) applies to title and text; author, url, source and lang are always
matched folded. A query word with no letters or digits at all matches nothing (the parser drops
such words, so this only concerns hand-built trees).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from index.analysis import TOKEN_RE, analyze, fold, folded_tokens, nfc
from index.errors import EngineError
from index.model import Document, Hit, Snippet
from index.query import LABEL_FIELDS, And, DateRange, IdRange, Node, Not, Or, Phrase, Term
from index.snippets import make_snippet

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROS_PER_DAY = 86_400_000_000
# Tokens this long are never words (base64, minified code); capping them keeps every engine
# under its own term-length limit. Truncating instead of dropping keeps positions intact.
MAX_TOKEN_CHARS = 100

TITLE_BOOST = 2.0
# Weight of the clause that rewards the exact (diacritic) form of a word in folded searches.
EXACT_BOOST = 1.5

FieldKind = Literal["default", "title", "author", "url", "source", "lang", "label"]
_SCORED_FIELDS = (None, "title", "author", "url")


# --- dates ----------------------------------------------------------------------------------------


def to_micros(moment: datetime) -> int:
    """Microseconds since the epoch; a naive datetime is taken to be UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // timedelta(microseconds=1)


def from_micros(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def day_of(micros: int, utc_offset: timedelta) -> date:
    return (EPOCH + timedelta(microseconds=micros) + utc_offset).date()


def micros_bounds(node: DateRange) -> tuple[int | None, int | None]:
    """[start, end) of a date range in microseconds."""
    start = None if node.start is None else to_micros(node.start)
    end = None if node.end is None else to_micros(node.end)
    return start, end


# --- documents ------------------------------------------------------------------------------------


def _capped(tokens: list[str]) -> list[str]:
    if tokens and max(map(len, tokens)) > MAX_TOKEN_CHARS:
        return [t[:MAX_TOKEN_CHARS] for t in tokens]
    return tokens


def _capped_pair(exact: list[str], folded: list[str]) -> tuple[list[str], list[str]]:
    """Both forms of a text's tokens, capped. Folding never lengthens a token (checked over
    all of Unicode), so when no exact token is too long no folded one is: one scan, not two."""
    if exact and max(map(len, exact)) > MAX_TOKEN_CHARS:
        return _capped(exact), _capped(folded)
    return exact, folded


@dataclass(frozen=True, slots=True)
class Analyzed:
    """A document's index terms (each token list as one space-joined string) and stored values.

    Token strings are space-joined because both engines split them on whitespace faster than
    they accept token objects from Python. The token lists are those strings split again (no
    token holds a space), not kept: an analysed document sent from another process (a Dask
    worker) is then a third of the size, and a fraction of the time to unpickle.
    """

    id: str
    title_exact: str
    title_folded: str
    text_exact: str
    text_folded: str
    source: str
    source_keys: tuple[str, ...]
    lang: str
    author: str
    url: str
    labels: tuple[str, ...]
    published: int | None
    number: int | None
    stored: bytes

    @property
    def title_tokens(self) -> tuple[list[str], list[str]]:
        """(exact, folded) tokens of the title."""
        return _split(self.title_exact), _split(self.title_folded)

    @property
    def text_tokens(self) -> tuple[list[str], list[str]]:
        """(exact, folded) tokens of the text."""
        return _split(self.text_exact), _split(self.text_folded)


def _split(joined: str) -> list[str]:
    # The tokens `" ".join` was given; a lone empty token comes back as none, which no field
    # made from tokens (bigrams) tells apart.
    return joined.split(" ") if joined else []


def analyze_document(doc: Document) -> Analyzed:
    """Every term and stored value of `doc`, computed once for all fields."""
    title_x, title_f = _capped_pair(*analyze(doc.title))
    text_x, text_f = _capped_pair(*analyze(doc.text))
    source = nfc(doc.source)
    published = None if doc.published is None else to_micros(doc.published)
    stored = json.dumps(
        [
            doc.id,
            doc.url,
            nfc(doc.title),
            source,
            published,
            doc.language,
            doc.author,
            # Snippets are cut from NFC text.
            nfc(doc.text),
        ],
        ensure_ascii=False,
    ).encode("utf-8")
    return Analyzed(
        id=doc.id,
        title_exact=" ".join(title_x),
        title_folded=" ".join(title_f),
        text_exact=" ".join(text_x),
        text_folded=" ".join(text_f),
        source=source,
        source_keys=source_keys(doc.source),
        lang=lang_key(doc.language or ""),
        author=" ".join(_capped(folded_tokens(doc.author or ""))),
        url=" ".join(url_tokens(doc.url)),
        labels=tuple(sorted({label_key(field, value) for field, value in doc.labels})),
        published=published,
        number=id_number(doc.id),
        stored=stored,
    )


def analyze_documents(docs: list[Document]) -> list[Analyzed]:
    """`analyze_document` of each: what may be done elsewhere (another process or machine)
    before an engine's `add_analyzed`."""
    return [analyze_document(doc) for doc in docs]


# Joins the two syllables of a bigram term; never inside a token (TOKEN_RE excludes "_").
BIGRAM_JOIN = "_"


def bigrams(tokens: Sequence[str]) -> list[str]:
    """Adjacent token pairs as single terms: "a b c" → "a_b", "b_c"."""
    return list(map(BIGRAM_JOIN.join, itertools.pairwise(tokens)))


def bigram_text(tokens: Sequence[str]) -> str:
    """`bigrams` space-joined, as the engines take token lists."""
    return " ".join(map(BIGRAM_JOIN.join, itertools.pairwise(tokens)))


# Ids up to this are stored as numbers (both engines keep signed 64-bit integers).
MAX_ID_NUMBER = 2**63 - 1


def id_number(doc_id: str) -> int | None:
    """The id as a number when it is one written in ASCII decimal digits (as `str(int)` writes
    it: "007" is not 7, which "7" is), else None."""
    if not (doc_id.isascii() and doc_id.isdigit()):
        return None
    number = int(doc_id)
    return number if number <= MAX_ID_NUMBER and str(number) == doc_id else None


def id_bounds(node: IdRange) -> tuple[int, int] | None:
    """[low, high] of an id range clamped to the numbers ids can have; None when empty."""
    low = 0 if node.low is None else max(node.low, 0)
    high = MAX_ID_NUMBER if node.high is None else min(node.high, MAX_ID_NUMBER)
    return (low, high) if low <= high else None


def source_keys(source: str) -> tuple[str, ...]:
    """The whole-value keys a source is found by: folded words with and without spaces."""
    tokens = _capped(folded_tokens(source))
    spaced, joined = " ".join(tokens), "".join(tokens)
    return (spaced,) if spaced == joined else (spaced, joined)


def lang_key(lang: str) -> str:
    return fold(lang.strip())


def label_key(field: str, value: str) -> str:
    """The term of a label: its field and its folded words joined by "_" (no spaces, which
    both engines would split on)."""
    return f"{field}:{'_'.join(_capped(folded_tokens(value)))}"


def url_tokens(url: str) -> list[str]:
    return _capped(TOKEN_RE.findall(fold(nfc(url))))


@dataclass(frozen=True, slots=True)
class StoredDoc:
    id: str
    url: str
    title: str
    source: str
    published: int | None
    language: str | None
    author: str | None
    text: str


def load_stored(blob: bytes) -> StoredDoc:
    doc_id, url, title, source, published, language, author, text = json.loads(blob)
    return StoredDoc(doc_id, url, title, source, published, language, author, text)


def make_hit(stored: StoredDoc, score: float, query: Node, snippets: bool) -> Hit:
    return Hit(
        id=stored.id,
        score=score,
        url=stored.url,
        title=stored.title,
        source=stored.source,
        published=None if stored.published is None else from_micros(stored.published),
        language=stored.language,
        author=stored.author,
        snippet=make_snippet(stored.text, query) if snippets else Snippet(""),
    )


# --- queries --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Leaf:
    """A Term or Phrase reduced to what an engine looks up.

    For text-like fields `exact` and `folded` are the token sequences (a phrase when longer
    than one); for source and lang `key` is the whole value. `bonus` is set when a folded
    search should also reward the exact form, i.e. when the query word carries diacritics.
    """

    kind: FieldKind
    exact_only: bool
    exact: tuple[str, ...]
    folded: tuple[str, ...]
    key: str = ""

    @property
    def empty(self) -> bool:
        return not (self.key or self.folded)

    @property
    def bonus(self) -> bool:
        return not self.exact_only and self.exact != self.folded


def leaf(node: Term | Phrase) -> Leaf:
    words = (node.text,) if isinstance(node, Term) else node.words
    field = node.field
    if field == "source":
        return Leaf("source", False, (), (), source_keys(" ".join(words))[0])
    if field == "lang":
        return Leaf("lang", False, (), (), lang_key(" ".join(words)))
    if field in LABEL_FIELDS:
        return Leaf("label", False, (), (), label_key(field, " ".join(words)))
    if field == "url":
        tokens = tuple(url_tokens(" ".join(words)))
        return Leaf("url", False, tokens, tokens)
    exact: list[str] = []
    folded: list[str] = []
    for word in words:
        x, f = analyze(word)
        exact += x
        folded += f
    exact, folded = _capped(exact), _capped(folded)
    if field == "author":
        # Authors are indexed folded only: a name is found however it is accented.
        return Leaf("author", False, tuple(folded), tuple(folded))
    if field not in (None, "title"):
        raise EngineError(f"unknown field {field!r} in query")
    kind: FieldKind = "default" if field is None else "title"
    return Leaf(kind, node.exact, tuple(exact), tuple(folded))


def is_scored(node: Node) -> bool:
    """Whether any clause of `node` ranks documents (words in text fields).

    Filters (source, lang, dates, `*`) score zero in every engine, so a query made only of them
    ranks every match equally and "relevance" is the newest-first order.
    """
    if isinstance(node, (Term, Phrase)):
        return node.field in _SCORED_FIELDS
    if isinstance(node, (And, Or)):
        return any(is_scored(c) for c in node.children)
    return False


def split_and(node: And) -> tuple[list[Node], list[Node]]:
    """The children that must match and the children (unwrapped) that must not."""
    must: list[Node] = []
    must_not: list[Node] = []
    for child in node.children:
        if isinstance(child, Not):
            must_not.append(child.child)
        else:
            must.append(child)
    return must, must_not
