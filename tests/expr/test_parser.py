import pytest

from nnsolve.expr import Call, ExprError, Name, Num, Op, constant_value, names_in, parse
from nnsolve.limits import MAX_FORMULA_DEPTH

MAX_DEPTH = MAX_FORMULA_DEPTH.default


def test_precedence_power_binds_tighter_than_unary_minus_and_is_right_associative():
    tree = parse("-x^2^3")
    assert tree.op == "neg"
    power = tree.operands[0]
    assert power.op == "^" and isinstance(power.operands[0], Name)
    assert constant_value(power.operands[1]) == 8      # 2^3, not (x^2)^3


def test_products_before_sums_and_alternative_operator_spellings():
    tree = parse("a + b·c ** 2")
    assert tree.op == "+" and tree.operands[1].op == "*"
    assert tree.operands[1].operands[1].op == "^"


def test_functions_and_names():
    tree = parse("relu(a*x + b*y + c)")
    assert isinstance(tree, Call) and tree.function == "relu"
    assert names_in(tree) == ["a", "x", "b", "y", "c"]


@pytest.mark.parametrize("written, explicit", [
    ("2w1", "2*w1"), ("3(w1 - w2)^2 - 2w1", "3*(w1 - w2)^2 - 2*w1"), ("12x^2 - 64", "12*x^2 - 64"),
    ("(a + b)(a - b)", "(a + b)*(a - b)"), ("2(2p + 3)2", "2*(2*p + 3)*2"), ("x y", "x*y"), ("-2x", "(-2)*x"), ("2 exp(x)", "2*exp(x)"),
])
def test_juxtaposition_multiplies_as_exam_keys_write(written, explicit):
    assert _shape(parse(written)) == _shape(parse(explicit))


def _shape(tree):
    """The tree without columns."""
    if isinstance(tree, Num):
        return ("num", tree.value)
    if isinstance(tree, Name):
        return ("name", tree.name)
    if isinstance(tree, Op):
        return (tree.op,) + tuple(_shape(t) for t in tree.operands)
    return (tree.function,) + tuple(_shape(t) for t in tree.args)


def test_numbers_are_exact():
    assert constant_value(parse("0.1 + 0.2")) == constant_value(parse("3/10"))


@pytest.mark.parametrize("text, column, words", [
    ("rleu(x)", 1, "did you mean 'relu'"),
    ("a + ", 5, "expected a number"),
    ("2 3", 3, "operator missing"),
    ("x^2 3", 5, "operator missing"),
    ("max(a)", 1, "takes 2 arguments"),
    ("(a + b", 7, "expected ')'"),
    ("a $ b", 3, "unexpected character"),
    ("exp + 1", 1, "parentheses"),
])
def test_errors_name_their_column(text, column, words):
    with pytest.raises(ExprError) as e:
        parse(text)
    assert e.value.column == column and words in str(e.value)


def test_size_limits():
    with pytest.raises(ExprError, match="deep"):
        parse("(" * (MAX_DEPTH + 5) + "x" + ")" * (MAX_DEPTH + 5))
    with pytest.raises(ExprError, match="longer"):
        parse("x+" * 2000 + "x")
    with pytest.raises(ExprError, match="more than"):
        parse("+".join(["x"] * 400))


def test_no_python_evaluation():
    with pytest.raises(ExprError):
        parse("__import__('os').system('true')")
    assert isinstance(parse("a - b"), Op)


@pytest.mark.parametrize("text, words", [
    # SymPy would compute 9^387420489 exactly, and 2^(10^10) at x = 2, for as long as that takes
    ("9^9^9", "exponent 387420489 is too large"),
    ("x^(10^10)", "exponent 10000000000 is too large"),
    # an exponent past what the constant folder evaluates (a power of more than 64) is no smaller (make fuzz: 30 s
    # of SymPy before, for a key's (w1 − w2)^10**400)
    ("x^10^400", "exponent is too large"),
    ("(x - y)^(2^100)", "exponent is too large"),
    ("((10^900)^64)^64", "more than 12,000 digits"),
    # Fraction("1e1000000000") would build a billion-digit integer
    ("x + 1e1000000000", "beyond the range handled exactly"),
])
def test_numbers_no_computer_holds_are_refused_with_their_column(text, words):
    with pytest.raises(ExprError, match=words):
        parse(text)


def test_exam_sized_powers_are_fine():
    assert isinstance(parse("2^1000 + x^1000 + (2/3)^100"), Op)
