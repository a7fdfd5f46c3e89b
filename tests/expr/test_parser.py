import pytest

from nnsolve.expr import Call, ExprError, Name, Op, constant_value, names_in, parse
from nnsolve.expr.parser import MAX_DEPTH


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


def test_numbers_are_exact():
    assert constant_value(parse("0.1 + 0.2")) == constant_value(parse("3/10"))


@pytest.mark.parametrize("text, column, words", [
    ("rleu(x)", 1, "did you mean 'relu'"),
    ("a + ", 5, "expected a number"),
    ("2x", 2, "operator missing"),
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
