"""Unknown kernel entries: the system, its verdict (one, none or many solutions) and the values, checked
against PyTorch float64 convolutions (integer data, so float64 is exact); bad input gets located errors."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnsolve
from cli_runner import invoke
from nnsolve.api import load
from nnsolve.problems import ProblemError

torch = pytest.importorskip("torch")
F = torch.nn.functional


def problem_text(input_, kernel, outputs, **settings_) -> dict:
    data = {"problem": "conv_unknowns", "input": input_, "kernel": kernel,
            "outputs": [{"at": list(at), "value": v} for at, v in outputs]}
    data.update(settings_)
    return data


def torch_output(image, kernel, bias, stride, padding, dilation, flip):
    """Every output of the (single-filter) convolution, by PyTorch."""
    x = torch.tensor(np.asarray(image, dtype=float), dtype=torch.float64)[None]
    k = torch.tensor(np.asarray(kernel, dtype=float), dtype=torch.float64)[None]
    if flip:
        k = torch.flip(k, dims=[-2, -1])
    b = torch.tensor([float(bias)], dtype=torch.float64)
    return F.conv2d(x, k, b, stride=stride, padding=padding, dilation=dilation)[0, 0].numpy()


@st.composite
def convolutions(draw):
    channels = draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 1)), draw(st.integers(0, 1)))
    height = draw(st.integers(max(1, dilation[0] * (kh - 1) + 1 - 2 * padding[0]), 5))
    width = draw(st.integers(max(1, dilation[1] * (kw - 1) + 1 - 2 * padding[1]), 5))
    small = st.integers(-3, 3)
    image = [[[draw(small) for _ in range(width)] for _ in range(height)] for _ in range(channels)]
    kernel = [[[draw(small) for _ in range(kw)] for _ in range(kh)] for _ in range(channels)]
    cells = [(c, i, j) for c in range(channels) for i in range(kh) for j in range(kw)]
    hidden = draw(st.lists(st.sampled_from(cells), min_size=1, max_size=min(4, len(cells)), unique=True))
    bias = draw(small)
    bias_unknown = draw(st.booleans())
    flip = draw(st.booleans())
    return dict(image=image, kernel=kernel, hidden=hidden, bias=bias, bias_unknown=bias_unknown, flip=flip,
                stride=stride, padding=padding, dilation=dilation)


def named_kernel(kernel, hidden):
    named = [[[v for v in row] for row in channel] for channel in kernel]
    for n, (c, i, j) in enumerate(hidden):
        named[c][i][j] = f"k{n}"
    return named


@settings(max_examples=40, deadline=None)
@given(convolutions(), st.data())
def test_solution_reproduces_the_known_outputs_and_the_verdict_matches_the_rank(case, data):
    image, kernel, bias, flip = case["image"], case["kernel"], case["bias"], case["flip"]
    geometry = dict(stride=case["stride"], padding=case["padding"], dilation=case["dilation"])
    full = torch_output(image, kernel, bias, flip=flip, **geometry)
    cells = [(i, j) for i in range(full.shape[0]) for j in range(full.shape[1])]
    known = data.draw(st.lists(st.sampled_from(cells), min_size=1, max_size=len(cells), unique=True))
    names = [f"k{n}" for n in range(len(case["hidden"]))] + (["b0"] if case["bias_unknown"] else [])
    spec = problem_text(image, named_kernel(kernel, case["hidden"]), [(at, int(full[at])) for at in known],
                        bias="b0" if case["bias_unknown"] else bias, stride=list(case["stride"]),
                        padding=list(case["padding"]), dilation=list(case["dilation"]),
                        operation="convolution" if flip else "cross_correlation")
    solution = nnsolve.solve(spec)

    # the outputs are linear in the unknowns: their coefficients by PyTorch, one unknown at a time
    def outputs_with(values):
        k = [[[v for v in row] for row in channel] for channel in kernel]
        for (c, i, j), v in zip(case["hidden"], values):
            k[c][i][j] = v
        b = values[-1] if case["bias_unknown"] else bias
        output = torch_output(image, k, b, flip=flip, **geometry)
        return np.array([output[at] for at in known])

    base = outputs_with([0] * len(names))
    matrix = np.stack([outputs_with([int(m == n) for m in range(len(names))]) - base
                       for n in range(len(names))], axis=1)
    rank = np.linalg.matrix_rank(matrix)
    assert solution.value("rank")[()] == rank
    unique = rank == len(names)
    assert dict(solution.conventions)["solution"] == "unique" if unique else "not unique" in \
        dict(solution.conventions)["solution"]
    values = [solution.value(n)[()] for n in names]
    if unique:
        truth = [kernel[c][i][j] for c, i, j in case["hidden"]] + ([bias] if case["bias_unknown"] else [])
        assert values == truth
    # the solution shown (free unknowns at 0) gives back every known output (exact fractions, so only
    # the float conversion of values like 1/3 differs)
    assert all(isinstance(v, Fraction) for v in values)
    np.testing.assert_allclose(outputs_with([float(v) for v in values]), [full[at] for at in known], atol=1e-9)


def test_inconsistent_outputs_name_the_contradicting_equations():
    # a 1×1 kernel [a] on [1, 2]: O[0,0] = a = 1 but O[0,1] = 2a = 3
    solution = nnsolve.solve(problem_text([[1, 2]], [["a"]], [((0, 0), 1), ((0, 1), 3)]))
    assert dict(solution.conventions)["solution"].startswith("none")
    assert "a" not in solution.ids
    step = solution.step("contradiction1")
    assert step.value[()] == 1                     # E₂ − 2E₁: 0 = 3 − 2·1
    assert "−2·E₁ + E₂" in step.note and "0 = 1" in step.note
    assert solution.asked == ["rank", "contradiction1"]


def test_underdetermined_system_gives_free_unknowns_and_the_rest_in_terms_of_them():
    # [a, b] on [[1, 1, 2]] with O[0,0] = a + b = 2 (one equation, two unknowns)
    solution = nnsolve.solve(problem_text([[1, 1, 2]], [["a", "b"]], [((0, 0), 2)]))
    assert "not unique" in dict(solution.conventions)["solution"]
    assert solution.value("b")[()] == 0 and solution.value("a")[()] == 2
    a = solution.step("a")
    assert a.formula.args == ("b",) and a.formula.text == "2 − {0}"
    assert "free" in solution.step("b").note


def test_a_name_used_twice_is_one_unknown():
    # symmetric kernel [[a, b], [b, a]] on [[1, 2], [3, 4]] and [[2, 0], [1, 1]]
    image = [[[1, 2], [3, 4]], [[2, 0], [1, 1]]]
    a, b = Fraction(1, 2), Fraction(-3)
    kernel = [[["a", "b"], ["b", "a"]], [[1, 0], [0, 1]]]
    out0 = float(torch_output(image, [[[a, b], [b, a]], [[1, 0], [0, 1]]], 0, 1, 0, 1, False)[0, 0])
    solution = nnsolve.solve(problem_text(image, kernel, [((0, 0), str(Fraction(out0)))]))
    assert "not unique" in dict(solution.conventions)["solution"]        # one equation, a and b
    # and with a known bias and two different inputs (both channels used) it is unique
    second = [[[1, 2], [3, 4]], [[2, 0], [1, 1]]]
    out1 = float(torch_output(second, [[[a, b], [b, a]], [[1, 0], [0, 1]]], 2, 1, 0, 1, False)[0, 0])
    assert out1 == 5 * a + 5 * b + 3 + 2
    wider = [[[1, 2, 0], [3, 4, 1]], [[2, 0, 1], [1, 1, 0]]]
    outs = torch_output(wider, [[[a, b], [b, a]], [[1, 0], [0, 1]]], 2, 1, 0, 1, False)
    solution = nnsolve.solve(problem_text(wider, kernel, [((0, 0), outs[0, 0]), ((0, 1), outs[0, 1])], bias=2))
    assert dict(solution.conventions)["solution"] == "unique"
    assert (solution.value("a")[()], solution.value("b")[()]) == (a, b)


def test_one_based_positions_and_same_padding():
    image = [[1, 2, 0], [0, 1, 3], [2, 2, 1]]
    truth = [[1, -1, 0], [2, 0, 1], [0, 1, 1]]
    full = torch_output([image], [truth], 0, 1, 1, 1, False)          # same = 1 on each side for 3×3
    kernel = [["p", -1, 0], [2, "q", 1], [0, 1, "r"]]
    outputs = [((i + 1, j + 1), full[i, j]) for i, j in ((0, 0), (1, 1), (2, 2), (0, 2))]
    solution = nnsolve.solve(problem_text(image, kernel, outputs, padding="same", index_base=1))
    assert [solution.value(n)[()] for n in "pqr"] == [1, 0, 1]


def refusal(spec: dict) -> list[tuple[str, str]]:
    with pytest.raises(ProblemError) as caught:
        load(spec)
    return [(i.path, i.message) for i in caught.value.issues]


def test_bad_input_is_located():
    good = problem_text([[1, 2, 3], [4, 5, 6]], [["a", 1], [0, "b"]], [((0, 0), 4), ((0, 1), 5)])
    issues = dict(refusal({**good, "outputs": [{"at": [0, 0], "value": 1}, {"at": [2, 0], "value": 3}]}))
    assert "outside the 1×2 output" in issues["outputs[1].at"]
    issues = dict(refusal({**good, "outputs": [{"at": [0, 1], "value": 1}, {"at": [0, 1], "value": 3}]}))
    assert "given twice" in issues["outputs[1].at"]
    issues = dict(refusal({**good, "kernel": [["a+b", 1], [0, "rank"]]}))
    assert "expressions are not supported" in issues["kernel[0][0]"]
    issues = dict(refusal({**good, "kernel": [["a", 1], [0, "rank"]]}))
    assert "taken by the worked solution" in issues["kernel[1][1]"]
    issues = dict(refusal({**good, "kernel": [[1, 1], [0, 2]]}))
    assert "no unknown entries" in issues["kernel"]
    issues = dict(refusal({**good, "kernel": [[[1, 1], [0, "a"]], [[1, 1], [0, 2]]]}))
    assert "2 channel(s), the input 1" in issues["kernel"]
    issues = dict(refusal({**good, "kernel": [["a", 1, 1, 1], [0, "b", 1, 1]]}))
    assert "there is no output" in issues["kernel"]
    issues = dict(refusal({**good, "stride": 0}))
    assert "at least 1" in issues["stride"]


def test_cli_refuses_with_the_line_and_exit_code_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("problem: conv_unknowns\ninput: [[1, 2], [3, 4]]\nkernel: [[a]]\noutputs:\n"
                    "  - {at: [0, 0], value: 1}\n  - {at: [5, 0], value: 2}\n")
    result = invoke("solve", path)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "outputs[1].at" in result.stderr and "line 6" in result.stderr
