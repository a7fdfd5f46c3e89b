"""The exam-paper corpus as test data: the problem files under examples/, the corpus of independently
computed answers (tests/data/exam-cases.json), and each file's expectations beside it.

A problem file that names a corpus case in `source.case` has an expectation file beside it,
`<file>.expect.yaml` (read by tests/test_corpus.py):

    values:                          # nnsolve id: where the corpus's correct_answer keeps its value
      u3: [u3]                       #   a path of keys and list indices ([] is the whole answer)
      u1: {concat: [[h1], [h2]]}     #   several corpus values one after the other (a number: literal)
      dL/dW2: {shape: [shapes, W2]}  #   the corpus gives only the shape
    tolerance: {rel: 1.0e-9}         # optional; numbers agree to rel 1e-9 / abs 1e-15 by default
    check:                           # optional: what `nnsolve check` reports on the file's answers
      wrong: [u3]                    #   the key answers it flags, and nothing else (a comment says why)
      stricter_than_corpus: [h1]     #   flagged too, where the corpus calls the key right (say why)
      matches_if: {loss: base 2}     #   the report of that answer names this convention
      none_flagged_because: text     #   the corpus calls the key wrong, yet no answer here is wrong
      every_key_answer: true         #   the file's answers are the corpus's key answers, id for id
    part: (a)                        # a case encoded in several files names a different part in each
    oracle: test_name                # tests/test_corpus_oracles.py checks what the corpus's numbers cannot

`expected()` lists the forms a value can take and `agrees()` the comparison rules. Adding a case is
adding a problem file and its expectation file.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

import nnsolve
from nnsolve.api import load
from nnsolve.engine.number import to_float

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXPECT_SUFFIX = ".expect.yaml"
CORPUS: dict[str, dict] = {c["id"]: c for c in json.loads((ROOT / "tests/data/exam-cases.json").read_text())}

RELATIVE, ABSOLUTE = 1e-9, 1e-15      # the corpus gives 10 significant digits; 1e-15 for values that are 0
VALUE_FORMS = {"at", "concat", "product", "shape", "value", "formula", "matrix", "equation"}
OPTIONS = {"why", "rel", "abs", "exact", "transcribes", "corpus_text"}
FILE_KEYS = {"values", "tolerance", "check", "part", "oracle"}
CHECK_KEYS = {"wrong", "stricter_than_corpus", "matches_if", "none_flagged_because", "every_key_answer"}


def problem_files() -> list[Path]:
    """Every problem file under examples/ (expectation files are not problems)."""
    files = sorted(EXAMPLES.rglob("*.yaml")) + sorted(EXAMPLES.rglob("*.json"))
    return [p for p in files if not p.name.endswith(EXPECT_SUFFIX)]


def expectation_files() -> list[Path]:
    return sorted(EXAMPLES.rglob("*" + EXPECT_SUFFIX))


def expect_path(problem: Path) -> Path:
    return problem.with_name(problem.stem + EXPECT_SUFFIX)


def problem_path(expectations: Path) -> Path:
    stem = expectations.name[: -len(EXPECT_SUFFIX)]
    json_problem = expectations.with_name(stem + ".json")
    return json_problem if json_problem.exists() else expectations.with_name(stem + ".yaml")


@lru_cache(maxsize=None)
def case_of(path: Path) -> str | None:
    source = load(path).model.source
    return source.case if source is not None and source.case else None


@lru_cache(maxsize=None)
def solved(path: Path):
    return nnsolve.solve(path)


def corpus_files() -> list[Path]:
    """The problem files that name a corpus case."""
    return [p for p in problem_files() if case_of(p)]


@dataclass(frozen=True)
class Expectations:
    path: Path                      # the problem file
    case: dict                      # its corpus case
    values: dict
    tolerance: dict
    wrong: list
    stricter: list
    matches_if: dict
    none_flagged_because: str | None
    every_key_answer: bool
    part: str | None
    oracle: list = field(default_factory=list)


class _StrictLoader(yaml.SafeLoader):
    """YAML that refuses a key given twice (safe_load keeps the last one silently)."""

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(k, deep=deep) for k, _ in node.value]
        twice = {k for k in keys if keys.count(k) > 1}
        if twice:
            raise yaml.constructor.ConstructorError(None, None, f"keys given twice: {sorted(twice)}", node.start_mark)
        return super().construct_mapping(node, deep=deep)


@lru_cache(maxsize=None)
def expectations(path: Path) -> Expectations:
    data = yaml.load(expect_path(path).read_text(), Loader=_StrictLoader) or {}
    unknown = set(data) - FILE_KEYS
    assert not unknown, f"{expect_path(path)}: unknown keys {sorted(unknown)}"
    check = data.get("check") or {}
    assert not set(check) - CHECK_KEYS, f"{expect_path(path)}: unknown check keys {sorted(set(check) - CHECK_KEYS)}"
    oracle = data.get("oracle") or []
    return Expectations(
        path=path, case=CORPUS[case_of(path)], values=data.get("values") or {}, tolerance=data.get("tolerance") or {},
        wrong=check.get("wrong") or [], stricter=check.get("stricter_than_corpus") or [],
        matches_if=check.get("matches_if") or {}, none_flagged_because=check.get("none_flagged_because"),
        every_key_answer=bool(check.get("every_key_answer")), part=data.get("part"),
        oracle=[oracle] if isinstance(oracle, str) else list(oracle))


@lru_cache(maxsize=None)
def problem_text(path: Path) -> dict:
    """The problem file as plain YAML, read without nnsolve: its `values` and `answers`."""
    return yaml.safe_load(path.read_text())


# ---- the expected value of a quantity -------------------------------------------------------------

def dig(answer, path):
    """The part of a correct_answer at `path`: a key, or a list of keys and list indices."""
    for key in [path] if isinstance(path, str) else path:
        answer = answer[key]
    return answer


def spec_of(raw) -> dict:
    """A value's expectation as a dict: a bare path is {at: path}."""
    spec = raw if isinstance(raw, dict) else {"at": raw}
    forms = VALUE_FORMS & set(spec)
    assert len(forms) == 1, f"one of {sorted(VALUE_FORMS)} expected, got {spec}"
    assert not set(spec) - VALUE_FORMS - OPTIONS, f"unknown keys in {spec}"
    return spec


def expected(spec: dict, answer) -> object:
    """The expected value (nested lists of numbers, exact-number texts and formula texts) a spec names:
    - at: PATH              the corpus's value there
    - concat: [PATH | n]    several corpus values flattened one after the other; a number is a literal
    - product: [PATH]       the product of every number found at the paths
    - value: X              a literal from the question (with `why`): not in the corpus's correct_answer
    - formula: TEXT         a formula, checked by meaning or evaluated at the file's `values`; when it is
                            written for a corpus text (`transcribes: PATH`), that text must read
                            `corpus_text`
    - matrix: PATH          the corpus writes a matrix as text: "[[a, b], [c, d]]"
    - equation: PATH        the corpus writes "f'(u) = A = B": the value must match A and B
    - shape: PATH           only the shape is compared (by tests/test_corpus.py, squeezed)"""
    if "transcribes" in spec:
        assert dig(answer, spec["transcribes"]) == spec["corpus_text"], spec
    if "at" in spec:
        return dig(answer, spec["at"])
    if "concat" in spec:
        return [v for item in spec["concat"]
                for v in (np.ravel(np.asarray(dig(answer, item), dtype=object)).tolist()
                          if isinstance(item, (str, list)) else [item])]
    if "product" in spec:
        return math.prod(v for path in spec["product"] for v in np.ravel(np.asarray(dig(answer, path))))
    if "value" in spec:
        assert spec.get("why"), f"a literal needs its reason: {spec}"
        return spec["value"]
    if "formula" in spec:
        return spec["formula"]
    if "matrix" in spec:
        rows = dig(answer, spec["matrix"]).strip().removeprefix("[[").removesuffix("]]").split("], [")
        return [[cell.strip() for cell in row.split(",")] for row in rows]
    if "equation" in spec:
        return AllOf(tuple(side.strip() for side in dig(answer, spec["equation"]).split(" = ")[1:]))
    raise AssertionError(spec)


@dataclass(frozen=True)
class AllOf:
    """Several written forms of one value, each of which must match it."""
    forms: tuple


# ---- comparing -----------------------------------------------------------------------------------

_INFINITIES = {"inf": math.inf, "oo": math.inf, "-inf": -math.inf, "-oo": -math.inf}


def exact_number(text: str):
    """A corpus text that is an exact number ('-6/5', '3', '-oo'), or None (then it is a formula)."""
    if text.strip() in _INFINITIES:
        return _INFINITIES[text.strip()]
    try:
        return Fraction(text)
    except ValueError:
        return None


def evaluate(formula: str, values: dict):
    """A formula evaluated exactly (sympy, not nnsolve) at a problem file's `values`."""
    import sympy

    local = {name: sympy.Rational(str(v)) for name, v in values.items()}
    result = sympy.parse_expr(formula, local_dict=local)
    if result.is_Rational:
        return Fraction(int(result.p), int(result.q))
    return float(result)


def agrees(got, want, spec: dict, tolerance: dict, values: dict) -> bool:
    """One entry of nnsolve's value against one expected entry:
    - a symbolic value (a formula, a verdict such as 'saddle point') matches the text by meaning;
    - a text is an exact number or an infinity, else a formula evaluated at the file's values;
    - exact numbers (int, fraction) against an exact value must be equal; `exact: true` asks that of a
      corpus decimal too; anything else agrees to rel/abs (the spec's, else the file's, else the default)."""
    if isinstance(want, AllOf):
        return all(agrees(got, form, spec, tolerance, values) for form in want.forms)
    if hasattr(got, "matches"):
        return got.matches(str(want))
    if isinstance(want, str):
        number = exact_number(want)
        want = evaluate(want, values) if number is None else number
    if isinstance(want, float) and math.isinf(want):
        return to_float(got) == want
    if isinstance(got, int | Fraction) and (isinstance(want, int | Fraction) or spec.get("exact")):
        return Fraction(got) == Fraction(str(want))
    rel = float(spec.get("rel", tolerance.get("rel", RELATIVE)))
    absolute = float(spec.get("abs", tolerance.get("abs", ABSOLUTE)))
    return math.isclose(to_float(got), float(want), rel_tol=rel, abs_tol=absolute)


def squeezed(shape) -> tuple:
    """A key's column vector (n × 1) is nnsolve's vector (n,); a 1-element vector is a scalar."""
    return tuple(n for n in shape if n != 1)


_INDEX = re.compile(r"^(?P<name>.+)\[(?P<index>[0-9:, ]+)\]$")


def value_of(solution, quantity: str) -> np.ndarray:
    """nnsolve's value of `quantity`; `name[:2, :2]` is a part of it where the corpus gives only that."""
    if not solution.has(quantity) and (match := _INDEX.match(quantity)):
        parts = tuple(slice(*(int(n) if n.strip() else None for n in p.split(":"))) if ":" in p else int(p)
                      for p in match["index"].split(","))
        return np.asarray(np.asarray(solution.value(match["name"]))[parts], dtype=object)
    assert solution.has(quantity), f"nnsolve has no quantity {quantity!r}"
    return np.asarray(solution.value(quantity))
