"""The size of the code: no module over 500 lines, no function over 80 (monitor, index, bench).

A module that grows past the limit is split by what its parts hold; a function, by its steps.
Tests are left out: a suite of cases may be long.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("monitor", "index", "bench")
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def modules() -> list[Path]:
    paths = (p for folder in CHECKED for p in (ROOT / folder).rglob("*.py"))
    return sorted(paths)


@pytest.mark.parametrize("path", modules(), ids=name)
def test_modules_and_functions_stay_small(path: Path) -> None:
    text = path.read_text("utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES, f"{name(path)}: split it by concern"
    too_long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not too_long, f"{name(path)}: {', '.join(too_long)}"
