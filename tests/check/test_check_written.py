"""Answers as keys write them: abbreviated magnitudes (138M), thousands separators (34,944), shapes (55x55x96,
(768,)), fractions, formulas of numbers (-log(1/8), e^12/(…)) and verdicts in a key's own words. Each expected
value is computed here by hand (integer arithmetic, `math`, `fractions`), never taken from nnsolve."""
from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import pytest

from nnsolve.check import check
from nnsolve.check.answers import AnswerError, KeyNumber, decimals_written, read_value
from nnsolve.problems.errors import ProblemError

from conftest import CASES

ROOT = CASES.parents[2]
VGG16 = ROOT / "nnsolve" / "bundled" / "vgg16.yaml"
LINEAR = ROOT / "examples" / "calculus" / "linear-function.yaml"


def vgg16_parameters() -> int:
    """VGG16 (torchvision) by the formula (k·k·c_in + 1)·c_out per conv and (n_in + 1)·n_out per dense layer."""
    channels = [3, 64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]
    convs = sum((3 * 3 * c_in + 1) * c_out for c_in, c_out in zip(channels, channels[1:]))
    dense = (512 * 7 * 7 + 1) * 4096 + (4096 + 1) * 4096 + (4096 + 1) * 1000
    return convs + dense


# AlexNet's first layer: 227×227×3, 96 filters of 11×11, stride 4 → ⌊(227 − 11)/4⌋ + 1 = 55
ALEXNET_CONV1 = {
    "problem": "architecture",
    "input": {"shape": [227, 227, 3], "layout": "channels_last"},
    "layers": [{"kind": "conv2d", "name": "conv1", "filters": 96, "kernel": 11, "stride": 4, "padding": "valid"},
               {"kind": "flatten", "name": "flat"},
               {"kind": "dense", "name": "fc", "units": 768}],
}
CONV1_PARAMS = (11 * 11 * 3 + 1) * 96          # 34,944
FC_OUTPUT = 768


def test_an_abbreviated_magnitude_agrees_at_the_precision_written():
    total = vgg16_parameters()
    assert total == 138_357_544
    report = check(VGG16, answers={"total.params": "138M"})
    result = report.result("total.params")
    assert result.ok, result.verdict()
    # 138M claims 3 significant figures: the nearest million, and the report line says so
    assert result.rule == "exact to the nearest 1,000,000 (138M: 3 significant figures)"
    assert abs(total - 138 * 10 ** 6) <= 10 ** 6 // 2
    # 139M is not 138,357,544 to 3 significant figures; 138.4M is to 4 (and 138.3M truncated to 4)
    assert not check(VGG16, answers={"total.params": "139M"}).ok
    assert check(VGG16, answers={"total.params": "138.4M"}).ok
    assert check(VGG16, answers={"total.params": "138.3M"}).result("total.params").rule == \
        "exact to the nearest 100,000 (truncated) (138.3M: 4 significant figures)"
    assert not check(VGG16, answers={"total.params": "138.2M"}).ok


def test_thousands_separators_and_shapes_as_written():
    report = check(ALEXNET_CONV1, answers={
        "conv1.params": "34,944", "conv1.output_shape": "55x55x96", "fc.output_shape": "(768,)"})
    assert report.ok, [r.verdict() for r in report.results]
    assert report.result("conv1.params").rule == "exact"
    assert CONV1_PARAMS == 34_944
    # the multiplication sign, and a tuple
    assert check(ALEXNET_CONV1, answers={"conv1.output_shape": "55×55×96"}).ok
    assert check(ALEXNET_CONV1, answers={"conv1.output_shape": "(55, 55, 96)"}).ok
    # … and wrong ones are still flagged, naming the entry
    wrong = check(ALEXNET_CONV1, answers={"conv1.params": "34,848", "conv1.output_shape": "54x54x96"})
    assert not wrong.result("conv1.params").ok
    shape = wrong.result("conv1.output_shape")
    assert not shape.ok and "[0]: 54 vs 55" in shape.reason and "[1]: 54 vs 55" in shape.reason


def test_a_comma_is_never_a_list_or_a_decimal_point():
    assert read_value("34,944") == 34944 and decimals_written(read_value("34,944")[()]) is None
    assert read_value("1,234.5")[()] == Fraction(24_69, 2) and decimals_written(read_value("1,234.5")[()]) == 1
    # where a vector of two numbers is asked, "34,944" could be either: refused, with both ways to write it
    with pytest.raises(AnswerError, match=r"write a list as \[34, 944\], or the number without commas"):
        read_value("34,944", (2,))
    # a decimal comma is refused rather than read as thousands
    with pytest.raises(AnswerError, match="a comma only separates thousands"):
        read_value("0,5")


def test_magnitudes_and_powers_of_ten():
    assert read_value("1.2K")[()] == 1200 and decimals_written(read_value("1.2K")[()]) == -2
    assert read_value("2.5x10^7")[()] == 25_000_000 and decimals_written(read_value("2.5x10^7")[()]) == -6
    assert read_value("2.5×10^7")[()].figures == 2 and read_value("138M")[()].figures == 3
    assert isinstance(read_value("3.5B")[()], KeyNumber) and read_value("3.5B")[()] == 3_500_000_000


SOFTMAX = {
    # one softmax layer over the scores [10, 8, 12, 5] (W = I, b = 0): y = softmax(x)
    "problem": "dense_network",
    "network": {"layout": "in_out", "layers": [{"W": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
                                                 "b": [0, 0, 0, 0], "activation": "softmax"}]},
    "data": {"x": [10, 8, 12, 5], "target": [0, 0, 1, 0]},
    "loss": {"type": "cross_entropy"},
}

UNIFORM = {
    # eight equal scores: every probability is 1/8, and cross-entropy is −log(1/8) = ln 8
    "problem": "dense_network",
    "network": {"layout": "in_out", "layers": [{"W": [[0, 0, 0, 0, 0, 0, 0, 0]], "b": [0, 0, 0, 0, 0, 0, 0, 0],
                                                 "activation": "softmax"}]},
    "data": {"x": [1], "target": [1, 0, 0, 0, 0, 0, 0, 0]},
    "loss": {"type": "cross_entropy"},
}


def test_formulas_of_numbers_are_evaluated_exactly():
    mpmath.mp.dps = 50
    e = mpmath.e
    expected = e ** 12 / (e ** 10 + e ** 8 + e ** 12 + e ** 5)
    assert abs(float(expected) - math.exp(12) / (math.exp(10) + math.exp(8) + math.exp(12) + math.exp(5))) < 1e-15
    report = check(SOFTMAX, answers={"y[2]": "e^12/(e^10 + e^8 + e^12 + e^5)"})
    assert report.ok and report.result("y[2]").rule == "exact", report.result("y[2]").verdict()
    # the formula is exact: the scores of another class are not the same number
    assert not check(SOFTMAX, answers={"y[2]": "e^12/(e^10 + e^8 + e^12 + e^4)"}).ok

    uniform = check(UNIFORM, answers={"loss": "-log(1/8)", "y[0]": "1/8", "y[1]": "0.125"})
    assert uniform.ok, [r.verdict() for r in uniform.results]
    assert uniform.result("loss").rule == "exact" and uniform.result("y[0]").rule == "exact"
    assert not check(UNIFORM, answers={"loss": "-log(1/9)"}).ok
    assert not check(UNIFORM, answers={"y[0]": "1/9"}).ok


def test_a_formula_naming_a_variable_is_a_format_error():
    with pytest.raises(ProblemError, match=r"answers\.loss: expected a number, got '-log\(p\)': it names p"):
        check(UNIFORM, answers={"loss": "-log(p)"})


@pytest.mark.parametrize("written", ["neither", "Neither.", "none of these", "None of the above", "none"])
def test_verdicts_in_a_keys_own_words(written):
    # f = 3w1 + 4w2 is linear and nonconstant: it has no minimum
    report = check(LINEAR, answers={"minimum": written})
    assert report.ok, report.result("minimum").verdict()


def test_a_wrong_verdict_is_still_wrong():
    assert not check(LINEAR, answers={"minimum": "local minimum"}).ok


def test_every_wrong_component_of_a_vector_of_formulas_is_named():
    # ∇(x²y + 3y) = (2xy, x² + 3), by hand
    problem = {"problem": "calculus", "function": "x^2*y + 3*y", "variables": ["x", "y"]}
    assert check(problem, answers={"gradient": ["2*x*y", "x^2 + 3"]}).ok
    one = check(problem, answers={"gradient": ["2*x*y", "x^2"]}).result("gradient")
    assert not one.ok and one.reason.startswith("[1]: ") and "[0]" not in one.reason
    both = check(problem, answers={"gradient": ["2*x", "x^2"]}).result("gradient")
    assert "[0]: " in both.reason and "[1]: " in both.reason


def test_an_ambiguous_comma_is_refused_at_its_line(tmp_path):
    # u1 is a vector of two numbers: "1,100" could be 1100 or [1, 100]
    text = (CASES / "sigmoid-net.yaml").read_text() + "answers:\n  u1: 1,100\n"
    path = tmp_path / "key.yaml"
    path.write_text(text)
    line = text.splitlines().index("  u1: 1,100") + 1
    with pytest.raises(ProblemError) as error:
        check(path)
    assert f"answers.u1: 1,100 reads as one number, 1100, with a thousands separator, yet a vector of 2 is " \
           f"expected: write a list as [1, 100], or the number without commas (line {line})" in str(error.value)
