"""What a query is measured against: the articles of the same sources.

A query such as `bão source:vnexpress date:2026-11` names a topic (`bão`) and a scope (the
outlet, the month). Attention is the topic's share of the scope: the scope is every conjunct
of the query made only of fields that select articles by where or when they were published
(source, tag, lang, flag, status, dates) rather than by what they say, and the total of a
bucket is the `*` query within that scope. A conjunct that mixes both (`bão OR source:x`) is
topic.
"""

from __future__ import annotations

from index.query import And, DateRange, IdRange, MatchAll, Node, Not, Or, Phrase, Term, to_text

SCOPE_FIELDS = frozenset({"source", "tag", "lang", "flag", "status"})


def is_scope(node: Node) -> bool:
    """Whether `node` selects articles only by source, collection, language, flag or date."""
    if isinstance(node, (Term, Phrase)):
        return node.field in SCOPE_FIELDS
    if isinstance(node, (DateRange, IdRange, MatchAll)):
        return True
    if isinstance(node, Not):
        return is_scope(node.child)
    return all(is_scope(child) for child in node.children)


def scope_of(node: Node) -> tuple[Node, ...]:
    """The conjuncts of `node` that are scope; none means every article."""
    children = node.children if isinstance(node, And) else (node,)
    return tuple(c for c in children if is_scope(c) and not isinstance(c, MatchAll))


def scope_node(scope: tuple[Node, ...]) -> Node:
    """The `*` query within `scope`."""
    return And((MatchAll(), *scope)) if scope else MatchAll()


def common_scope(scopes: list[tuple[Node, ...]]) -> tuple[Node, ...]:
    """The conjuncts every scope shares, in the first one's order."""
    if not scopes:
        return ()
    shared = set(scopes[0]).intersection(*scopes[1:])
    return tuple(c for c in scopes[0] if c in shared)


def describe(scope: tuple[Node, ...]) -> str:
    """A scope in query syntax, for notes ("source:vnexpress tag:thoi-su"); `*` when empty."""
    # An OR among other conjuncts keeps its parentheses: AND binds tighter.
    return " ".join(f"({to_text(c)})" if isinstance(c, Or) else to_text(c) for c in scope) or "*"
