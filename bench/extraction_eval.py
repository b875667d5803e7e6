"""Extraction scores on tests/fixtures/eval (or DIRECTORY), printed as one JSON object.

    python bench/extraction_eval.py [DIRECTORY]

Per dimension: pages passed and pages scored, for the project and for bare trafilatura, plus the
seconds each took on the whole corpus.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.extraction_eval import score_corpus


def main() -> None:
    default = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "eval"
    scores = score_corpus(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
    summary = {
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
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
