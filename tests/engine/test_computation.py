"""The recorded computation: contributions of a quantity used twice add up, and a Policy's pins and
rounding are recomputed downstream, as a person working by hand would."""
from __future__ import annotations

from fractions import Fraction
from itertools import takewhile
from pathlib import Path

import mpmath
import pytest

import nnsolve
from nnsolve.engine.computation import Computation, Policy, Symbol
from nnsolve.engine.formula import join
from nnsolve.engine.tensor import as_tensor
from nnsolve.ops.base import Add
from nnsolve.ops.losses import PENALTY, SQUARED_ERROR

from cli_runner import invoke

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-two-layer-tanh.yaml"


def sym(name: str) -> Symbol:
    return Symbol(name, name)


def test_a_quantity_used_twice_collects_both_contributions_as_a_sum():
    """L = Σ(x − t)² + λΣx² uses x twice: ∂L/∂x = 2(x − t) + 2λx.
    With x = [1, 2], t = [0, 1], λ = 1/10: [2 + 0.2, 2 + 0.4] = [2.2, 2.4] exactly."""
    comp = Computation()
    x = comp.given("x", sym("x"), [Fraction(1), Fraction(2)], differentiable=True)
    t = comp.given("t", sym("t"), [Fraction(0), Fraction(1)])
    data = comp.apply(SQUARED_ERROR, [x, t], "data_loss", sym("E"), phase="loss", scale=Fraction(1))
    pen = comp.apply(PENALTY, [x], "penalty", sym("Ω"), phase="loss", kind="l2", strength=Fraction(1, 10))
    loss = comp.apply(Add(), [data, pen], "loss", sym("L"), phase="loss")
    grads = comp.backward(loss)

    assert list(grads["x"].value) == [Fraction(11, 5), Fraction(12, 5)]
    from_data = SQUARED_ERROR.vjp_formula(0, "dL/ddata_loss", "data_loss", "x", "t", scale=Fraction(1))
    from_penalty = PENALTY.vjp_formula(0, "dL/dpenalty", "penalty", "x", kind="l2", strength=Fraction(1, 10))
    shown = grads["x"].formula
    assert shown in (join([from_data, from_penalty]), join([from_penalty, from_data]))
    assert " + " in shown.fill(False, lambda i: comp.nodes[i].symbol.text)


def test_a_quantity_not_on_a_path_to_a_parameter_gets_no_gradient():
    comp = Computation()
    x = comp.given("x", sym("x"), [Fraction(1)], differentiable=True)
    t = comp.given("t", sym("t"), [Fraction(3)])
    loss = comp.apply(SQUARED_ERROR, [x, t], "loss", sym("L"), scale=Fraction(1, 2))
    grads = comp.backward(loss)
    assert "t" not in grads
    assert list(grads["x"].value) == [Fraction(-2)]      # ½·2·(1 − 3)


def test_a_pin_of_the_wrong_shape_is_refused():
    policy = Policy(pins={"h1": [Fraction(1), Fraction(2)]})
    with pytest.raises(ValueError, match="shape"):
        policy.settle("h1", as_tensor([Fraction(1), Fraction(2), Fraction(3)]))


# -- the demo (an NTU exam question): what a calculator-rounding student gets ----------------------
# u₁ = W₁ᵀx + b₁ = [1.3, −4.7, 3.6] exactly (rational). By hand, rounding every step to 2 decimals:
#   h₁ = tanh(u₁) = [0.8617…, −0.99983…, 0.99851…]            → [0.86, −1.00, 1.00]
#   u₂ = W₂ᵀh₁ + b₂ = [3·0.86 + 2.4·1 − 3·1 + 0.5, 4.2 + 2.5 + 0.5] = [2.48, 7.20]
#   h₂ = [tanh 2.48, tanh 7.2] = [0.98606…, 0.99999…]           → [0.99, 1.00]
#   u₃ = 2·0.99 − 1·1.00 + 0.5 = 1.48                            (the NTU key's value)
# Without rounding u₃ = 1.4727…, computed below with mpmath alone.
ROUNDED_H1 = [Fraction(86, 100), Fraction(-1), Fraction(1)]


def exact_u3() -> mpmath.mpf:
    with mpmath.workdps(60):
        u1 = [mpmath.mpf("1.3"), mpmath.mpf("-4.7"), mpmath.mpf("3.6")]
        h1 = [mpmath.tanh(v) for v in u1]
        u2 = [3 * h1[0] - mpmath.mpf("2.4") * h1[1] - 3 * h1[2] + mpmath.mpf("0.5"),
              mpmath.mpf("-4.2") * h1[1] + mpmath.mpf("2.5") * h1[2] + mpmath.mpf("0.5")]
        h2 = [mpmath.tanh(v) for v in u2]
        return 2 * h2[0] - h2[1] + mpmath.mpf("0.5")


def test_exact_demo_gives_u3_of_1_4727():
    u3 = nnsolve.solve(DEMO).value("u3")[0]
    with mpmath.workdps(60):
        assert abs(mpmath.mpf(u3) - exact_u3()) < mpmath.mpf(10) ** -40
        assert mpmath.nstr(exact_u3(), 5) == "1.4727"


def test_rounding_every_intermediate_recomputes_downstream():
    solution = nnsolve.solve(DEMO, round_intermediates=2)
    assert list(solution.value("h1")) == ROUNDED_H1
    # u₂ comes from the rounded h₁: 2.48, where rounding the exact u₂ = 2.4892… would give 2.49
    assert list(solution.value("u2")) == [Fraction(248, 100), Fraction(72, 10)]
    assert list(solution.value("h2")) == [Fraction(99, 100), Fraction(1)]
    assert list(solution.value("u3")) == [Fraction(148, 100)]


def test_a_pinned_value_replaces_the_computed_one_and_everything_after_it():
    pinned = nnsolve.solve(DEMO, pins={"h1": ROUNDED_H1})
    assert list(pinned.value("h1")) == ROUNDED_H1
    assert list(pinned.value("u2")) == [Fraction(248, 100), Fraction(72, 10)]   # from the pin, exactly
    assert pinned.value("u1").tolist() == nnsolve.solve(DEMO).value("u1").tolist()   # before the pin: unchanged
    as_typed = nnsolve.solve(DEMO, pins={"h1": ["0.86", "-1", 1.0]})     # decimals as text or float, exactly
    assert as_typed.value("u2").tolist() == pinned.value("u2").tolist()


def test_cli_round_intermediates_2_gives_the_keys_u3():
    result = invoke("solve", "--round-intermediates", "2", DEMO)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.strip().startswith("u₃ ="))
    step = [lines[start], *takewhile(lambda ln: ln.strip().startswith("="), lines[start + 1:])]
    assert step[-1].rstrip().endswith("= [1.48]"), step     # the step's last equality is its value
