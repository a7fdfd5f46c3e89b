"""A sweep over random small calculus problems — polynomials of degree 0–3 in one or two variables with
integer, decimal and symbolic coefficients, plus exp/log/sigmoid/tanh of linear terms, with random asks:
every one is either solved (and printed in every format) or refused with a located ProblemError, never
another exception, and each within a few seconds."""
from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings, strategies as st

import nnsolve
from nnsolve.problems.errors import ProblemError
from nnsolve.render import render

VARIABLES = ("x", "y")
SYMBOLS = ("a", "b", "c")
SECONDS_PER_PROBLEM = 4

numbers = st.sampled_from(["1", "2", "-3", "0.5", "-1.25", "4", "0"])
coefficients = st.one_of(numbers, st.sampled_from(SYMBOLS), st.tuples(numbers, st.sampled_from(SYMBOLS)).map(
    lambda pair: f"{pair[0]}*{pair[1]}"))


@st.composite
def functions(draw) -> tuple[str, list[str], bool]:
    """(function text, variables, whether it has symbols)."""
    variables = list(VARIABLES[:draw(st.integers(1, 2))])
    degree = draw(st.integers(0, 3))
    terms = []
    for _ in range(draw(st.integers(1, 4))):
        powers = [draw(st.integers(0, degree)) for _ in variables]
        while sum(powers) > degree:
            powers[powers.index(max(powers))] -= 1
        monomial = "*".join(f"{v}^{k}" for v, k in zip(variables, powers) if k)
        coefficient = draw(coefficients)
        terms.append(f"({coefficient})" + (f"*{monomial}" if monomial else ""))
    if draw(st.booleans()):
        inner = f"{draw(numbers)}*{draw(st.sampled_from(variables))} + ({draw(coefficients)})"
        function = draw(st.sampled_from(["exp", "log", "sigmoid", "tanh"]))
        terms.append(f"({draw(coefficients)})*{function}({inner})")
    text = " + ".join(terms)
    return text, variables, any(s in text for s in SYMBOLS)


@st.composite
def problems(draw) -> str:
    function, variables, symbolic = draw(functions())
    lines = ["problem: calculus", f"function: '{function}'", f"variables: [{', '.join(variables)}]"]
    point = st.lists(st.sampled_from(["0", "1", "-2", "0.5"]), min_size=len(variables), max_size=len(variables))
    groups = ["gradient", "hessian"]
    if draw(st.booleans()):
        lines.append(f"points: [{', '.join('[' + ', '.join(p) + ']' for p in draw(st.lists(point, min_size=1, max_size=2)))}]")
        groups.append("points")
    lines.append(f"stationary_points: {str(draw(st.booleans())).lower()}")
    lines.append(f"hessian: {str(draw(st.booleans())).lower()}")
    # symbols meet numbers only where the schema refuses them: asked sometimes, to test the refusal too
    if draw(st.booleans()) and (not symbolic or draw(st.integers(0, 4)) == 0):
        start = ", ".join(draw(point))
        lines.append(f"descent: {{type: sgd, lr: 0.1, steps: {draw(st.integers(1, 3))}, start: [{start}]}}")
        groups.append("descent")
    if draw(st.integers(0, 3)) == 0:
        lines.append("learning_rate: true")
    if draw(st.integers(0, 3)) == 0:
        lines.append(f"regularized: {{penalty: {draw(st.sampled_from(['l1', 'l2']))}, strength: 1}}")
    asks = draw(st.lists(st.sampled_from(groups), max_size=2, unique=True))
    if asks:
        lines.append(f"ask: [{', '.join(asks)}]")
    return "\n".join(lines) + "\n"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_every_random_problem_is_solved_or_refused_with_a_place(text):
    began = time.perf_counter()
    try:
        solution = nnsolve.solve(text)
    except ProblemError as e:
        assert all(issue.path or issue.line for issue in e.issues), str(e)
    else:
        for fmt in ("text", "markdown", "json"):
            render(solution, fmt)
    assert time.perf_counter() - began < SECONDS_PER_PROBLEM, text


# -- hostile shapes: each solved with its reason said, or refused at its place, within the time bound ----
HOSTILE_FUNCTIONS = ["(x + y)^{k}", "(x + 1)^{k}", "x^{k}*y^{k}", "exp(exp(exp(x)))", "exp(exp(exp(exp(exp(x)))))",
                     "log(x)", "1/x + y", "sqrt(x)*y", "log(x - y)", "sigmoid(x^{k})", "x^7 - 3x^5 + x - 1",
                     "{big}*x^3 - x", "(x*y - 1)^{k}", "x^{k} - x"]
HOSTILE_POINTS = ["0", "1", "-1", "10", "100", "1e100"]


@st.composite
def hostile_problems(draw) -> str:
    template = draw(st.sampled_from(HOSTILE_FUNCTIONS))
    function = template.format(k=draw(st.sampled_from([2, 9, 40, 100, 999])), big="9" * draw(st.integers(1, 80)))
    names = [v for v in VARIABLES if v in function]
    lines = ["problem: calculus", f"function: '{function}'"]
    if draw(st.booleans()):
        point = [draw(st.sampled_from(HOSTILE_POINTS)) for _ in names]
        lines.append(f"points: [[{', '.join(point)}]]")
    if draw(st.integers(0, 3)) == 0:
        start = ", ".join(draw(st.sampled_from(HOSTILE_POINTS)) for _ in names)
        lines.append(f"descent: {{type: sgd, lr: 0.1, steps: 2, start: [{start}]}}")
    if draw(st.integers(0, 3)) == 0:
        lines.append(f"update: {{learning_rate: '{draw(st.sampled_from(['eta', '0.1', '1/0', 'eta +', 'x', 'f']))}'}}")
    return "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_problems())
def test_every_hostile_problem_is_solved_or_refused_with_a_place_in_time(text):
    began = time.perf_counter()
    try:
        solution = nnsolve.solve(text)
    except ProblemError as e:
        assert all(issue.path or issue.line for issue in e.issues), str(e)
    else:
        for fmt in ("text", "markdown", "json"):
            render(solution, fmt)
    assert time.perf_counter() - began < SECONDS_PER_PROBLEM, text
