"""The problem file of the calculus of a loss: a function of named variables, the points where it is
asked about, and optionally descent iterations, a learning-rate analysis or a regularized optimum."""
from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BeforeValidator, Field

from ...expr import ExprError, is_name, name_issues, names_in, parse, parse_declared
from ...limits import MAX_CALCULUS_VARIABLES, MAX_DESCENT_STEPS  # a Hessian and a solve of ∇f = 0 stay exam-sized
from ..common import Common
from ...training.schema import Optimizer
from ..fields import Model, Number, Text, Vector, _number, at_most, register_model

RESERVED = {"e", "pi", "π"}


class Descent(Optimizer):
    """An optimizer of the dense family run on the function itself (gradient descent: type sgd)."""

    steps: Annotated[int, at_most(MAX_DESCENT_STEPS)] = Field(default=1, ge=1, description="number of updates")
    start: Union[dict[str, Number], Vector] = Field(
        description="the starting point: {p: 6} or [6] in the order of `variables`")
    tolerance: Optional[Number] = Field(default=None, description="stop at the first iterate where ‖∇f‖ < tolerance")
    # the training families' keys, read by variable here, and a schedule may be a formula in the update's number t
    lr_schedule: Optional[Union[list[Number], Text]] = Field(
        default=None, description="the learning rate of each update instead of lr: a list (update t uses the t-th, "
                                  "one per step) or a formula in t, e.g. 0.1/(1 + t)")
    initial_state: dict[Literal["v", "m", "s", "G"], Union[Number, dict[str, Number], Vector]] = Field(
        default_factory=dict, description="the optimizer's state before the first update, by the letter its rule "
        "names (momentum/nesterov v, Adam m and s, RMSProp s, Adagrad G): one number for every variable, {x: …} or "
        "a list in the order of `variables`")
    verify: Optional[bool] = Field(
        default=None, description="a long run: run it again at 100 digits and state how many digits agree (refused "
                                  "below the digits shown); by default verified when that is quick")
    trace: Literal["ends", "full"] = Field(
        default="ends", description="a long run's iterations table: the first and last iterates (ends) or every one")


class Regularized(Model):
    penalty: Literal["l1", "l2"] = Field(description="l2: + α/2·‖w‖² (or α‖w‖² with half: false); l1: + α‖w‖₁")
    strength: Number = Field(description="α ≥ 0")
    half: bool = Field(default=True, description="l2 only: the ½ in α/2·‖w‖²")


def _coordinate(value):
    """A number, read exactly, or a name (a symbolic coordinate: w0)."""
    try:
        return _number(value)
    except ValueError:
        if isinstance(value, str) and is_name(value.strip()):
            return value.strip()
        raise


Coordinate = Annotated[Any, BeforeValidator(_coordinate)]


class Taylor(Model):
    at: Union[dict[str, Coordinate], list[Coordinate]] = Field(
        description="the point a: {x: 1, y: 2} or [1, 2]; a coordinate may be a name (a symbol: [w0])")
    order: Literal[1, 2] = Field(default=2, description="1: the tangent plane; 2: also the quadratic model")


class LocalRates(Model):
    at: Union[dict[str, Number], Vector] = Field(description="the point whose curvature bounds the rate")


class SolveFor(Model):
    symbol: Text = Field(description="the name solved for, e.g. alpha (not a variable)")
    condition: Text = Field(description="relations joined by `and`, e.g. abs(1 - 2 alpha) < 1")


class Update(Model):
    learning_rate: Text = Field(default="eta", description="the learning rate's name (or number) in Δw = −η ∂f/∂w")


@register_model
class CalculusProblem(Common):
    problem: Literal["calculus"]
    function: Text = Field(description="the function, e.g. x^4 - 32x^2 + y^4 - 18y^2 (juxtaposition multiplies)")
    name: Text = Field(default="f", min_length=1, description="the function's name in the solution: f, E, L, t …")
    variables: Optional[list[Text]] = Field(
        default=None, description="the variables to differentiate by, in order (default: every free name of "
                                  "the function, in order of appearance); a variable the function does not use "
                                  "is allowed (its derivative is 0)")
    constants: dict[str, Number] = Field(default_factory=dict, description="numbers for names, e.g. {a: 2}")
    symbols: list[Text] = Field(default_factory=list, description="names that are constants without a value "
                                                                  "(symbolic coefficients), e.g. [a, b]")
    where: dict[str, Text] = Field(
        default_factory=dict, description="names for parts of the function, e.g. {z: y*(w1*x1 + w2*x2)}; the "
                                          "function may use them and answers may too")
    in_terms_of: dict[str, Text] = Field(
        default_factory=dict, description="write derivatives with a part replaced by a name, e.g. {y: tanh(u)} "
                                          "gives f'(u) = 1 - y^2")
    points: Union[dict[str, Vector], list[Vector]] = Field(
        default_factory=list, description="points to evaluate and classify, [[0, 0], [4, 3]] (named P1, P2) "
                                          "or {A: [0, 0]}")
    stationary_points: bool = Field(default=True, description="solve ∇f = 0 in closed form when possible")
    hessian: bool = Field(default=True, description="the Hessian (symbolic, and at every point)")
    descent: Optional[Descent] = None
    learning_rate: Union[bool, LocalRates] = Field(
        default=False, description="true: the learning rates of a quadratic function; {at: point}: those the "
                                   "curvature at a point allows (any function)")
    solve_for: list[SolveFor] = Field(default_factory=list, description="thresholds: the values of a symbol for "
                                                                         "which a condition holds")
    taylor: Optional[Taylor] = Field(default=None, description="the Taylor polynomials of order 1 and 2 at a point")
    regularized: Optional[Regularized] = None
    update: Optional[Update] = Field(default=None, description="the symbolic gradient-descent update Δw = −η ∇f")


def point_list(p: CalculusProblem) -> list[tuple[str, tuple, list]]:
    """(name, place in the file, coordinates) of every point."""
    if isinstance(p.points, dict):
        return [(name, ("points", name), list(v)) for name, v in p.points.items()]
    return [(f"P{i + 1}", ("points", i), list(v)) for i, v in enumerate(p.points)]


def declared(p: CalculusProblem) -> set[str]:
    """The names the file declares: variables, constants, symbols, named parts and the update's rate."""
    names = set(p.variables or ()) | set(p.constants) | set(p.symbols) | set(p.where) | set(p.in_terms_of)
    if p.update is not None:
        names.add(p.update.learning_rate)
    return names


def read(p: CalculusProblem, text: str):
    """The tree of one of the problem's formulas, its implicit products read with the declared names."""
    return parse_declared(text, declared(p))[0]


def readings(p: CalculusProblem) -> list[str]:
    """How the formulas' implicit products were read ("ab read as a·b"), for the worked solution."""
    said: list[str] = []
    for text in [p.function, *p.where.values(), *p.in_terms_of.values()]:
        said += [r for r in parse_declared(text, declared(p))[1] if r not in said]
    return said


def variables_of(p: CalculusProblem) -> list[str]:
    if p.variables is not None:
        return list(p.variables)
    named = set(p.constants) | set(p.symbols) | set(p.where) | RESERVED
    if p.update is not None:
        named.add(p.update.learning_rate)
    out: list[str] = []
    for text in [p.function, *p.where.values()]:
        try:
            out += [n for n in names_in(read(p, text)) if n not in named and n not in out]
        except ExprError:
            pass
    return out


def _name_issues(p: CalculusProblem) -> list[tuple[tuple, str]]:
    """Every name the file declares must be one the function can write: a constant named 1, a variable named 2
    would never be the number written in the function, and ∂f/∂2 is no derivative."""
    places = [(("variables", i), n) for i, n in enumerate(p.variables or ())]
    places += [(("constants", n), n) for n in p.constants] + [(("symbols", i), n) for i, n in enumerate(p.symbols)]
    places += [(("where", n), n) for n in p.where] + [(("in_terms_of", n), n) for n in p.in_terms_of]
    return name_issues(places)


def consistency(p: CalculusProblem) -> list[tuple[tuple, str]]:
    found: list[tuple[tuple, str]] = _name_issues(p)
    if found:
        return found
    texts = [(("function",), p.function)] + [(("where", k), v) for k, v in p.where.items()] + \
            [(("in_terms_of", k), v) for k, v in p.in_terms_of.items()] + \
            ([(("update", "learning_rate"), p.update.learning_rate)] if p.update is not None else [])
    for loc, text in texts:
        try:
            read(p, text)
        except ExprError as e:
            found.append((loc, str(e)))
    if found:
        return found
    used = {n for text in [p.function, *p.where.values(), *p.in_terms_of.values()] for n in names_in(read(p, text))}
    for i, name in enumerate(p.symbols):
        if name in p.constants or name in (p.variables or ()) or name in p.where:
            found.append((("symbols", i), f"{name!r} is also a variable, a constant or a named part"))
        elif name not in used:
            found.append((("symbols", i), f"{name!r} is not used in the function"))
    if found:
        return found
    variables = variables_of(p)
    rate = p.update.learning_rate if p.update is not None else None
    if not variables and p.variables is None and rate in names_in(read(p, p.function)):
        found.append((("update", "learning_rate"), f"{rate!r} names the learning rate, a constant, and is the "
                                                   "function's only name: nothing is left to differentiate by "
                                                   "(list the variables, or name the rate otherwise)"))
    elif not variables:
        found.append((("variables",), "the function has no variable to differentiate by"))
    if len(variables) > MAX_CALCULUS_VARIABLES.value:
        found.append((("variables",), f"{len(variables)} variables; at most {MAX_CALCULUS_VARIABLES.value} are "
                                      f"supported {MAX_CALCULUS_VARIABLES.hint}"))
    if len(set(variables)) != len(variables):
        found.append((("variables",), "a variable is named twice"))
    for name in variables:
        if name == p.name:
            found.append((("variables",), f"{name!r} is also the function's name"))
        if name in p.constants or name in p.where:
            found.append((("variables",), f"{name!r} is also given a value under `constants` or `where`"))
    taken = set(variables) | {p.name, "gradient", "hessian", "minimum", "infimum", "iterations"}
    for name, loc, coords in point_list(p):
        if name in taken or (name.startswith("S") and name[1:].isdigit()):
            found.append((loc, f"the point name {name!r} is taken (variables, the function, S1, S2 … for "
                               "stationary points); choose another"))
        if len(coords) != len(variables):
            found.append((loc, f"point {name} has {len(coords)} coordinates; expected {len(variables)} "
                               f"({', '.join(variables)})"))
    if p.descent is not None:
        found += _descent_issues(p, variables)
    for i, spec in enumerate(p.solve_for):
        if spec.symbol in variables or spec.symbol in p.constants or spec.symbol == p.name:
            found.append((("solve_for", i, "symbol"), f"{spec.symbol!r} is a variable, a constant or the function: "
                                                      "solve for a name without a value"))
        try:
            parse_declared(spec.symbol, set())
            for part in re.split(r"<=|>=|!=|==|≤|≥|≠|<|>|=|\s+and\s+", spec.condition):
                parse_declared(part, declared(p) | {spec.symbol})
        except ExprError as e:
            found.append((("solve_for", i, "condition"), str(e)))
    for key, spec in (("taylor", p.taylor), ("learning_rate", p.learning_rate)):
        if isinstance(spec, (Taylor, LocalRates)):
            found += _point_issues((key, "at"), spec.at, variables)
    if p.taylor is not None:
        coordinates = p.taylor.at.values() if isinstance(p.taylor.at, dict) else p.taylor.at
        for name in (c for c in coordinates if isinstance(c, str)):
            try:
                parse_declared(name, set())
            except ExprError as e:
                found.append((("taylor", "at"), str(e)))
                continue
            if name in variables or name == p.name:
                found.append((("taylor", "at"), f"{name!r} is a variable or the function: a symbolic coordinate is "
                                                 "a name of its own (e.g. w0)"))
    if p.regularized is not None and p.regularized.strength < 0:
        found.append((("regularized", "strength"), "α must be ≥ 0"))
    if found:
        return found
    from .function import function_issues          # SymPy: imported for calculus problems only
    return function_issues(p)


def _descent_issues(p: CalculusProblem, variables: list[str]) -> list[tuple[tuple, str]]:
    from ...optim.checks import optimizer_issues

    d = p.descent
    if d.type == "perceptron":
        return [(("descent", "type"), "the perceptron rule needs data and targets, not a function")]
    settings = optimizer_issues(d, "descent", frozenset({"start", "tolerance", "trace", "verify"}))
    if settings:
        return settings
    found = _run_issues(d, variables)
    if found:
        return found
    if isinstance(d.start, dict):
        missing = [v for v in variables if v not in d.start]
        extra = [k for k in d.start if k not in variables]
        if missing or extra:
            return [(("descent", "start"), f"expected a value for each of {', '.join(variables)}"
                     + (f"; missing {', '.join(missing)}" if missing else "")
                     + (f"; {', '.join(extra)} is not a variable" if extra else ""))]
    elif len(d.start) != len(variables):
        return [(("descent", "start"), f"{len(d.start)} values; expected {len(variables)} ({', '.join(variables)})")]
    return []


def _point_issues(loc: tuple, at, variables: list[str]) -> list[tuple[tuple, str]]:
    if isinstance(at, dict):
        if set(at) != set(variables):
            return [(loc, f"expected a value for each of {', '.join(variables)}")]
    elif len(at) != len(variables):
        return [(loc, f"{len(at)} values; expected {len(variables)} ({', '.join(variables)})")]
    return []


def _state_values(values) -> list:
    return list(values.values()) if isinstance(values, dict) else values if isinstance(values, list) else [values]


def _run_issues(d: Descent, variables: list[str]) -> list[tuple[tuple, str]]:
    """The keys that shape the run besides the optimizer's own: a positive tolerance, a schedule formula in t, a
    state by variable."""
    from .kernel import SHOWN_IN_FULL, SUPPORTED

    found = []
    if d.verify and (d.steps <= SHOWN_IN_FULL or d.type not in SUPPORTED):
        found.append((("descent", "verify"), f"verifies a carried run (more than {SHOWN_IN_FULL} steps); "
                                             "this one is recorded update by update"))
    if d.tolerance is not None and d.tolerance <= 0:
        found.append((("descent", "tolerance"), "must be positive"))
    if isinstance(d.lr_schedule, str):      # a list is checked as in every family (one positive rate per update)
        try:
            other = [n for n in names_in(parse(d.lr_schedule)) if n not in ("t", *RESERVED)]
        except ExprError as e:
            other = None
            found.append((("descent", "lr_schedule"), str(e)))
        if other:
            found.append((("descent", "lr_schedule"), f"uses {other[0]!r}: a schedule is a formula in the update's "
                                                      "number t (and numbers)"))
    for letter, values in d.initial_state.items():
        loc = ("descent", "initial_state", letter)
        if isinstance(values, list) and len(values) != len(variables):
            found.append((loc, f"{len(values)} values; expected one for each of {', '.join(variables)}"))
        elif letter in ("s", "G") and any(x < 0 for x in _state_values(values)):
            found.append((loc, "a sum or mean of squares is at least 0"))
    return found


def start_values(p: CalculusProblem) -> dict:
    variables = variables_of(p)
    start = p.descent.start
    return {v: start[v] for v in variables} if isinstance(start, dict) else dict(zip(variables, start))
