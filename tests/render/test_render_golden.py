"""Golden files: each example problem printed in each format, compared with a reviewed copy.

Regenerate after an intended change with `NNSOLVE_REGENERATE_GOLDEN=1 pytest tests/render`, then
read the diff before committing it: the golden files are what a student sees.
"""
from __future__ import annotations

import json
import math
import re
import os
from functools import lru_cache
from pathlib import Path

import mpmath
import pytest
from typer.testing import CliRunner

import nnsolve
from nnsolve.cli import app
from nnsolve.problems import families
from nnsolve.render import render
from render_latex_lint import latex_problems, math_spans

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
GOLDEN = HERE / "golden"
DEMO = ROOT / "examples" / "demo-two-layer-tanh.yaml"
# the registry names each family's golden examples: every family has at least one
CASES = {Path(path).stem: ROOT / path for family in families().values() for path in family.golden}
FORMATS = {"txt": "text", "md": "markdown", "json": "json"}
REGENERATE = os.environ.get("NNSOLVE_REGENERATE_GOLDEN") == "1"


@lru_cache(maxsize=None)
def printed(case: str, ext: str) -> str:
    return render(nnsolve.solve(CASES[case]), FORMATS[ext])


@pytest.mark.parametrize("name", sorted(families()))
def test_every_family_has_a_golden_example(name):
    golden = families()[name].golden
    assert golden, f"{name} names no golden example"
    for path in golden:
        assert (ROOT / path).is_file(), path
        assert nnsolve.solve(ROOT / path).kind == name


@pytest.mark.parametrize("ext", FORMATS)
@pytest.mark.parametrize("case", CASES)
def test_matches_golden(case, ext):
    golden = GOLDEN / f"{case}.{ext}"
    out = printed(case, ext)
    if REGENERATE:
        golden.write_text(out, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}; run with NNSOLVE_REGENERATE_GOLDEN=1"
    assert out == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES)
def test_markdown_math_is_valid_latex(case):
    spans = math_spans(printed(case, "md"))
    assert spans
    for span in spans:
        assert latex_problems(span) == [], span


@pytest.mark.parametrize("case", CASES)
def test_text_fits_the_terminal(case):
    for line in printed(case, "txt").splitlines():
        assert len(line) <= 100 or " " not in line.strip(), line


@pytest.mark.parametrize("case", CASES)
def test_json_answers_agree_with_the_steps(case):
    data = json.loads(printed(case, "json"))
    steps = {s["id"]: s["value"] for s in data["steps"]}
    assert data["answers"]
    for quantity, value in data["answers"].items():
        assert value == steps[quantity]
        assert _floats_match(value["exact"], value["float"])


def _floats_match(exact, floats) -> bool:
    if isinstance(exact, list):
        return all(_floats_match(e, f) for e, f in zip(exact, floats, strict=True))
    if floats is None:          # a formula or a verdict has no float; its text must not read as a number
        return not re.fullmatch(r"-?[\d.]+(e-?\d+)?", exact)
    if "/" in exact:
        p, q = exact.split("/")
        return math.isclose(int(p) / int(q), floats, rel_tol=1e-15)
    return math.isclose(float(exact), floats, rel_tol=1e-15, abs_tol=1e-300)


@pytest.mark.parametrize("digits", [2, 6])
def test_cli_digits_option(digits):
    result = CliRunner().invoke(app, ["solve", str(DEMO), "--digits", str(digits)])
    assert result.exit_code == 0, result.output
    h1 = [math.tanh(1.3), math.tanh(-4.7), math.tanh(3.6)]     # the demo's h₁ = tanh([1.3, −4.7, 3.6])
    assert "h₁ = tanh(u₁) = tanh([1.3, -4.7, 3.6]) = [" + ", ".join(f"{v:.{digits}f}" for v in h1) + "]" \
        in result.output


def test_cli_markdown_and_json_formats():
    runner = CliRunner()
    markdown = runner.invoke(app, ["solve", str(DEMO), "--format", "markdown"])
    assert markdown.exit_code == 0 and markdown.output.startswith("# Demo")
    data = runner.invoke(app, ["solve", str(DEMO), "-f", "json"])
    assert data.exit_code == 0 and json.loads(data.output)["answers"]["u1"]["exact"] == ["1.3", "-4.7", "3.6"]


def test_many_digits_are_exact_not_float():
    """--digits past a float's 16 significant digits must show the exact value's digits."""
    result = CliRunner().invoke(app, ["solve", str(DEMO), "--digits", "30"])
    assert result.exit_code == 0, result.output
    with mpmath.workdps(50):
        h = mpmath.nstr(mpmath.tanh(mpmath.mpf(13) / 10), 30)      # 0.8617…: 30 significant = 30 decimals
    assert len(h) == 32 and h in result.output
