"""The marking scheme a problem file may give under `marking:` — what each answer is worth, how much credit an
answer carried forward from the student's own earlier numbers earns, and how close counts as right.

Declared once for every family (nnsolve.problems.common), so it loads with the problem file and is refused there,
with its line, like any other key. Only pydantic and the field types are imported: loading a problem stays cheap.
"""
from __future__ import annotations

from typing import Any, Optional

from pydantic import Field, field_validator, model_validator

from ..problems.fields import Model, Number

COMPARATORS = ("absolute", "relative", "decimals", "figures")


class Tolerance(Model):
    """One named comparator (the ones PrairieLearn and STACK name; Moodle's nominal tolerance is `absolute`, its
    relative tolerance `relative`)."""

    absolute: Optional[Number] = Field(default=None, description="right when |answer − value| ≤ this")
    relative: Optional[Number] = Field(default=None, description="right when |answer − value| ≤ this · |value|")
    decimals: Optional[int] = Field(default=None, ge=0, le=30,
                                    description="right when within half a unit of the last of these decimals")
    figures: Optional[int] = Field(default=None, ge=1, le=30,
                                   description="right when within half a unit of the last of these significant "
                                               "figures of the value")

    @model_validator(mode="after")
    def _one(self):
        given = [name for name in COMPARATORS if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(COMPARATORS)}"
                             + (f"; got {', '.join(given)}" if given else ""))
        for name in ("absolute", "relative"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must be at least 0, got {value}")
        return self

    @property
    def name(self) -> str:
        return next(name for name in COMPARATORS if getattr(self, name) is not None)

    @property
    def value(self):
        return getattr(self, self.name)

    def describe(self) -> str:
        words = {"absolute": "within ±{}", "relative": "within a relative {}", "decimals": "to {} decimals",
                 "figures": "to {} significant figures"}
        return words[self.name].format(self.value)


class AnswerMarking(Model):
    marks: Number = Field(default="1", description="what the answer is worth (all or nothing)")
    element_marks: Any = Field(default=None, description="what each element is worth, marked one by one: one "
                                                         "number for every element, or a list of the answer's shape")
    ecf: Number = Field(default="1", description="the fraction of the marks an answer carried forward from the "
                                                 "student's own earlier answers earns (1 full, 0 none)")
    ecf_degenerate: Number = Field(default="0.5", description="the most an answer carried forward earns (a fraction "
                                   "of its marks) when the student's own earlier value makes it degenerate: a unit "
                                   "switched off, a zero gradient, an earlier answer of 0, 1 or the identity where "
                                   "the true one is not (1: no cap)")
    rounding: Number = Field(default="1", description="the fraction of the marks an answer earns when it is right "
                             "only through a slip of rounding: truncated where rounding was asked, or intermediates "
                             "rounded or truncated too early (check's hand-rounding rules; 1: full marks)")
    tolerance: Optional[Tolerance] = Field(default=None, description="a named comparator; default: compared as "
                                                                     "`nnsolve check` compares a key")

    @field_validator("marks")
    @classmethod
    def _marks(cls, value):
        if value < 0:
            raise ValueError(f"must be at least 0, got {value}")
        return value

    @field_validator("ecf", "rounding")
    @classmethod
    def _fraction(cls, value):
        if not 0 <= value <= 1:
            raise ValueError(f"is a fraction of the marks: between 0 and 1, got {value}")
        return value

    @field_validator("ecf_degenerate")
    @classmethod
    def _cap(cls, value):
        if not 0 <= value <= 1:
            raise ValueError(f"is the most a degenerate carried-forward answer earns, as a fraction of its marks: "
                             f"between 0 and 1, got {value}")
        return value

    @model_validator(mode="before")
    @classmethod
    def _not_both(cls, data):
        if isinstance(data, dict) and "marks" in data and "element_marks" in data:
            raise ValueError("give `marks` (the whole answer) or `element_marks` (each element), not both")
        return data


Marking = dict[str, AnswerMarking]
