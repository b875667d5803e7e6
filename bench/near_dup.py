"""Measure near-duplicate detection on synthetic Vietnamese articles; print one JSON line.

    python bench/near_dup.py [--docs 2000] [--copies 300] [--seed 42]

The corpus is `corpus.articles` (`--chars` 2,650: ~600 words each; the title line is part of
the fingerprinted text). From it come three sets:

* copies: `--copies` edited copies of random originals, one edit kind each, in turn: a new
  title, a lead sentence added, the first sentences removed, a TTXVN credit (dateline, photo
  credit, "Theo TTXVN"), 10% or 20% of sentences edited, the tail cut to 70%, and all of a new
  title, a credit, 10% edited and the tail cut to 80% together;
* same-event reports: as many new articles that each share 20% of their sentences with one
  original (the quotes and figures two outlets both report) and are otherwise their own;
* the originals themselves, unrelated to each other.

Output keys: words_mean; fingerprint_per_s (texts/s, one core); fingerprint_bytes;
keys_per_article; jaccard_error (mean and max |estimate - exact Jaccard| over copy pairs);
similarity (lowest copy, highest same-event pair); detected (by edit kind: share of copies at
or above the threshold); false_negative_rate (copies below it, or cut below MIN_WORDS: counted
in copies_unfingerprinted and scored 0); lsh_recall (copies sharing a key
with their original); false_positive_rate (same-event pairs at or above it); random_pairs_flagged
(pairs of unrelated originals at or above it, all pairs checked through the LSH keys);
candidates_per_lookup; clusters (streaming every text in random order through `Clusterer`:
copies_joined, the share of copies in their original's cluster, and wrong_merges, texts in a
cluster with a text of another story).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import statistics
import sys
import time
from collections.abc import Callable

import corpus

from index.analysis import folded_tokens
from monitor.extract.near_dup import (
    NEAR_DUPLICATE,
    SHINGLE,
    Clusterer,
    Fingerprint,
    fingerprint,
    lsh_keys,
    similarity,
)

SENTENCE_RE = re.compile(r"(?<=[.!?])\s+")


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_RE.split(text.replace("\n\n", " ")) if s]


def retitle(text: str, rng: random.Random, sampler: corpus.Sampler) -> str:
    body = text.split("\n", 1)[1]
    return sampler.phrase(rng, rng.randint(6, 14)).capitalize() + "\n" + body


def add_lead(text: str, rng: random.Random, sampler: corpus.Sampler) -> str:
    title, body = text.split("\n", 1)
    lead = " ".join(sampler.sentence(rng) for _ in range(2))
    return f"{title}\n{lead}\n{body}"


def remove_lead(text: str, rng: random.Random, sampler: corpus.Sampler) -> str:
    title, body = text.split("\n", 1)
    return title + "\n" + " ".join(sentences(body)[2:])


def credit(text: str, rng: random.Random, sampler: corpus.Sampler) -> str:
    title, body = text.split("\n", 1)
    parts = sentences(body)
    middle = len(parts) // 2
    parts.insert(middle, "Ảnh minh hoạ: TTXVN.")
    return f"{title}\nHà Nội (TTXVN) - " + " ".join(parts) + "\nTheo TTXVN"


def edit(share: float) -> Callable[[str, random.Random, corpus.Sampler], str]:
    """Edit `share` of the sentences: a third of their words changed, or the sentence rewritten."""

    def run(text: str, rng: random.Random, sampler: corpus.Sampler) -> str:
        title, body = text.split("\n", 1)
        parts = sentences(body)
        for i in rng.sample(range(len(parts)), max(1, round(len(parts) * share))):
            if rng.random() < 0.3:
                parts[i] = sampler.sentence(rng)
                continue
            words = parts[i].split()
            for _ in range(max(1, len(words) // 3)):
                words[rng.randrange(len(words))] = sampler.phrase(rng, 1)
            parts[i] = " ".join(words)
        return title + "\n" + " ".join(parts)

    return run


def truncate(keep: float) -> Callable[[str, random.Random, corpus.Sampler], str]:
    """Keep the first `keep` of the words, cut at a sentence end."""

    def run(text: str, rng: random.Random, sampler: corpus.Sampler) -> str:
        title, body = text.split("\n", 1)
        parts = sentences(body)
        target = keep * len(body.split())
        kept: list[str] = []
        words = 0
        for sentence in parts:
            if words >= target:
                break
            kept.append(sentence)
            words += len(sentence.split())
        return title + "\n" + " ".join(kept)

    return run


def combined(text: str, rng: random.Random, sampler: corpus.Sampler) -> str:
    for step in (retitle, credit, edit(0.10), truncate(0.8)):
        text = step(text, rng, sampler)
    return text


EDITS: dict[str, Callable[[str, random.Random, corpus.Sampler], str]] = {
    "new_title": retitle,
    "lead_added": add_lead,
    "lead_removed": remove_lead,
    "ttxvn_credit": credit,
    "edited_10pct": edit(0.10),
    "edited_20pct": edit(0.20),
    "truncated_70pct": truncate(0.70),
    "combined": combined,
}


def same_event(text: str, rng: random.Random, sampler: corpus.Sampler) -> str:
    """Another outlet's own report: 20% of its sentences shared with `text`, in its own order."""
    parts = sentences(text.split("\n", 1)[1])
    shared = rng.sample(parts, max(1, round(len(parts) * 0.2)))
    own = [sampler.sentence(rng) for _ in range(len(parts) - len(shared))]
    mixed = shared + own
    rng.shuffle(mixed)
    return sampler.phrase(rng, 10).capitalize() + "\n" + " ".join(mixed)


def exact_jaccard(a: str, b: str) -> float:
    def shingles(text: str) -> set[str]:
        t = folded_tokens(text)
        return {" ".join(t[i : i + SHINGLE]) for i in range(len(t) - SHINGLE + 1)}

    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


Copy = tuple[int, str, str]  # (original index, kind, text)
Event = tuple[int, str]  # (original index, text of another report of the same event)


def texts(
    args: argparse.Namespace, rng: random.Random
) -> tuple[list[str], list[Copy], list[Event]]:
    """The originals, their edited copies and other reports of the same events."""
    sampler = corpus.sample_sentences(args.seed + 1)
    originals = [
        f"{d.title}\n{d.text}"
        for d in corpus.articles(args.docs, args.seed, target_chars=args.chars)
    ]
    kinds = list(EDITS)
    copies: list[Copy] = []
    for i in range(args.copies):
        kind = kinds[i % len(kinds)]
        source = rng.randrange(args.docs)
        copies.append((source, kind, EDITS[kind](originals[source], rng, sampler)))
    events = [
        (s, same_event(originals[s], rng, sampler))
        for s in rng.sample(range(args.docs), args.copies)
    ]
    return originals, copies, events


def original_fingerprints(originals: list[str]) -> tuple[list[Fingerprint], float]:
    """Every original's fingerprint, and the seconds they took."""
    start = time.perf_counter()
    fps = [fingerprint(t) for t in originals]
    elapsed = time.perf_counter() - start
    fp_of: list[Fingerprint] = []
    for fp in fps:
        if fp is None:
            sys.exit("an original is shorter than MIN_WORDS: raise --chars")
        fp_of.append(fp)
    return fp_of, elapsed


def copy_similarities(
    originals: list[str],
    fp_of: list[Fingerprint],
    copies: list[Copy],
    copy_fps: list[Fingerprint | None],
) -> tuple[dict[str, list[float]], list[float], int, int]:
    """Per kind of edit, each copy's similarity to its original; the errors against exact
    Jaccard; how many copies share an LSH key with their original; how many got no fingerprint."""
    copy_scores: dict[str, list[float]] = {kind: [] for kind in EDITS}
    errors: list[float] = []
    shared_key = 0
    # A copy cut below MIN_WORDS gets no fingerprint: it is counted as missed.
    unfingerprinted = 0
    for (source, kind, text), fp in zip(copies, copy_fps, strict=True):
        if fp is None:
            unfingerprinted += 1
            copy_scores[kind].append(0.0)
            continue
        score = similarity(fp, fp_of[source])
        copy_scores[kind].append(score)
        errors.append(abs(score - exact_jaccard(text, originals[source])))
        shared_key += bool(set(lsh_keys(fp)) & set(lsh_keys(fp_of[source])))
    return copy_scores, errors, shared_key, unfingerprinted


def random_pairs(fp_of: list[Fingerprint]) -> tuple[int, int]:
    """Candidates looked up and pairs flagged among the originals, which share no story."""
    clusterer = Clusterer()
    looked_up = 0
    flagged = 0
    for i, fp in enumerate(fp_of):
        found = clusterer.candidates(fp)
        looked_up += len(found)
        flagged += sum(similarity(fp, fp_of[c]) >= NEAR_DUPLICATE for c in found)
        clusterer.add(i, fp)
    return looked_up, flagged


def streamed_clusters(
    docs: int,
    fp_of: list[Fingerprint],
    copies: list[Copy],
    copy_fps: list[Fingerprint | None],
    event_fps: list[Fingerprint | None],
    rng: random.Random,
) -> dict[str, float | int]:
    """Everything clustered in random order: copies joined to their original, wrong merges."""
    # Truth: a story id per text.
    stream: list[tuple[int, int, Fingerprint | None]] = [(i, i, fp) for i, fp in enumerate(fp_of)]
    stream += [
        (docs + k, source, fp)
        for k, ((source, _, _), fp) in enumerate(zip(copies, copy_fps, strict=True))
    ]
    stream += [
        (docs + len(copies) + k, docs + len(copies) + k, fp) for k, fp in enumerate(event_fps)
    ]
    rng.shuffle(stream)
    streamed = Clusterer()
    story: dict[int, int] = {}
    for article_id, truth, fp in stream:
        streamed.add(article_id, fp)
        story[article_id] = truth
    joined = sum(
        streamed.cluster_of(docs + k) == streamed.cluster_of(source)
        for k, (source, _, _) in enumerate(copies)
    )
    wrong = 0
    for members in streamed.clusters().values():
        stories = {story[m] for m in members}
        if len(stories) > 1:
            wrong += len(members)
    return {
        "copies_joined": round(joined / len(copies), 4),
        "wrong_merges": wrong,
        "count": len(streamed.clusters()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--copies", type=int, default=300)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--chars", type=int, default=2650, help="text length (2,650 characters ≈ 600 words)"
    )
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    originals, copies, events = texts(args, rng)
    print(
        f"{len(originals)} originals, {len(copies)} copies, {len(events)} same-event",
        file=sys.stderr,
    )
    fp_of, elapsed = original_fingerprints(originals)
    copy_fps = [fingerprint(text) for _, _, text in copies]
    event_fps = [fingerprint(text) for _, text in events]
    copy_scores, errors, shared_key, unfingerprinted = copy_similarities(
        originals, fp_of, copies, copy_fps
    )
    event_scores = [
        similarity(fp, fp_of[source])
        for (source, _), fp in zip(events, event_fps, strict=True)
        if fp is not None
    ]
    looked_up, flagged = random_pairs(fp_of)
    clusters = streamed_clusters(args.docs, fp_of, copies, copy_fps, event_fps, rng)

    all_copy_scores = list(itertools.chain.from_iterable(copy_scores.values()))
    sample_fp = fp_of[0]
    timer = time.perf_counter()
    for _ in range(2000):
        similarity(sample_fp, fp_of[1])
    similarity_us = (time.perf_counter() - timer) / 2000 * 1e6
    result = {
        "docs": args.docs,
        "copies": len(copies),
        "same_event": len(events),
        "threshold": NEAR_DUPLICATE,
        "words_mean": round(statistics.mean(len(folded_tokens(t)) for t in originals)),
        "fingerprint_per_s": round(len(originals) / elapsed),
        "similarity_us": round(similarity_us, 2),
        "fingerprint_bytes": len(sample_fp),
        "keys_per_article": len(lsh_keys(sample_fp)),
        "jaccard_error": {"mean": round(statistics.mean(errors), 4), "max": round(max(errors), 4)},
        "similarity": {
            "copies_min": min(all_copy_scores),
            "copies_mean": round(statistics.mean(all_copy_scores), 3),
            "same_event_max": max(event_scores),
            "same_event_mean": round(statistics.mean(event_scores), 3),
        },
        "detected": {
            kind: round(sum(s >= NEAR_DUPLICATE for s in scores) / len(scores), 3)
            for kind, scores in copy_scores.items()
        },
        "false_negative_rate": round(
            sum(s < NEAR_DUPLICATE for s in all_copy_scores) / len(all_copy_scores), 4
        ),
        "copies_unfingerprinted": unfingerprinted,
        "lsh_recall": round(shared_key / len(copies), 4),
        "false_positive_rate": round(
            sum(s >= NEAR_DUPLICATE for s in event_scores) / len(event_scores), 4
        ),
        "random_pairs_flagged": flagged,
        "candidates_per_lookup": round(looked_up / len(fp_of), 3),
        "clusters": clusters,
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
