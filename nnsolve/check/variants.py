"""The same problem solved the ways a key may have solved it: rounding as it went, carrying its own
earlier (possibly wrong) numbers forward, or under another convention. Each re-solve is done once and keeps only
the answered values."""
from __future__ import annotations

import gc
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ..engine.computation import Policy
from ..engine.number import is_huge, mp, to_fraction
from ..engine.symbolic import Symbolic
from ..engine.tensor import emap
from ..limits import MAX_EXPLAINING_VALUES
from ..ops.activations import Elementwise
from ..ops.scalar import DomainError
from ..solution import Solution
from .numbers import WideNumber

# What a re-solve under an alternative convention may run into (a layout that no longer fits,
# a rounded probability of 0 inside a log): that variant is then simply not the key's.
_IMPOSSIBLE = (ArithmeticError, ValueError, KeyError, IndexError, DomainError)
# the re-solves always allowed however large the problem; MAX_EXPLAINING_VALUES bounds the numbers they compute in
# all (about a second of exact work: a 300-layer network gets ~16 re-solves)
MIN_EXPLAINING_SOLVES = 8
GARBAGE_VALUES = 100_000


@dataclass(frozen=True)
class Pin:
    """A quantity (or one element of it) replaced by the key's number."""

    quantity: str
    index: tuple[int, ...]
    value: np.ndarray            # already in the shape of quantity[index]


@dataclass
class KeyPolicy(Policy):
    """A Policy whose pins may cover single elements: the rest of the tensor is still computed."""

    elements: dict[str, list[tuple[tuple[int, ...], np.ndarray]]] = field(default_factory=dict)
    # each pinned quantity as computed from the pinned ones before it, just before its own pin replaces it: what
    # follows from the key's own earlier numbers
    carried: dict[str, np.ndarray] = field(default_factory=dict)

    def settle(self, node_id: str, value: np.ndarray) -> np.ndarray:
        value = super().settle(node_id, value)
        if node_id in self.elements:
            self.carried[node_id] = value
            value = value.copy()
            for index, given in self.elements[node_id]:
                if given.ndim == 0:
                    value[index] = given[()]       # one number (an object array would keep the 0-d array itself)
                else:
                    value[index] = given
        return value


@dataclass
class TruncatingPolicy(KeyPolicy):
    """Every intermediate cut (not rounded) after `cut_places` decimals, as a key that copies its calculator's
    display digits does: tanh(3.6) = 0.998508… carried on as 0.9985."""

    cut_places: int | None = None

    def settle(self, node_id: str, value: np.ndarray) -> np.ndarray:
        if self.cut_places is not None and node_id not in self.elements:
            value = emap(lambda v: v if isinstance(v, Symbolic) or not _finite(v) else cut(v, self.cut_places), value)
        return super().settle(node_id, value)


def cut(value, places: int):
    """`value` truncated toward zero after `places` decimals, exactly."""
    if not isinstance(value, Fraction):
        if is_huge(value):
            return value                # its 50 digits all lie far left of the point: its own truncation
        if abs(value) < mp.mpf(10) ** -places:
            return Fraction(0)          # (and σ(−10⁶)'s exact binary value is never built)
        value = to_fraction(value)
    unit = Fraction(10) ** places
    return Fraction(int(value * unit)) / unit


def _finite(v) -> bool:
    return isinstance(v, Fraction) or bool(mp.isfinite(v))


TRUNCATE, FORGET, EVERY = "truncate", "forget:", "*"


def forgotten(name: str) -> str:
    """How `check` states a key that forgot an activation's derivative."""
    return f"the derivative of {name} left out of the backward pass"


@dataclass
class ForgetfulPolicy(KeyPolicy):
    """The backward pass of a key that forgot one activation's derivative (σ′ left out: the gradient passes the
    activation unchanged). It notes which activations the backward pass went through."""

    forgotten: str = ""
    seen: set = field(default_factory=set)

    def vjp(self, node, index: int, grad):
        op = node.op
        if isinstance(op, Elementwise) and op.name != "identity":
            self.seen.add(op.name)
            if self.forgotten in (op.name, EVERY):
                return grad
        return super().vjp(node, index, grad)


class Kept:
    """What the checker reads of one re-solve: the values of the answered quantities, nothing else. A whole
    Solution of a 300-layer network is megabytes; a check solves its problem dozens of ways."""

    def __init__(self, solution: Solution, wanted: frozenset[str], carried: dict | None = None):
        carried = carried or {}
        self.values = {q: carried[q] if q in carried else solution.value(q) for q in wanted if solution.has(q)}

    def has(self, quantity: str) -> bool:
        return quantity in self.values

    def value(self, quantity: str) -> np.ndarray:
        return self.values[quantity]


class SharedSolves:
    """Re-solves that do not depend on who asks for them, shared by every Checker of one class of keys (a
    gradebook's students): each is keyed by its convention, rounding and working and by the exact values of its
    pins (Fractions: equal numbers, equal solves), so two students who wrote the same earlier numbers share the
    re-solve carrying them forward, and the problem's own hand-rounded and alternative solves are made once.
    Each Variants still counts its own explaining budget as if it solved alone: a student's verdicts are those of
    a check made for that student only. The kept values are those of every quantity any of them answers."""

    def __init__(self, wanted):
        self.wanted = frozenset(wanted)
        self.kept: dict[tuple, Kept | None] = {}
        self.agreed: dict[tuple, tuple] = {}            # a question Checker.agree answered: (rule, re-solves)
        self.judged: dict[tuple, tuple] = {}            # an answer Checker.judge judged: (result, re-solves)
        self.alternatives: list | None = None           # the family's alternative conventions, found once
        self.activations: tuple | None = None           # (activation names, the re-solve forgetting every one)
        self._pins: dict[tuple, int] = {}

    def pin_token(self, identity: tuple) -> int:
        """A small number standing for a pin's exact identity in the keys (a tuple of Fractions is hashed anew
        each time it is looked up; the number once)."""
        return self._pins.setdefault(identity, len(self._pins))


class Variants:
    """Re-solves of one problem, keyed by (convention variant, rounding, pinned answers); each is solved at most
    once and only the answered quantities' values are kept.

    The problem as given, rounded by hand, is always solved: whether an answer agrees depends on it. Re-solves
    that only look for an explanation of a miss (the key's own numbers carried forward, another convention) share
    a budget: about MAX_EXPLAINING_VALUES numbers computed in all, so a deep network's 300 alternatives are not all
    tried (those left untried explain nothing, which is what the report then says)."""

    def __init__(self, family, model, base: Solution, wanted, shared: SharedSolves | None = None):
        self.family = family
        self.model = model
        self.base = base
        self.shared = shared
        self.wanted = shared.wanted if shared is not None else frozenset(wanted)
        self._cache: dict[tuple, Kept | None] = {("", None, (), False, ""): Kept(base, self.wanted)}
        self._size = sum(step.value.size for step in base.steps)
        self._explaining_left = max(MAX_EXPLAINING_VALUES.value // max(self._size, 1), MIN_EXPLAINING_SOLVES)
        self._since_collected = 0
        self._activations: list[str] | None = None
        self._requests: list | None = None        # the re-solves asked for while recording
        self._refused = False
        self._pin_identities: dict[int, tuple] = {}

    def solve(self, variant: str = "", model=None, places: int | None = None,
              pins: tuple[Pin, ...] = (), carry: bool = False, working: str = "") -> Kept | None:
        """`variant` names `model` (a modified copy of the problem) for the cache; '' is the problem.

        With `carry`, the kept value of each pinned quantity is the one computed from the pins before it (not the
        pin itself): one re-solve says, for every answer at once, what follows from the key's earlier numbers.
        Those re-solves decide agreement, so they are not counted against the explaining budget.
        `working` is how the numbers were worked, if not as a person rounding them: TRUNCATE (`places` cut, not
        rounded) or FORGET + an activation's name (its derivative left out of the backward pass)."""
        key = (variant, places, tuple((p.quantity, p.index) for p in pins), carry, working)
        counted = bool(variant or (pins and not carry) or working)
        if self._requests is not None:
            self._requests.append((key, self._shared_key(variant, places, pins, carry, working), counted))
        if key not in self._cache:
            if counted:
                if self._explaining_left <= 0:
                    self._refused = True
                    return None
                self._explaining_left -= 1
            self._cache[key] = self._shared_solve(model if model is not None else self.model, variant, places, pins,
                                                  carry, working)
        return self._cache[key]

    def _shared_solve(self, model, variant, places, pins, carry, working) -> Kept | None:
        if self.shared is None:
            return self._solve(model, places, pins, carry, working)
        key = self._shared_key(variant, places, pins, carry, working)
        if key not in self.shared.kept:
            self.shared.kept[key] = self._solve(model, places, pins, carry, working)
        return self.shared.kept[key]

    def _shared_key(self, variant, places, pins, carry, working) -> tuple:
        return variant, places, tuple(self._pin_identity(p) for p in pins), carry, working

    def _pin_identity(self, pin: Pin):
        """(quantity, index, shape, exact numbers) of a pin — or the class's token for them — found once per pin
        (the pin is kept with it, so its id is not reused while this Variants lives)."""
        if id(pin) not in self._pin_identities:
            identity = (pin.quantity, pin.index, pin.value.shape, _exact_values(pin.value))
            self._pin_identities[id(pin)] = (pin, self.shared.pin_token(identity) if self.shared is not None else identity)
        return self._pin_identities[id(pin)][1]

    def recording(self, work):
        """(work(), the re-solves it asked for) — None in place of the requests when one was refused for the
        budget: what it found then depends on the budget left, and is this Variants' own."""
        outer, outer_refused = self._requests, self._refused
        self._requests, self._refused = [], False
        try:
            found = work()
        finally:
            requests, refused = self._requests, self._refused
            self._requests, self._refused = outer, outer_refused or refused
            if outer is not None:
                outer.extend(requests)
        return found, (None if refused else tuple(requests))

    def replay(self, requests) -> bool:
        """Take the re-solves another Variants of the class made for the same question, as if this one had asked
        for them: its budget spent as it would have been. False (nothing taken) when its budget left would not
        have covered them, or one is not shared: the question is then worked again here."""
        new = {}
        for key, shared_key, counted in requests:
            if key not in self._cache and key not in new:
                if shared_key not in self.shared.kept:
                    return False
                new[key] = (shared_key, counted)
        if sum(counted for _, counted in new.values()) > self._explaining_left:
            return False
        for key, (shared_key, counted) in new.items():
            self._explaining_left -= counted
            self._cache[key] = self.shared.kept[shared_key]
        if self._requests is not None:
            self._requests.extend(requests)
        return True

    def activations(self) -> list[str]:
        """The activations whose derivatives the backward pass uses, found by one re-solve that leaves every one
        of them out ([] past the budget). With a single activation, that re-solve is the one forgetting it."""
        if self._activations is None:
            if self._explaining_left <= 0:
                return []
            self._explaining_left -= 1
            if self.shared is not None and self.shared.activations is not None:
                self._activations, kept = self.shared.activations
            else:
                self._activations, kept = self._forget_every()
                if self.shared is not None:
                    self.shared.activations = (self._activations, kept)
            if len(self._activations) == 1:
                name = self._activations[0]
                self._cache[(forgotten(name), None, (), False, FORGET + name)] = kept
        return self._activations

    def _forget_every(self) -> tuple[list[str], Kept | None]:
        policy = ForgetfulPolicy(forgotten=EVERY)
        try:
            kept = Kept(self.family.solve(self.model, policy), self.wanted)
        except _IMPOSSIBLE:
            kept = None
        finally:
            self._collect()
        return sorted(policy.seen), kept

    def _solve(self, model, places, pins, carry=False, working="") -> Kept | None:
        elements: dict[str, list] = {}
        for pin in pins:
            plain = np.vectorize(_plain, otypes=[object])(pin.value)
            elements.setdefault(pin.quantity, []).append((pin.index, np.asarray(plain, dtype=object)))
        if working == TRUNCATE:
            policy = TruncatingPolicy(cut_places=places, elements=elements)
        elif working.startswith(FORGET):
            policy = ForgetfulPolicy(round_places=places, elements=elements, forgotten=working[len(FORGET):])
        else:
            policy = KeyPolicy(round_places=places, elements=elements)
        try:
            solution = self.family.solve(model, policy)
            return Kept(solution, self.wanted, policy.carried if carry else None)
        except _IMPOSSIBLE:
            return None
        finally:
            self._collect()

    def _collect(self) -> None:
        """A solver's objects refer to one another (a trainer and its loss builder), so a finished re-solve is
        freed by the cycle collector, which the `nnsolve` command switches off for its short runs: a check is
        not one, so it collects every GARBAGE_VALUES numbers' worth of re-solves (~25 ms for a 300-layer one)."""
        self._since_collected += self._size
        if self._since_collected >= GARBAGE_VALUES:
            gc.collect()
            self._since_collected = 0


def _exact_values(value: np.ndarray) -> tuple:
    """A pin's numbers as the engine takes them, hashable: equal exactly when the re-solves they pin are equal."""
    return tuple(_plain(v) for v in value.reshape(-1))


def _plain(number):
    """A key's number as the engine takes it: a plain Fraction (a Literal is one that remembers its text), or the
    50-digit value of a number written past the exact range."""
    return number.value if isinstance(number, WideNumber) else Fraction(number.numerator, number.denominator)


def value_at(solution: Solution | Kept | None, quantity: str, index: tuple[int, ...]) -> np.ndarray | None:
    """quantity[index] as an array (0-d for one element), or None if that solve failed or lacks it."""
    if solution is None or not solution.has(quantity):
        return None
    value = solution.value(quantity)
    if index:
        if len(index) > value.ndim or any(i >= n for i, n in zip(index, value.shape)):
            return None          # a re-solve of a smaller batch has no row for this sample
        picked = value[index]
        if not isinstance(picked, np.ndarray):
            out = np.empty((), dtype=object)
            out[()] = picked
            return out
        return picked
    return value
