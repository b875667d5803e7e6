"""The query language and its engine-neutral tree.

Grammar (informal; words are ANDed when nothing joins them):

    query    := or_expr
    or_expr  := and_expr ("OR" and_expr)*
    and_expr := unary (["AND"] unary)*   (implicit AND; an explicit "AND" is accepted too)
    unary    := ("-" | "NOT") unary | atom
    atom     := "(" or_expr ")" | "*" | [field ":"] ["="] (word | "phrase")
              | "date:" interval
    field    := title | source | url | lang | author | flag | tag | status

Precedence is the usual one: AND (written or implied) binds tighter than OR, so `a OR b c` is
`a OR (b AND c)`. `OR`, `AND` and `NOT` are operators only when written in capitals and standing
alone; "or" is an ordinary word, and so is `-OR` or `"OR"`.

Words. A word is what lies between spaces, parentheses and quotes; it is split by the same rule
as indexed text (`analysis.TOKEN_RE`), so `covid-19` or `Hà-Nội` becomes a phrase of its parts,
and a word with no letters or digits at all (a lone `-` or `…`) is dropped. Terms and phrases
store those parts NFC'd but otherwise as typed (case and tone placement kept): the engines run
every word through `index.analysis`, and keeping the typed form is what lets `exact=True` and
`=word` still see the diacritics. A phrase of one word is a `Term`. Quotes may be ASCII `"` or
typographic `“ ”`, as pasted from news pages.

`=word` / `="a phrase"` / `title:=word` match exactly (diacritics kept); everything else is
folded (`exact=True` makes every word exact).

Labels. `flag:`, `tag:` and `status:` match the labels a document carries (`Document.labels`),
whole values folded like words: `flag:not_article`, `-flag:short`, `tag:"báo quốc gia"`.

Dates are in UTC and become a half-open interval [start, end). A date names a period (a year
`2026`, a month `2026-01` or a day `2026-01-19`); as the start of a range it means the period's
first instant, as the end the instant just after the period, so both ends are inclusive:
`date:2026-01-19/2026-01-25` ends at 2026-01-26T00:00Z, `date:2026-01/` starts on 1 January,
`date:/2026-02` ends at 1 March, `date:2026-01` is January. An instant such as
`2026-01-19T08:30Z` is also accepted and is used as is at either end. A duration
(`P7D`, `P1W`, `PT12H`, `P1M`, `P1Y2M3DT4H`) counts back from `now`: `date:P7D/` (or just
`date:P7D`) means the last seven days. Months and years are calendar ones (`P1M` from 31 March
is 28 or 29 February), weeks are seven days. A duration may only start an open range. (Dates
are read and written back by `index.query_dates`.)

A query made only of exclusions (`-bóng`) matches every document except those, and is
`And((MatchAll(), Not(...)))`; the same grounding is applied to negative-only branches of an OR,
so every engine can run the tree without special cases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Literal

from index.analysis import TOKEN_RE, folded_tokens, nfc
from index.errors import QuerySyntaxError
from index.nodes import And, DateRange, IdRange, MatchAll, Node, Not, Or, Phrase, Term
from index.query_dates import as_utc, parse_interval, render_interval

__all__ = [
    "DATE_FIELD",
    "FIELDS",
    "LABEL_FIELDS",
    "And",
    "DateRange",
    "IdRange",
    "MatchAll",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "Term",
    "label_value",
    "parse",
    "positive_terms",
    "to_text",
]

# Fields whose value is one of a document's labels, not words of its text.
LABEL_FIELDS = ("flag", "tag", "status")
FIELDS = ("title", "source", "url", "lang", "author", *LABEL_FIELDS)
DATE_FIELD = "date"


def parse(
    query: str, *, exact: bool = False, now: datetime | None = None, zone: tzinfo = UTC
) -> Node:
    """Parse `query` into a tree. `exact=True` makes every word exact, as `--exact` does.

    `now` (default: the current time) anchors relative dates such as `date:P7D/`; a naive
    datetime is taken to be UTC. Days, months and years in `date:` (and instants written
    without an offset) are those of `zone`, UTC by default; the tree holds UTC instants.
    Raises `QuerySyntaxError` naming the position that is wrong.
    """
    if not query.strip():
        raise QuerySyntaxError("empty query", query, 0)
    now = datetime.now(UTC) if now is None else as_utc(now)
    tokens = _Lexer(query, now, zone).tokens()
    node = _Parser(query, tokens, exact).parse()
    if node is None:
        first = len(query) - len(query.lstrip())
        raise QuerySyntaxError("the query has no words to search for", query, first)
    return _ground(_simplify(node))


def label_value(value: str) -> str:
    """How a label's value is matched and counted: its folded words joined by "_".

    `tag:"Báo quốc gia"` matches the label ("tag", "bao quoc gia"); the engines count labels
    under this form (`Engine.label_counts`), which an application maps back to its own names.
    """
    return "_".join(folded_tokens(value))


def positive_terms(node: Node) -> list[Term | Phrase]:
    """The Term and Phrase nodes a matching document contains (not the excluded ones).

    In tree order, duplicates kept. A doubly negated node counts as positive.
    """
    out: list[Term | Phrase] = []
    _collect_positive(node, False, out)
    return out


def to_text(node: Node) -> str:
    """Render a tree back into query syntax, for display.

    `parse(to_text(tree)) == tree` for every tree `parse` returns. Hand-built trees render too,
    but may come back in simplified form (a single-child And, say, comes back as its child);
    an IdRange has no syntax and raises ValueError.
    """
    if isinstance(node, Term):
        return _field_prefix(node.field, node.exact) + _render_word(node.text)
    if isinstance(node, Phrase):
        return _field_prefix(node.field, node.exact) + '"' + " ".join(node.words) + '"'
    if isinstance(node, DateRange):
        return f"{DATE_FIELD}:{render_interval(node.start, node.end)}"
    if isinstance(node, MatchAll):
        return "*"
    if isinstance(node, IdRange):
        raise ValueError(f"{node!r} has no query syntax")
    if isinstance(node, Not):
        inner = to_text(node.child)
        return f"-({inner})" if isinstance(node.child, (And, Or)) else f"-{inner}"
    if isinstance(node, And):
        return " ".join(
            f"({to_text(c)})" if isinstance(c, Or) else to_text(c) for c in node.children
        )
    return " OR ".join(
        f"({to_text(c)})" if isinstance(c, Or) else to_text(c) for c in node.children
    )


# --- tokens -------------------------------------------------------------------------------------

_QUOTES = '"“”'
_WORD_END = frozenset("()" + _QUOTES)
_Kind = Literal["(", ")", "OR", "AND", "NOT", "-", "*", "WORD", "PHRASE", "DATE"]
_KEYWORDS: dict[str, _Kind] = {"OR": "OR", "AND": "AND", "NOT": "NOT"}
_PARENS: dict[str, _Kind] = {"(": "(", ")": ")"}
# Field names are ASCII: "tướng:" in pasted Vietnamese text is never an attempt at a field.
_FIELD_RE = re.compile(r"([A-Za-z]+):")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: _Kind
    pos: int
    text: str = ""
    field: str | None = None
    exact: bool = False
    dates: DateRange | None = None


class _Lexer:
    """Splits a query into tokens, keeping each token's offset in the query as typed."""

    def __init__(self, query: str, now: datetime, zone: tzinfo) -> None:
        self.query = query
        self.now = now
        self.zone = zone

    def error(self, message: str, position: int) -> QuerySyntaxError:
        return QuerySyntaxError(message, self.query, position)

    def tokens(self) -> list[_Token]:
        q, n = self.query, len(self.query)
        out: list[_Token] = []
        i = 0
        # After a "-" the next word is a word even if it is spelled OR, AND or NOT.
        literal = False
        while i < n:
            c = q[i]
            if c.isspace():
                i += 1
                literal = False
            elif c in "()":
                out.append(_Token(_PARENS[c], i))
                i += 1
                literal = False
            elif c == "-" and i + 1 < n and not q[i + 1].isspace() and q[i + 1] != ")":
                out.append(_Token("-", i))
                i += 1
                literal = True
            else:
                token, i = self.term(i, literal)
                out.append(token)
                literal = False
        return out

    def term(self, i: int, literal: bool) -> tuple[_Token, int]:
        """The word, phrase or date starting at `i` (which is not a space or parenthesis)."""
        q = self.query
        m = _FIELD_RE.match(q, i)
        # "http://…" is a pasted address, not a field named "http".
        if m is not None and not q.startswith("//", m.end()):
            name = m.group(1).lower()
            if name == DATE_FIELD:
                return self.date(i, m.end())
            if name in FIELDS:
                return self.value(m.end(), i, name)
            if m.end() < len(q) and not q[m.end()].isspace() and q[m.end()] != ")":
                raise self.error(
                    f"unknown field {m.group(1)!r}; fields are {', '.join(FIELDS)}, date"
                    f" (put the text in quotes to search for it as words)",
                    i,
                )
        if q[i] in _QUOTES:
            return self.value(i, i, None)
        if q[i] == "=" and i + 1 < len(q) and (q[i + 1] in _QUOTES or not self._ends_word(i + 1)):
            return self.value(i, i, None)
        end = self.word_end(i)
        text = q[i:end]
        if text == "*":
            return _Token("*", i), end
        if text in _KEYWORDS and not literal:
            return _Token(_KEYWORDS[text], i), end
        return _Token("WORD", i, text), end

    def value(self, i: int, start: int, field: str | None) -> tuple[_Token, int]:
        """An optionally `=`-prefixed word or quoted phrase at `i`; the token starts at `start`."""
        q, n = self.query, len(self.query)
        exact = False
        if i < n and q[i] == "=":
            exact = True
            i += 1
        if field is not None and (i >= n or q[i].isspace() or q[i] == ")"):
            raise self.error(f"expected a word or a quoted phrase after '{field}:'", start)
        if field is not None and q[i] == "(":
            raise self.error(
                f"'{field}:' applies to one word or one quoted phrase, not to parentheses",
                i,
            )
        if q[i] in _QUOTES:
            close = next((k for k in range(i + 1, n) if q[k] in _QUOTES), -1)
            if close < 0:
                raise self.error("unterminated quote", i)
            return _Token("PHRASE", start, q[i + 1 : close], field, exact), close + 1
        end = self.word_end(i)
        return _Token("WORD", start, q[i:end], field, exact), end

    def date(self, start: int, i: int) -> tuple[_Token, int]:
        end = self.word_end(i)
        if end == i:
            raise self.error("expected a date after 'date:', like date:2026-01-19", start)
        dates = DateRange(*parse_interval(self.query, self.query[i:end], i, self.now, self.zone))
        return _Token("DATE", start, dates=dates), end

    def word_end(self, i: int) -> int:
        n = len(self.query)
        while i < n and not self._ends_word(i):
            i += 1
        return i

    def _ends_word(self, i: int) -> bool:
        c = self.query[i]
        return c.isspace() or c in _WORD_END


# --- parser -------------------------------------------------------------------------------------


# Deeper nesting than any person writes; the limit keeps a pasted "((((…" from exhausting the
# Python stack here or in the engines that walk the tree.
_MAX_DEPTH = 100


class _Parser:
    """Recursive descent over the tokens. Methods return None for parts that hold no words."""

    def __init__(self, query: str, tokens: list[_Token], exact: bool) -> None:
        self.query = query
        self.tokens = tokens
        self.exact = exact
        self.i = 0
        self.depth = 0

    def enter(self, tok: _Token) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise self.error(f"the query nests deeper than {_MAX_DEPTH} levels", tok.pos)

    def error(self, message: str, position: int) -> QuerySyntaxError:
        return QuerySyntaxError(message, self.query, position)

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def parse(self) -> Node | None:
        node = self.or_expr()
        tok = self.peek()
        if tok is not None:
            # or_expr stops early only at a ")" that nothing opened.
            raise self.error("unbalanced parenthesis: this ')' closes nothing", tok.pos)
        return node

    def or_expr(self) -> Node | None:
        parts = [self.and_expr()]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.i += 1
            after = self.peek()
            if after is None or after.kind in (")", "OR", "AND"):
                raise self.error("OR needs a term after it", tok.pos)
            parts.append(self.and_expr())
        kept = tuple(p for p in parts if p is not None)
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else Or(kept)

    def and_expr(self) -> Node | None:
        items: list[Node] = []
        seen = False  # a term was read, even one without words
        while (tok := self.peek()) is not None and tok.kind not in (")", "OR"):
            if tok.kind == "AND":
                self.i += 1
                after = self.peek()
                if not seen:
                    raise self.error("AND needs a term before it", tok.pos)
                if after is None or after.kind in (")", "OR", "AND"):
                    raise self.error("AND needs a term after it", tok.pos)
                continue
            seen = True
            node = self.unary()
            if node is not None:
                items.append(node)
        if tok is not None and tok.kind == "OR" and not seen:
            raise self.error("OR needs a term before it", tok.pos)
        if not items:
            return None
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self) -> Node | None:
        tok = self.tokens[self.i]
        if tok.kind not in ("-", "NOT"):
            return self.atom()
        self.i += 1
        after = self.peek()
        if after is None or after.kind in (")", "OR", "AND"):
            raise self.error(f"{tok.kind} needs a term after it", tok.pos)
        self.enter(tok)
        child = self.unary()
        self.depth -= 1
        return None if child is None else Not(child)

    def atom(self) -> Node | None:
        tok = self.tokens[self.i]
        self.i += 1
        if tok.kind == "(":
            after = self.peek()
            if after is not None and after.kind == ")":
                raise self.error("empty parentheses", tok.pos)
            self.enter(tok)
            inner = self.or_expr()
            self.depth -= 1
            close = self.peek()
            if close is None:
                raise self.error("unbalanced parenthesis: this '(' is never closed", tok.pos)
            self.i += 1
            return inner
        if tok.kind == "*":
            return MatchAll()
        if tok.dates is not None:
            return tok.dates
        if tok.kind in ("WORD", "PHRASE"):
            return self.words(tok)
        raise self.error(f"unexpected {tok.kind}", tok.pos)  # pragma: no cover - guarded above

    def words(self, tok: _Token) -> Node | None:
        words = tuple(TOKEN_RE.findall(nfc(tok.text)))
        exact = tok.exact or self.exact
        if not words:
            return None
        if len(words) == 1:
            return Term(words[0], tok.field, exact)
        return Phrase(words, tok.field, exact)


# --- tree utilities -----------------------------------------------------------------------------


def _simplify(node: Node) -> Node:
    """Flatten nested And/Or, collapse single children, drop double negation and spare `*`."""
    if isinstance(node, Not):
        child = _simplify(node.child)
        return child.child if isinstance(child, Not) else Not(child)
    if isinstance(node, And):
        flat: list[Node] = []
        for c in node.children:
            s = _simplify(c)
            flat.extend(s.children if isinstance(s, And) else (s,))
        # `*` adds nothing next to another condition; it is put back below when every remaining
        # child is an exclusion, so `* -a` and `-a` give the same tree.
        kept: list[Node] = [c for c in flat if not isinstance(c, MatchAll)]
        if not kept:
            return MatchAll()
        if all(isinstance(c, Not) for c in kept):
            kept.insert(0, MatchAll())
        return kept[0] if len(kept) == 1 else And(tuple(kept))
    if isinstance(node, Or):
        flat = []
        for c in node.children:
            s = _simplify(c)
            flat.extend(s.children if isinstance(s, Or) else (s,))
        return flat[0] if len(flat) == 1 else Or(tuple(flat))
    return node


def _ground(node: Node) -> Node:
    """Give every exclusion something to exclude from: a bare Not becomes `* -x`.

    Expects a simplified tree, in which an And of exclusions already starts with MatchAll.
    """
    if isinstance(node, Not):
        return And((MatchAll(), Not(_ground_inside(node.child))))
    if isinstance(node, Or):
        return Or(tuple(_ground(c) for c in node.children))
    if isinstance(node, And):
        return And(
            tuple(
                Not(_ground_inside(c.child)) if isinstance(c, Not) else _ground(c)
                for c in node.children
            )
        )
    return node


def _ground_inside(node: Node) -> Node:
    # Under a Not the child is a set to subtract; its own exclusions need grounding, itself not.
    if isinstance(node, (Or, And)):
        return _ground(node)
    return node


def _collect_positive(node: Node, negated: bool, out: list[Term | Phrase]) -> None:
    if isinstance(node, (Term, Phrase)):
        if not negated:
            out.append(node)
    elif isinstance(node, Not):
        _collect_positive(node.child, not negated, out)
    elif isinstance(node, (And, Or)):
        for child in node.children:
            _collect_positive(child, negated, out)


def _field_prefix(field: str | None, exact: bool) -> str:
    return (f"{field}:" if field else "") + ("=" if exact else "")


def _render_word(text: str) -> str:
    # A keyword or anything that is not one plain token would be read differently unquoted.
    if text in _KEYWORDS or TOKEN_RE.fullmatch(text) is None:
        return f'"{text}"'
    return text
