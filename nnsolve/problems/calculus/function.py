"""The problem's function as a SymPy expression, built once from our own parse of the file: the names
given numbers (`constants`), the named parts (`where`, `in_terms_of`), the variables, and the symbols —
names in the function that are none of these, read as constants without a value (f = a·x² with
variables [x]: a is a symbol, and the derivatives are formulas in it).

The schema's consistency check uses it too, to refuse what needs numbers for the symbols; it imports
SymPy only then, so loading any other problem stays fast.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ...expr import names_in, parse
from ...expr.symbolic import symbol, text_of, to_sympy
from .schema import CalculusProblem, read, variables_of


@dataclass
class Function:
    f: sp.Expr
    variables: list[sp.Symbol]
    definitions: dict[str, sp.Expr]           # name → its number or its part, for formulas and answers
    parts: list[tuple[sp.Expr, sp.Symbol]]    # (part, its name): where first, then in_terms_of
    where_count: int                          # the function is shown with the first this many parts
    symbols: list[sp.Symbol]                  # names read as constants without a value, in order of appearance


class FunctionError(ValueError):
    """A text that parses but is no real function: log(0), min(1/0, x), √−1 · x."""

    def __init__(self, loc: tuple, message: str):
        super().__init__(message)
        self.loc = loc


def function_of(problem: CalculusProblem) -> Function:
    constants = {k: sp.Rational(v.numerator, v.denominator) for k, v in problem.constants.items()}
    definitions: dict[str, sp.Expr] = dict(constants)
    parts: list[tuple[sp.Expr, sp.Symbol]] = []
    for name, text in problem.where.items():          # each may use the ones before it
        part = _built(("where", name), read(problem, text), definitions)
        definitions[name] = part
        parts.append((part, symbol(name)))
    for name, text in problem.in_terms_of.items():
        part = _built(("in_terms_of", name), read(problem, text), definitions)
        definitions[name] = part
        parts.append((part, symbol(name)))
    f = _built(("function",), read(problem, problem.function), definitions)
    variables = [symbol(n) for n in variables_of(problem)]
    symbols = sorted(f.free_symbols - set(variables), key=lambda s: _first_use(problem, str(s)))
    return Function(f, variables, definitions, parts, len(problem.where), symbols)


def _built(loc: tuple, tree, definitions: dict) -> sp.Expr:
    """The SymPy expression of one parsed text, refused (FunctionError at `loc`) where it is not a real number
    for any value of its names: a 1/0 or log(0) of constants, or √−1."""
    unreal = FunctionError(loc, "has no real value anywhere: it contains a division by 0, log(0) or the square "
                                "root of a negative number")
    try:
        expr = to_sympy(tree, definitions)
    except (ValueError, TypeError, ArithmeticError):     # min(1/0, x): SymPy cannot compare with ∞
        raise unreal from None
    if expr.has(sp.zoo, sp.nan, sp.oo, sp.I):
        raise unreal
    return expr


def _rate_issues(problem: CalculusProblem, function: Function) -> list[tuple[tuple, str]]:
    """The update's learning rate: a constant (a name or a positive number), not a variable or the function."""
    loc = ("update", "learning_rate")
    try:
        rate = _built(loc, read(problem, problem.update.learning_rate), function.definitions)
    except FunctionError as e:
        return [(e.loc, str(e))]
    taken = [n for n in names_in(parse(problem.update.learning_rate))
             if n == problem.name or symbol(n) in function.variables]
    if taken:
        what = "the function's name" if taken[0] == problem.name else "a variable"
        return [(loc, f"uses {taken[0]!r}, {what}: the learning rate is a constant (a name such as eta, or a "
                      "number)")]
    if rate.is_number and not rate.is_positive:
        return [(loc, f"is {text_of(rate)}: a learning rate is positive")]
    return []


def _threshold_issues(problem: CalculusProblem, function: Function) -> list[tuple[tuple, str]]:
    """A condition of solve_for that is no relation, or too large to solve, refused at its place."""
    from .schema import declared
    from .thresholds import ConditionError, condition_set

    found = []
    for i, spec in enumerate(problem.solve_for):
        try:
            condition_set(spec.condition, spec.symbol, dict(function.definitions), declared(problem))
        except ConditionError as e:
            found.append((("solve_for", i, "condition"), str(e)))
    return found


def _first_use(problem: CalculusProblem, name: str) -> int:
    """Where a symbol first appears in the file's texts: the order a reader meets them in."""
    seen = [n for text in [problem.function, *problem.where.values(), *problem.in_terms_of.values()]
            for n in names_in(read(problem, text))]
    return seen.index(name) if name in seen else len(seen)


def names(symbols) -> str:
    return ", ".join(str(s) for s in symbols)


def function_issues(problem: CalculusProblem) -> list[tuple[tuple, str]]:
    """A text that is no real function, and what cannot be done with symbols: iterations need the function's value (every symbol), learning
    rates the Hessian's numbers, a regularized optimum the gradient's (of a quadratic; on anything else
    the solution already says there is no closed form)."""
    from . import analysis as A

    try:
        function = function_of(problem)
    except FunctionError as e:
        return [(e.loc, str(e))]
    if problem.name in map(str, function.symbols):
        return [(("function",), f"uses {problem.name!r}, which is also the function's name (name: {problem.name}); "
                                "rename one of them")]
    if problem.variables is not None and function.f.free_symbols and \
            not any(function.f.has(v) for v in function.variables):
        return [(("variables",), f"the function depends on none of {names(function.variables)} (it uses "
                                 f"{names(sorted(function.f.free_symbols, key=str))}): list the variables it is "
                                 "differentiated by")]
    if problem.update is not None:
        found = _rate_issues(problem, function)
        if found:
            return found
    found = _threshold_issues(problem, function)
    if found:
        return found
    if not function.symbols or not (problem.descent or problem.learning_rate or problem.regularized):
        return []
    f, variables = function.f, function.variables
    found = []

    def refuse(key: str, used: set) -> None:
        wanted = [s for s in function.symbols if s in used]
        if wanted:
            found.append(((key,), f"needs a number for {names(wanted)} (give {'it' if len(wanted) == 1 else 'them'}"
                                  f" under constants, e.g. constants: {{{', '.join(f'{s}: …' for s in wanted)}}})"))

    if problem.descent is not None:
        refuse("descent", f.free_symbols)
    quadratic = A.is_quadratic(f, variables)
    if problem.learning_rate is True and quadratic:
        H = A.hessian(f, variables)
        if not H.is_diagonal():        # a diagonal one gives each variable's rates as formulas
            refuse("learning_rate", H.free_symbols)
    if problem.regularized is not None and quadratic:
        refuse("regularized", set().union(*(g.free_symbols for g in A.gradient(f, variables))))
    return found
