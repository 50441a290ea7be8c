"""Every assertion in `steps/` and `harness/` says what was expected and what was seen.

The rule, checked on the code as written (the `ast`, nothing runs):

- every `assert` has a message;
- every `raise AssertionError(...)` (or of a subclass defined in `harness/` or `steps/`, such as
  `WaitTimeout`) has a message;
- a message's literal text (its string constants, the constant parts of an f-string, and those of
  strings joined with `+`, `.format` on a constant; not the values put into it) contains the word
  "expected" and, after it, the word "saw" (or "seen", as in "last seen"). So it reads
  "expected <what>, saw <what came>": `f"expected {count} results, saw {len(rows)}"`.

A status code and a body dump alone (`assert ok, response.text`) is not a message, and neither is a
variable whose wording the reader cannot see at the assert: build the sentence where it fails.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULE = re.compile(r"\bexpected\b.*\b(saw|seen)\b", re.DOTALL | re.IGNORECASE)


def _modules() -> list[Path]:
    return sorted([*(ROOT / "steps").glob("*.py"), *(ROOT / "harness").rglob("*.py")])


def literal_text(node: ast.expr) -> str:
    """The words of a message the reader sees at the assert: constants, not interpolated values."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value for part in node.values if isinstance(part, ast.Constant))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return literal_text(node.left) + literal_text(node.right)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
            and isinstance(node.func.value, ast.Constant)):
        return literal_text(node.func.value)
    return ""


def _assertion_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """AssertionError and the classes the scanned code derives from it (by name, transitively)."""
    bases = {node.name: {b.id for b in node.bases if isinstance(b, ast.Name)}
             for tree in trees.values() for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
    names = {"AssertionError"}
    while True:
        more = {name for name, of in bases.items() if of & names} - names
        if not more:
            return names
        names |= more


def problems_in(trees: dict[Path, ast.Module]) -> list[str]:
    assertion_classes = _assertion_classes(trees)
    problems = []
    for path, tree in trees.items():
        where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert):
                message, what = node.msg, "assert"
            elif isinstance(node, ast.Raise) and node.exc is not None:
                exc = node.exc
                called = exc.func if isinstance(exc, ast.Call) else exc
                name = called.id if isinstance(called, ast.Name) else getattr(called, "attr", None)
                if name not in assertion_classes:
                    continue
                what = f"raise {name}"
                args = exc.args if isinstance(exc, ast.Call) else []
                message = args[0] if args else None
            else:
                continue
            if message is None:
                problems.append(f"{where}:{node.lineno}: {what} without a message")
            elif not RULE.search(literal_text(message)):
                problems.append(f"{where}:{node.lineno}: {what} message does not read 'expected ..., saw ...': "
                                f"{ast.unparse(message)[:120]}")
    return problems


def test_every_assertion_message_says_what_was_expected_and_what_was_seen():
    trees = {path: ast.parse(path.read_text(), filename=str(path)) for path in _modules()}
    assert len(trees) > 20, f"expected the step and harness modules under {ROOT}, saw {len(trees)} files"
    problems = problems_in(trees)
    assert not problems, (f"expected every assertion to say 'expected ..., saw ...', saw {len(problems)} that do not:\n"
                          + "\n".join(problems))


def _problems_of(source: str) -> list[str]:
    return problems_in({Path("/elsewhere/example.py"): ast.parse(source)})


def test_the_rule_catches_bare_asserts_dumps_and_messageless_raises():
    source = (
        "class Late(AssertionError):\n    pass\n"
        "def f(response, n, rows):\n"
        "    assert n\n"
        "    assert response.status_code == 200, response.text\n"
        "    assert n == 3, f'{n} rows, expected 3'\n"
        "    assert rows, f'expected rows, saw {rows}'\n"
        "    assert n == 1, f\"{'expected'} one\"\n"
        "    raise AssertionError\n"
        "    raise Late()\n"
        "    raise ValueError('fine: not an assertion')\n"
    )
    found = [line.split(": ", 1)[0].rsplit(":", 1)[1] for line in _problems_of(source)]
    assert found == ["4", "5", "6", "8", "9", "10"], f"expected lines 4, 5, 6, 8, 9, 10 flagged, saw {found}"


def test_the_rule_accepts_expected_then_saw_in_any_literal_form():
    source = (
        "def f(n, seen):\n"
        "    assert n == 3, f'expected 3 rows, saw {n}'\n"
        "    assert n, 'expected a row, ' + f'saw {n}'\n"
        "    assert n, 'expected {} within 2 s; last seen: {}'.format(n, seen)\n"
        "    raise AssertionError(f'expected run {n} to complete, saw {seen}')\n"
    )
    assert _problems_of(source) == [], f"expected no problems, saw {_problems_of(source)}"
