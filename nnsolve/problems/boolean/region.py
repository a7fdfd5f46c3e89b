"""A decision region in the plane, a union of convex polygons, as a threshold network: one hidden unit per
edge (the half-plane holding its polygon), an AND unit per polygon, an OR unit over several polygons.

Everything is exact: an edge's line is scaled to coprime integers when its vertices are rational, and the
network is checked on test points built from the vertices with Fractions.
"""
from __future__ import annotations

import math
from fractions import Fraction

NUDGE = Fraction(1, 100)       # how far test points move from a vertex or an edge's midpoint


def _cross(o, a, b) -> Fraction:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def polygon_problems(vertices) -> list[tuple[tuple, str]]:
    """What makes a polygon unusable: (location below it, message); empty when it is convex and proper.
    A proper convex polygon has every other vertex strictly on one side of each edge's line (this also
    refuses repeated vertices, three vertices on a line, and self-crossing stars)."""
    found = []
    for k, v in enumerate(vertices):
        if len(v) != 2:
            found.append(((k,), f"a vertex is [x1, x2], got {len(v)} numbers"))
    if found:
        return found
    m = len(vertices)
    if m < 3:
        return [((), f"a polygon needs at least 3 vertices, got {m}")]
    if orientation(vertices) == 0:
        return [((), "the polygon has zero area (degenerate)")]
    sign = orientation(vertices)
    for k in range(m):
        p, q = vertices[k], vertices[(k + 1) % m]
        for j in range(m):
            if j in (k, (k + 1) % m):
                continue
            side = _cross(p, q, vertices[j]) * sign
            if side <= 0:
                what = "lies on the line of" if side == 0 else "lies outside"
                return [((j,), f"vertex {j + 1} {what} the edge from vertex {k + 1} to vertex {(k + 1) % m + 1}: "
                               "the polygon is not strictly convex (split it into convex pieces, listed in order)")]
    return []


def orientation(vertices) -> int:
    """+1 counter-clockwise, −1 clockwise, 0 no area (twice the signed area's sign)."""
    area = sum(_cross((0, 0), vertices[k], vertices[(k + 1) % len(vertices)]) for k in range(len(vertices)))
    return (area > 0) - (area < 0)


def _integer_line(a: Fraction, b: Fraction, c: Fraction) -> tuple[Fraction, Fraction, Fraction]:
    denominators = math.lcm(*(Fraction(v).denominator for v in (a, b, c)))
    a, b, c = (Fraction(v) * denominators for v in (a, b, c))
    divisor = math.gcd(*(int(v) for v in (a, b, c)))
    return a / divisor, b / divisor, c / divisor


def edge_units(vertices) -> list[tuple[list[Fraction], Fraction]]:
    """For each edge v_k → v_{k+1}: (w, b) with w·x + b > 0 on the polygon's side of the edge's line."""
    sign = orientation(vertices)
    units = []
    for k in range(len(vertices)):
        (px, py), (qx, qy) = vertices[k], vertices[(k + 1) % len(vertices)]
        # cross(q − p, x − p) is positive to the left of p → q; the interior is on the left when counter-clockwise
        a, b = -(qy - py) * sign, (qx - px) * sign
        a, b, c = _integer_line(a, b, -(a * px + b * py))
        units.append(([a, b], c))
    return units


def centroid(vertices) -> tuple[Fraction, Fraction]:
    """The mean of the vertices: strictly inside a convex polygon."""
    m = len(vertices)
    return sum(Fraction(v[0]) for v in vertices) / m, sum(Fraction(v[1]) for v in vertices) / m


def test_points(polygons) -> list[tuple[Fraction, Fraction]]:
    """Each polygon's centroid, its vertices moved 1/100 of the way to the centroid (just inside), and the
    midpoint of each edge moved 1/100 away from the centroid (just outside that edge)."""
    points = []
    for vertices in polygons:
        c = centroid(vertices)
        points.append(c)
        points += [(v[0] + NUDGE * (c[0] - v[0]), v[1] + NUDGE * (c[1] - v[1])) for v in vertices]
        for k in range(len(vertices)):
            p, q = vertices[k], vertices[(k + 1) % len(vertices)]
            mid = ((p[0] + q[0]) / 2, (p[1] + q[1]) / 2)
            points.append((mid[0] + NUDGE * (mid[0] - c[0]), mid[1] + NUDGE * (mid[1] - c[1])))
    return [(Fraction(x), Fraction(y)) for x, y in points]


def inside(point, polygons, closed: bool, signs: list[int] | None = None) -> int:
    """1 when the point is in some polygon (on its boundary counts only for a closed region). `signs`: each
    polygon's orientation, found once for all the points."""
    for vertices, sign in zip(polygons, signs or [orientation(v) for v in polygons]):
        sides = [_cross(vertices[k], vertices[(k + 1) % len(vertices)], point) * sign for k in range(len(vertices))]
        if all(s >= 0 if closed else s > 0 for s in sides):
            return 1
    return 0


def network(polygons, inside_label: int):
    """Layers as (W, b) pairs: edge units; AND units (one per polygon); an OR unit when there are several.
    The last unit is negated when the region is labelled 0. AND/OR nets are integers ± ½, never 0."""
    edges = [edge_units(vertices) for vertices in polygons]
    W1 = [w for units in edges for w, _ in units]
    b1 = [b for units in edges for _, b in units]
    layers = [(W1, b1)]
    ands, start = [], 0
    for units in edges:
        ands.append(([Fraction(1) if start <= j < start + len(units) else Fraction(0) for j in range(len(W1))],
                     Fraction(1, 2) - len(units)))
        start += len(units)
    layers.append(([w for w, _ in ands], [b for _, b in ands]))
    if len(polygons) > 1:
        layers.append(([[Fraction(1)] * len(polygons)], [Fraction(-1, 2)]))
    if inside_label == 0:
        W, b = layers[-1]
        layers[-1] = ([[-v for v in W[0]]], [-b[0]])
    return layers
