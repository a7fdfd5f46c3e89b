from fractions import Fraction

import nnsolve


def test_demo_forward_is_exact_where_rational(examples_dir):
    s = nnsolve.solve(examples_dir / "demo-two-layer-tanh.yaml")
    assert list(s.value("u1")) == [Fraction(13, 10), Fraction(-47, 10), Fraction(36, 10)]
