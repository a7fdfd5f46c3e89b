from fractions import Fraction
from types import SimpleNamespace

import mpmath
import pytest
from hypothesis import assume, given, settings, strategies as st

from nnsolve import api
from nnsolve.engine.number import to_float
from nnsolve.expr import names_in, parse
from nnsolve.problems import ProblemError
from nnsolve.problems.graph.picture import to_dot

RELU = """
problem: computation_graph
expression: "relu(a*x + b*y + c)"
values: {a: 3, x: -1, b: 2, y: 4, c: -2}
"""


def solve(text):
    return api.solve(api.load(text))


def test_worked_relu_example_by_hand():
    # a·x + b·y + c = -3 + 8 - 2 = 3 > 0, so relu passes the derivative: ∂f/∂a = x, ∂f/∂x = a, …, ∂f/∂c = 1
    s = solve(RELU)
    assert s.value("f")[()] == 3
    expected = {"a": -1, "x": 3, "b": 4, "y": 2, "c": 1}
    assert {k: s.value(f"dL/d{k}")[()] for k in expected} == expected
    assert s.value("df/da")[()] == -1                   # the output's own name as an alias
    assert s.value("dn1/da")[()] == -1                  # local derivative ∂(a·x)/∂a = x


def test_named_nodes_and_a_quantity_used_twice():
    # f = p·p with p = 3x: df/dx = 2p · 3 = 18x = 9 at x = 1/2; the local ∂f/∂p sums both factors
    s = solve("problem: computation_graph\nnodes: {p: '3*x', f: 'p*p'}\nvalues: {x: 0.5}\n")
    assert s.value("f")[()] == Fraction(9, 4)
    assert s.value("df/dp")[()] == 3
    assert s.value("dL/dx")[()] == 9


def test_dot_source_shows_values_blue_and_gradients_red():
    dot = to_dot(solve(RELU))
    assert dot.startswith("digraph computation {")
    assert '"a" [label=<a<br/><font color="blue">3</font><br/><font color="red">-1</font>>];' in dot
    assert '"n4" -> "f";' in dot


@pytest.mark.parametrize("body, words", [
    ("expression: 'rleu(a)'\nvalues: {a: 1}", "column 1: unknown function 'rleu'"),
    ("expression: 'a * z'\nvalues: {a: 1}", "'z' has no value"),
    ("expression: 'a'\nvalues: {a: 1, b: 2}", "'b' is not used"),
    ("expression: 'a'\nvalues: {a: 1}", "at least one operation"),
    ("values: {a: 1}", "either `expression` or `nodes`"),
])
def test_bad_input_is_located(body, words):
    with pytest.raises(ProblemError) as e:
        api.load("problem: computation_graph\n" + body + "\n")
    assert words in str(e.value) and "line" in str(e.value)


def test_domain_error_is_a_problem_error():
    with pytest.raises(ProblemError, match="log"):
        solve("problem: computation_graph\nexpression: 'log(a - 1)'\nvalues: {a: 1}\n")


# -- against torch autograd on random expressions --------------------------------------------
LEAVES = ["a", "b", "c"]
UNARY = ["exp", "tanh", "sigmoid", "softplus", "relu", "abs", "neg", "sq"]
TORCH = {"exp": "torch.exp", "tanh": "torch.tanh", "sigmoid": "torch.sigmoid",
         "softplus": "torch.nn.functional.softplus", "relu": "torch.relu", "abs": "torch.abs"}


def expressions():
    leaf = st.sampled_from(LEAVES).map(lambda n: (n, n))

    def extend(inner):
        unary = st.tuples(st.sampled_from(UNARY), inner).map(_unary)
        binary = st.tuples(st.sampled_from("+-*"), inner, inner).map(
            lambda t: (f"({t[1][0]} {t[0]} {t[2][0]})", f"({t[1][1]} {t[0]} {t[2][1]})"))
        return unary | binary
    return st.recursive(leaf, extend, max_leaves=5)


def _unary(t):
    fn, (ours, theirs) = t
    if fn == "neg":
        return f"(-{ours})", f"(-{theirs})"
    if fn == "sq":
        return f"({ours})^2", f"({theirs})**2"
    return f"{fn}({ours})", f"{TORCH[fn]}({theirs})"


class _Kinks:
    """`torch` for the oracle's expression, recording the argument of each function with a kink at 0."""

    def __init__(self, torch, exact: bool):
        self.torch, self.exact, self.arguments = torch, exact, []
        if exact:       # the same expression in 60-digit mpmath, independent of nnsolve
            self.exp, self.tanh = mpmath.exp, mpmath.tanh
            self.sigmoid = lambda x: 1 / (1 + mpmath.exp(-x))
            self.nn = SimpleNamespace(functional=SimpleNamespace(softplus=lambda x: mpmath.log1p(mpmath.exp(x))))

    def __getattr__(self, name):
        return getattr(self.torch, name)

    def relu(self, x):
        return self._kinked(x, lambda v: max(v, 0), self.torch.relu)

    def abs(self, x):
        return self._kinked(x, abs, self.torch.abs)

    def _kinked(self, x, exact, floating):
        self.arguments.append(x if self.exact else x.item())
        return exact(x) if self.exact else floating(x)


def _sign(v, zero=0.0) -> int:
    return 0 if abs(v) <= zero else (1 if v > 0 else -1)


@settings(max_examples=30, deadline=None)
@given(expressions(), st.lists(st.integers(-20, 20).filter(lambda v: v != 0), min_size=3, max_size=3))
def test_gradients_match_torch_autograd(expr, tenths):
    torch = pytest.importorskip("torch")
    ours, theirs = expr
    assume(ours not in LEAVES)          # a bare name is not a graph (the file is refused)
    values = dict(zip(LEAVES, [Fraction(v, 10) for v in tenths]))
    used = names_in(parse(ours))
    env = {n: torch.tensor(float(values[n]), dtype=torch.float64, requires_grad=True) for n in used}
    floating = _Kinks(torch, exact=False)
    out = eval(theirs, {"torch": floating}, env)   # the oracle's own expression, built by this test
    # relu and abs branch on the sign of their argument: where float64 rounding gives it another sign than
    # exact arithmetic (an exact 0 computed as 5.6e-17), torch takes the other branch, so the draw is redrawn
    exact = _Kinks(torch, exact=True)
    with mpmath.workdps(60):
        eval(theirs, {"torch": exact}, {n: mpmath.mpf(v.numerator) / v.denominator for n, v in values.items()})
        assume(all(_sign(e, zero=mpmath.mpf(10) ** -40) == _sign(f) for e, f in zip(exact.arguments, floating.arguments)))
    text = ("problem: computation_graph\nexpression: '" + ours + "'\nvalues: {"
            + ", ".join(f"{n}: {values[n]}" for n in used) + "}\n")
    s = solve(text)
    out.backward()
    assert to_float(s.value("f")[()]) == pytest.approx(out.item(), rel=1e-9, abs=1e-12)
    for n in used:
        expected = env[n].grad.item() if env[n].grad is not None else 0.0
        assert to_float(s.value(f"dL/d{n}")[()]) == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_every_function_prints_in_every_format():
    from nnsolve.render.json import render_json
    from nnsolve.render.markdown import render_markdown
    s = solve("problem: computation_graph\nexpression: 'log(a)/b + sqrt(a)^3 - log2(a)*log10(b) + exp(-a)"
              " + sigmoid(b) + max(a, b) - min(a, b)^-2 + abs(b) + tanh(a) + softplus(b)'\nvalues: {a: 4, b: 0.5}\n")
    # d/da of sqrt(a)^3 = 3·sqrt(a)^2 · 1/(2 sqrt a) = (3/2)·sqrt(a) = 3 at a = 4: exact parts stay exact
    assert s.value("dn4/dn3")[()] == 12 and s.value("dn3/da")[()] == Fraction(1, 4)
    assert "ReLU" not in render_markdown(s) and render_json(s) and str(s)


def test_the_outputs_name_means_the_total_derivative():
    # H = x + r·x at x = 2, r = 3: the edge x → H alone gives 1, but x also feeds R = r·x, so dH/dx = 1 + r = 4
    import nnsolve
    s = nnsolve.solve({"problem": "computation_graph", "nodes": {"R": "r * x", "H": "x + R"}, "values": {"x": 2, "r": 3}})
    assert s.value("dH/dx")[()] == 4 == s.value("dL/dx")[()]
    assert s.value("local.dH/dx")[()] == 1 and s.value("dR/dx")[()] == 3
