"""The `variants:` block of a problem file: which givens vary and how, what every accepted variant must satisfy,
and the seed.

Declared with the keys every problem file has (nnsolve.problems.common), so a malformed block is refused with its
line by `solve` and `check` too, not only by `vary`. Only pydantic and the field types are imported here: loading a
problem stays cheap. The paths are checked against the file's own data (`paths_named`), before the families'
models see it, because a path names a place as the file writes it (`network.layers[0].W[1][0]`).
"""
from __future__ import annotations

import re
from fractions import Fraction
from typing import Annotated, Any, Optional

from pydantic import BeforeValidator, Field, field_validator, model_validator

from ..engine.number import exact_string
from ..problems.errors import parse_path
from ..problems.fields import Model, Number, Text

# what a problem file says that is not a given: how it is asked, keyed, marked, shown and drawn
NOT_GIVENS = ("problem", "title", "statement", "source", "ask", "answers", "marking", "digits", "key_rounding",
              "variants")
# how many candidate values one varied number may have: a range wider than this is a typo (a step of 0.0001 over
# ±1000), and the count is built as a Python integer, never as a list
MOST_CANDIDATES = 10 ** 9


def _one_or_list(value: Any):
    return [value] if isinstance(value, (str, dict)) else value


class Vary(Model):
    """How one given varies: a set of values, or a range with a step; each number of it on its own, or one value
    for the whole vector or matrix."""

    values: Optional[list[Number]] = Field(default=None, description="the values to choose from")
    from_: Optional[Number] = Field(default=None, alias="from", description="the smallest value of a range")
    to: Optional[Number] = Field(default=None, description="the largest value of a range (reached when on a step)")
    step: Optional[Number] = Field(default=None, description="the step of a range (default 1)")
    nonzero: bool = Field(default=False, description="leave 0 out of the values")
    per: str = Field(default="element", description="`element`: each number its own value; `matrix`: one value "
                                                    "for every number of the given")

    @field_validator("per")
    @classmethod
    def _per(cls, value):
        if value not in ("element", "matrix"):
            raise ValueError(f"is `element` (each number its own value) or `matrix` (one value for all), got "
                             f"{value!r}")
        return value

    @field_validator("values")
    @classmethod
    def _some(cls, value):
        if value is not None and not value:
            raise ValueError("give at least one value")
        return value

    @model_validator(mode="after")
    def _how(self):
        ranged = self.from_ is not None or self.to is not None or self.step is not None
        if self.values is not None and ranged:
            raise ValueError("give `values` (a set) or `from`/`to`/`step` (a range), not both")
        if self.values is None and not ranged:
            raise ValueError("give `values: [...]` or a range `{from: -1, to: 1, step: 0.5}`")
        if ranged:
            if self.from_ is None or self.to is None:
                raise ValueError("a range needs both `from` and `to`")
            if self.step is not None and self.step <= 0:
                raise ValueError(f"the step must be greater than 0, got {self.step}")
            if self.from_ > self.to:
                raise ValueError(f"`from` ({self.from_}) is greater than `to` ({self.to})")
            if self.count_in_range() > MOST_CANDIDATES:
                raise ValueError(f"the range has {self.count_in_range():,} values, more than {MOST_CANDIDATES:,}: "
                                 f"is the step right?")
        if self.candidates_count() == 0:
            raise ValueError("no value is left once 0 is left out")
        return self

    @property
    def stride(self) -> Fraction:
        return Fraction(1) if self.step is None else Fraction(self.step)

    def count_in_range(self) -> int:
        return int((Fraction(self.to) - Fraction(self.from_)) // self.stride) + 1

    def candidates_count(self) -> int:
        """How many values can be chosen (0 left out under `nonzero`)."""
        if self.values is not None:
            return len(self._set())
        return self.count_in_range() - (1 if self.nonzero and self._zero_index() is not None else 0)

    def _set(self) -> list[Fraction]:
        seen: list[Fraction] = []
        for v in self.values:
            if v not in seen and not (self.nonzero and v == 0):
                seen.append(v)
        return seen

    def _zero_index(self) -> int | None:
        offset = -Fraction(self.from_) / self.stride
        if offset.denominator == 1 and 0 <= offset < self.count_in_range():
            return int(offset)
        return None

    def candidate(self, index: int):
        """The value number `index` (0 ≤ index < candidates_count()), exact, as the file wrote it when it is one
        of a set's."""
        if self.values is not None:
            return self._set()[index]
        zero = self._zero_index() if self.nonzero else None
        if zero is not None and index >= zero:
            index += 1
        return Fraction(self.from_) + index * self.stride


CONSTRAINT_KINDS = {
    "no_kink_at_zero": "no ReLU-like function (ReLU, leaky ReLU, ELU, sign) meets exactly 0",
    "no_pool_ties": "no max-pooling window has two equal largest values",
    "within": "every number of the answers lies in [from, to]",
    "decimals": "every number of the answers is exact with at most this many decimals",
    "distinct_answers": "`across`: no two variants have the same key; `within`: no two numbers of a key are equal",
    "loss_falls": "the loss after the update is below the loss before it",
    "unique_solution": "the unknown kernel entries have one solution (conv_unknowns)",
    "expression": "a comparison over quantity ids, e.g. 'loss(1) < loss' or 'abs(u1[0]) >= 0.1'",
}
FLAGS = ("no_kink_at_zero", "no_pool_ties", "loss_falls", "unique_solution", "distinct_answers")


def _set_form(value: Any):
    # `W: [1, 2, 3]` is the set {1, 2, 3}: read as {values: [...]}, so it gets the same checks
    return {"values": value} if isinstance(value, list) else value


def _constraint(value: Any):
    # `- no_pool_ties` means `- {no_pool_ties: true}`; `- distinct_answers` means across the variants
    if isinstance(value, str):
        value = {value: None}
    if isinstance(value, dict):      # `{no_pool_ties}` in flow style: the key with no value
        value = {k: ("across" if k == "distinct_answers" else True) if v is None and k in FLAGS else v
                 for k, v in value.items()}
    return value


class Constraint(Model):
    no_kink_at_zero: Optional[bool] = Field(default=None, description=CONSTRAINT_KINDS["no_kink_at_zero"])
    no_pool_ties: Optional[bool] = Field(default=None, description=CONSTRAINT_KINDS["no_pool_ties"])
    within: Optional[list[Number]] = Field(default=None, description="[from, to]: " + CONSTRAINT_KINDS["within"])
    decimals: Optional[int] = Field(default=None, ge=0, le=30, description=CONSTRAINT_KINDS["decimals"])
    distinct_answers: Optional[str] = Field(default=None, description=CONSTRAINT_KINDS["distinct_answers"])
    loss_falls: Optional[bool] = Field(default=None, description=CONSTRAINT_KINDS["loss_falls"])
    unique_solution: Optional[bool] = Field(default=None, description=CONSTRAINT_KINDS["unique_solution"])
    expression: Optional[Text] = Field(default=None, description=CONSTRAINT_KINDS["expression"])
    answers: Annotated[Optional[list[Text]], BeforeValidator(lambda v: [v] if isinstance(v, str) else v)] = Field(
        default=None, description="the answer ids `within` and `decimals` hold for (default: every asked answer)")

    @model_validator(mode="before")
    @classmethod
    def _known(cls, data):
        if isinstance(data, dict):
            kinds = [k for k in data if k in CONSTRAINT_KINDS]
            if len(kinds) != 1 and not [k for k in data if k not in CONSTRAINT_KINDS and k != "answers"]:
                raise ValueError("give exactly one constraint: " + ", ".join(CONSTRAINT_KINDS)
                                 + (f"; got {', '.join(kinds)}" if kinds else ""))
        return data

    @model_validator(mode="after")
    def _meaningful(self):
        for flag in ("no_kink_at_zero", "no_pool_ties", "loss_falls", "unique_solution"):
            if getattr(self, flag) is False:
                raise ValueError(f"`{flag}: false` asks for nothing: leave the constraint out")
        if self.within is not None:
            if len(self.within) != 2 or self.within[0] > self.within[1]:
                raise ValueError(f"`within` is [from, to] with from ≤ to, got {self.within}")
        if self.distinct_answers is not None and self.distinct_answers not in ("across", "within"):
            raise ValueError(f"`distinct_answers` is `across` (no two variants share a key) or `within` (no two "
                             f"numbers of one key are equal), got {self.distinct_answers!r}")
        if self.answers is not None and self.within is None and self.decimals is None:
            raise ValueError("`answers` chooses the answers of `within` or `decimals` only")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in CONSTRAINT_KINDS if getattr(self, k) is not None)

    def label(self) -> str:
        """The constraint in the file's words, for the stress report."""
        value = getattr(self, self.kind)
        on = f" on {', '.join(self.answers)}" if self.answers else ""
        if self.kind == "within":
            return f"within [{exact_string(self.within[0])}, {exact_string(self.within[1])}]{on}"
        if self.kind == "decimals":
            return f"at most {self.decimals} decimal{'' if self.decimals == 1 else 's'}{on}"
        if self.kind == "expression":
            return f"expression {value}"
        if self.kind == "distinct_answers":
            return f"distinct answers ({value})"
        return self.kind


class Variants(Model):
    seed: Optional[int] = Field(default=None, ge=0, description="the seed of the draws, 0 or more (default 1; `--seed` "
                                                                 "overrides)")
    # the shorthands are read item by item (a list is a set, a name a constraint), so the JSON Schema of
    # `nnsolve schema` accepts them where they are written
    vary: dict[str, Annotated[Vary, BeforeValidator(_set_form)]] = Field(
        description="given path (network.layers[0].W, data.x[1], optimizer.lr) → how it varies: "
                    "{values: [...]} or {from, to, step}, with nonzero and per: element|matrix; a plain list is "
                    "a set of values")
    constraints: Annotated[list[Annotated[Constraint, BeforeValidator(_constraint)]],
                           BeforeValidator(_one_or_list)] = Field(
        default_factory=list, description="what every accepted variant satisfies: " + "; ".join(
            f"{k}: {w}" for k, w in CONSTRAINT_KINDS.items()))

    @field_validator("vary")
    @classmethod
    def _some(cls, value):
        if not value:
            raise ValueError("name at least one given to vary")
        return value


def paths_named(data: dict) -> list[tuple[tuple, str]]:
    """(place in the file, message) for each `variants.vary` path that names no number of the file's givens."""
    block = data.get("variants") if isinstance(data, dict) else None
    vary = block.get("vary") if isinstance(block, dict) else None
    if not isinstance(vary, dict):
        return []
    out = []
    for path in vary:
        why = _names_numbers(data, str(path))
        if why:
            out.append((("variants", "vary", path), why))
    return out


def resolve(data, path: str):
    """The value at a path such as `network.layers[0].W[1][0]` in the file's data, or a KeyError/IndexError
    whose message says where it stops."""
    loc = parse_path(path)
    if not loc or not isinstance(loc[0], str) or loc[0] in NOT_GIVENS:
        raise KeyError(f"{path!r} is not a given of the problem")
    node, walked = data, []
    for part in loc:
        if isinstance(part, int):
            if not isinstance(node, list) or not 0 <= part < len(node):
                size = f"a list of {len(node)}" if isinstance(node, list) else "not a list"
                raise IndexError(f"{_shown(walked) or 'the file'} has no entry [{part}] ({size})")
        elif not isinstance(node, dict) or part not in node:
            known = sorted(map(str, node)) if isinstance(node, dict) else []
            from ..problems.errors import suggestion
            where = f"under {_shown(walked)}" if walked else "in the file"
            raise KeyError(f"no key {part!r} {where}" + suggestion(part, known, list_if_none=True))
        node = node[part]
        walked.append(part)
    return node


def _shown(loc) -> str:
    from ..problems.errors import format_path
    return format_path(tuple(loc))


_PATH = re.compile(r"[^\s.\[\]]+(?:\[\d+\])*(?:\.[^\s.\[\]]+(?:\[\d+\])*)*")


def _names_numbers(data, path: str) -> str | None:
    if not _PATH.fullmatch(path):
        return f"{path[:60]!r} is not a path like network.layers[0].W or data.x[1]"
    try:
        value = resolve(data, path)
    except (KeyError, IndexError) as e:
        return f"names no given: {e.args[0]}"
    if not _has_number(value):
        from ..problems.fields import describe
        return f"names {describe(value)}, not numbers: only numbers vary"
    return None


def _has_number(value) -> bool:
    if isinstance(value, Fraction) and not isinstance(value, bool):
        return True
    if isinstance(value, list):
        return any(_has_number(v) for v in value)
    return False
