"""Extraction scored side by side with bare trafilatura, in one run; prints one JSON line last.

    python bench/extraction_eval.py [DIRECTORY]
    python bench/extraction_eval.py --real ../shared/corpus/realpages [--check] [--jobs 2]
                                    [--ablation] [--misses FILE]

Without --real: the pages written for the tests (tests/fixtures/eval, or DIRECTORY), scored per
dimension as the test suite's gate scores them.

With --real: real pages nobody on the project wrote (see bench/realpages.py): trafilatura's own
990-page evaluation set (precision, recall, F1 counted as trafilatura counts them) and the
Vietnamese pages of vn_dev (headline, lead, day, body complete and clean, non-articles
flagged). A table goes to stderr, the JSON line to stdout. `--check` exits 1 when the project
falls below bare trafilatura (F1, recall, any Vietnamese field; headline and lead must be above
it) or misses a non-article: the gate .ci/run applies. `--ablation` also scores the project with
each of its steps switched off, one at a time. `--misses FILE` writes the segments each
extractor missed, page by page, for study.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import realpages

from monitor.extract.article import STEPS
from tests.extraction_eval import score_corpus

TARGETS = {"f1": 0.93, "vn_body": 15, "vn_fields": 14, "not_article": 6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", nargs="?", type=Path)
    parser.add_argument("--real", type=Path, help="the realpages folder (../shared/corpus/…)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a gate fails")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--ablation", action="store_true", help="score each step switched off")
    parser.add_argument("--misses", type=Path, help="write each page's missed segments here")
    args = parser.parse_args()
    if args.real is None:
        print(json.dumps(_written_pages(args.directory), ensure_ascii=False))
        return
    summary = real_pages(args.real, jobs=args.jobs, misses_path=args.misses)
    if args.ablation:
        summary["ablation"] = ablation(args.real, jobs=args.jobs)
    failed = gate(summary)
    summary["gate"] = {"passed": not failed, "failures": failed}
    _print_table(summary)
    print(json.dumps(summary, ensure_ascii=False))
    if args.check and failed:
        sys.exit(1)


def real_pages(root: Path, *, jobs: int, misses_path: Path | None = None) -> dict[str, Any]:
    """Both corpora, both extractors: {"trafilatura_eval": {who: counts}, "vn_dev": {…}}."""
    english = realpages.trafilatura_eval_pages(root / "trafilatura_eval")
    vietnamese = realpages.vn_dev_pages(root / "vn_dev")
    misses: dict[str, dict[str, list[str]]] = {who: {} for who in realpages.WHO}
    summary: dict[str, Any] = {"trafilatura_eval": {}, "vn_dev": {}, "pages": {}}
    summary["pages"] = {"trafilatura_eval": len(english), "vn_dev": len(vietnamese)}
    for who in realpages.WHO:
        counts = realpages.score_segments(
            realpages.run_all(who, english, STEPS, jobs), misses[who].__setitem__
        )
        summary["trafilatura_eval"][who] = counts.as_dict()
        scores = realpages.score_vietnamese(realpages.run_all(who, vietnamese, STEPS, jobs))
        summary["vn_dev"][who] = scores.as_dict()
        summary["vn_dev"][who]["failures"] = scores.failures
    if misses_path is not None:
        misses_path.write_text(json.dumps(misses, ensure_ascii=False, indent=1), "utf-8")
    summary["targets"] = _targets(summary)
    return summary


def ablation(root: Path, *, jobs: int) -> dict[str, Any]:
    """The project's scores with each step switched off: what the step is worth."""
    english = realpages.trafilatura_eval_pages(root / "trafilatura_eval")
    vietnamese = realpages.vn_dev_pages(root / "vn_dev")
    table: dict[str, Any] = {}
    for step in sorted(STEPS):
        steps = STEPS - {step}
        counts = realpages.score_segments(
            realpages.run_all("project", english, steps, jobs), lambda url, missed: None
        )
        scores = realpages.score_vietnamese(realpages.run_all("project", vietnamese, steps, jobs))
        table[step] = {"trafilatura_eval": counts.as_dict(), "vn_dev": scores.as_dict()}
    return table


def gate(summary: dict[str, Any]) -> list[str]:
    """What fails the gate: the project below bare trafilatura, or a non-article missed."""
    failures: list[str] = []
    ours, theirs = (summary["trafilatura_eval"][who] for who in realpages.WHO)
    for measure in ("f1", "recall"):
        if ours[measure] < theirs[measure]:
            failures.append(f"trafilatura_eval {measure} {ours[measure]} < {theirs[measure]}")
    vn_ours, vn_theirs = (summary["vn_dev"][who] for who in realpages.WHO)
    for name in realpages.VN_FIELDS:
        mine, bare = vn_ours[name][0], vn_theirs[name][0]
        above = name in ("headline", "lead")
        if mine < bare or (above and mine == bare):
            failures.append(f"vn_dev {name} {mine} {'≤' if above else '<'} {bare}")
    flagged, non_articles = vn_ours["not_article"]
    if flagged < non_articles:
        failures.append(f"vn_dev not_article {flagged}/{non_articles}")
    if vn_ours["articles_flagged"]:
        failures.append(f"vn_dev articles flagged not_article: {vn_ours['articles_flagged']}")
    return failures


def _targets(summary: dict[str, Any]) -> dict[str, bool]:
    ours, theirs = (summary["trafilatura_eval"][who] for who in realpages.WHO)
    vn = summary["vn_dev"]["project"]
    return {
        "f1_0.93": ours["f1"] >= TARGETS["f1"],
        "recall_vs_trafilatura": ours["recall"] >= theirs["recall"],
        "vn_body_15": min(vn["body_complete"][0], vn["body_clean"][0]) >= TARGETS["vn_body"],
        "vn_fields_14": all(vn[f][0] >= TARGETS["vn_fields"] for f in ("headline", "lead", "day")),
        "not_article_6": vn["not_article"][0] >= TARGETS["not_article"],
    }


def _print_table(summary: dict[str, Any]) -> None:
    out = sys.stderr
    print(f"{'trafilatura_eval':<26}{'project':>12}{'trafilatura':>14}", file=out)
    for measure in ("precision", "recall", "f1", "tp", "fp", "fn", "crashes", "seconds"):
        row = [summary["trafilatura_eval"][who][measure] for who in realpages.WHO]
        print(f"  {measure:<24}{row[0]!s:>12}{row[1]!s:>14}", file=out)
    print(f"{'vn_dev':<26}{'project':>12}{'trafilatura':>14}", file=out)
    for field in (*realpages.VN_FIELDS, "not_article"):
        row = ["{}/{}".format(*summary["vn_dev"][who][field]) for who in realpages.WHO]
        print(f"  {field:<24}{row[0]:>12}{row[1]:>14}", file=out)
    for failure in summary["vn_dev"]["project"]["failures"]:
        print(f"  project: {failure}"[:240], file=out)
    for step, scores in summary.get("ablation", {}).items():
        english, vn = scores["trafilatura_eval"], scores["vn_dev"]
        fields = " ".join(f"{f}={vn[f][0]}" for f in (*realpages.VN_FIELDS, "not_article"))
        print(
            f"  without {step:<16} F1 {english['f1']:.4f} R {english['recall']:.4f} {fields}",
            file=out,
        )
    print(
        f"gate: {'passed' if summary['gate']['passed'] else summary['gate']['failures']}", file=out
    )


def _written_pages(directory: Path | None) -> dict[str, Any]:
    default = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "eval"
    scores = score_corpus(directory or default)
    return {
        "pages": scores["pages"],
        "seconds": scores["seconds"],
        **{
            who: {d: [s["passed"], s["scored"]] for d, s in scores[who].items()}
            for who in ("project", "trafilatura")
        },
        "failures": {
            who: [f for s in scores[who].values() for f in s["failures"]]
            for who in ("project", "trafilatura")
        },
    }


if __name__ == "__main__":
    main()
