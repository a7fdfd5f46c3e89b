"""Decision regions and parity trees. A region's network is run by the independent evaluator on the
solution's test points and on random points, against a point-in-polygon test by triangle areas (a method
nnsolve's region code does not use); parity constructions are checked on every row."""
from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from nnsolve.api import solve

from boolean_support import layers_of, run, scalar

TRIANGLE = [[0, 0], [4, 0], [0, 3]]
# BITS (paper 001, lines 2978-2997): the rectangle P Q R S bounded by x2 = 6, x2 = 2, x1 = 4, x1 = 7
RECTANGLE = [[4, 2], [7, 2], [7, 6], [4, 6]]
SQUARE_FAR = [[10, 10], [12, 10], [12, 12], [10, 12]]


def _area2(a, b, c):
    return abs((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))


def _strictly_inside(point, polygon):
    """Fan the polygon into triangles from vertex 0; the point is strictly inside when the areas of the
    triangles it makes with the edges add up to the polygon's area and none of them is zero."""
    polygon = [tuple(map(Fraction, v)) for v in polygon]
    whole = sum(_area2(polygon[0], polygon[k], polygon[k + 1]) for k in range(1, len(polygon) - 1))
    parts = [_area2(point, polygon[k], polygon[(k + 1) % len(polygon)]) for k in range(len(polygon))]
    return sum(parts) == whole and all(parts)


def _region_yaml(polygons, inside=1):
    return f"problem: boolean_network\nregion: {{polygons: {polygons}, inside: {inside}}}\n"


@pytest.mark.parametrize("polygons, layers", [([TRIANGLE], 2), ([RECTANGLE], 2), ([RECTANGLE, TRIANGLE], 3),
                                              ([TRIANGLE, RECTANGLE, SQUARE_FAR], 3)])
@pytest.mark.parametrize("inside", [1, 0])
def test_region_network_on_its_test_points(polygons, layers, inside):
    solution = solve(_region_yaml(polygons, inside))
    net = layers_of(solution)
    assert len(net) == layers == scalar(solution, "layers")
    points = [tuple(map(Fraction, p)) for p in solution.value("x")]
    assert len(points) == sum(2 * len(p) + 1 for p in polygons)      # centroid, vertices, edges
    for point in points:
        expected = int(any(_strictly_inside(point, p) for p in polygons))
        assert run(net, point) == (expected if inside else 1 - expected)
    assert scalar(solution, "errors") == 0
    assert scalar(solution, "hidden_units") == sum(map(len, polygons)) + (len(polygons) if layers == 3 else 0)


@settings(max_examples=40, deadline=None)
@given(st.tuples(st.fractions(-2, 14, max_denominator=8), st.fractions(-2, 14, max_denominator=8)))
def test_region_network_on_random_points(point):
    net = layers_of(solve(_region_yaml([RECTANGLE, TRIANGLE])))
    inside = any(_strictly_inside(point, p) for p in (RECTANGLE, TRIANGLE))
    assert run(net, point) == int(inside)


def test_rectangle_units_are_the_keys_lines():
    solution = solve(_region_yaml([RECTANGLE]))
    W1 = [[int(v) for v in row] for row in solution.value("W1")]
    b1 = [int(v) for v in solution.value("b1")]
    # the key's lines x2 = 2, x1 = 7, x2 = 6, x1 = 4, each signed so the rectangle's side is positive
    assert list(zip(map(tuple, W1), b1)) == [((0, 1), -2), ((-1, 0), 7), ((0, -1), 6), ((1, 0), -4)]


def test_clockwise_vertices_give_the_same_region():
    clockwise = solve(_region_yaml([list(reversed(TRIANGLE))]))
    assert scalar(clockwise, "errors") == 0
    assert run(layers_of(clockwise), (1, 1)) == 1 and run(layers_of(clockwise), (3, 3)) == 0


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
@pytest.mark.parametrize("gate", ["XOR", "XNOR", "parity"])
def test_parity_tree_sizes_and_one_hidden_layer(gate, n):
    solution = solve(f"problem: boolean_network\nfunction: {gate}\ninputs: {n}\n")
    assert scalar(solution, "tree_depth") == 2 * math.ceil(math.log2(n))
    assert scalar(solution, "tree_units") == 3 * (n - 1)
    assert scalar(solution, "tree_width") == 2 * (n // 2)          # the first round's hidden units
    assert scalar(solution, "tree_errors") == 0
    rows = list(itertools.product((0, 1), repeat=n))
    # the chained XNOR of n inputs is the parity, flipped when n is even
    expected = [(sum(x) + (n - 1 if gate == "XNOR" else 0)) % 2 for x in rows]
    net = layers_of(solution)
    assert [run(net, x) for x in rows] == expected
    (W1, b1), ((w2,), (b2,)) = net
    assert W1 == [[1] * n] * n and b1 == [Fraction(1, 2) - k for k in range(1, n + 1)]
    sign = -1 if gate == "XNOR" and n % 2 == 0 else 1
    assert w2 == [sign * (-1) ** k for k in range(n)]              # alternating ±1
    note = next(s.note for s in solution.steps if s.id == "hidden_units")
    assert ("minimal" in note and "at least 2" in note) if n == 2 else "minimality not established" in note
