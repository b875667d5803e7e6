"""The scale-out measures in one run: collectors on PostgreSQL, then batch work on Dask.

    python bench/scale.py [--database postgresql:///monitor_test] [--collectors 1 2 4]
                          [--feeds 1000] [--hosts 50] [--pages 20000] [--workers 2]
                          [--only collectors|batch]

(a) `scale_collectors.py`: 1, 2 and 4 `monitor run` processes against one PostgreSQL archive,
1,000 feeds on 50 local hosts with 5 new articles each: wall time, requests, duplicate fetches
(must be 0), the smallest gap between two requests to one host (never below the delay); one
JSON line per setting. Skipped, with a line on stderr, without a database (`--database` or
$MONITOR_TEST_DATABASE).

(b) `scale_batch.py`: `monitor reextract` of `--pages` stored pages locally and on a Dask
LocalCluster of `--workers` worker processes: articles/s each, and whether the two archives
came out identical; one JSON line.

Each part runs as its own process, as it would alone; their lines go to stdout as they come.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=os.environ.get("MONITOR_TEST_DATABASE"))
    parser.add_argument("--collectors", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", choices=("collectors", "batch"))
    args = parser.parse_args(argv)
    code = 0
    if args.only in (None, "collectors"):
        if args.database:
            code |= _part(
                "scale_collectors.py",
                "--database",
                args.database,
                "--collectors",
                *map(str, args.collectors),
                "--feeds",
                str(args.feeds),
                "--hosts",
                str(args.hosts),
            )
        else:
            print("collectors: skipped, no PostgreSQL database given", file=sys.stderr)
    if args.only in (None, "batch"):
        code |= _part("scale_batch.py", "--pages", str(args.pages), "--workers", str(args.workers))
    return code


def _part(script: str, *args: str) -> int:
    return subprocess.run([sys.executable, str(HERE / script), *args], check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
