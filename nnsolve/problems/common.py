"""Keys every problem file has, whatever its family."""
from __future__ import annotations

from typing import Annotated, Any, Optional

from pydantic import BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from ..grading.scheme import Marking
from ..variants.schema import Variants, paths_named
from .fields import ENTRIES, Model, Text

def _one_or_list(value: Any):
    # `ask: forward` means `ask: [forward]`
    return [value] if isinstance(value, str) else value


class Source(Model):
    paper: Optional[Text] = Field(default=None, description="the exam or book the problem comes from")
    question: Optional[Text] = Field(default=None, description="question number in the paper")
    lines: Optional[Text] = None
    case: Optional[Text] = Field(default=None, description="id of the case in the exam-case corpus")
    note: Optional[Text] = None


class Common(Model):
    problem: str = Field(description="the problem family, e.g. dense_network")
    title: Text = ""
    statement: Optional[Text] = Field(
        default=None, description="the question as the exam words it (Markdown), printed above the worked solution "
                                  "and alone by `solve --handout`; {W1}, {x}, {lr}, {W1[0][1]} are filled from the "
                                  "givens, {{ and }} are literal braces")
    source: Optional[Source] = None
    ask: Annotated[list[Text], BeforeValidator(_one_or_list)] = Field(
        default_factory=list, description="quantity ids, or groups of them named by the family (forward, loss, "
                                          "gradients, … in the families that train); "
                                          "empty means the family's default (see its documentation)")
    answers: dict[str, Any] = Field(default_factory=dict, description="a key's or a student's answers by id")
    digits: Optional[int] = Field(default=None, ge=0, le=30, description="decimals shown (default 4)")
    key_rounding: Annotated[list[Annotated[int, Field(ge=0, le=30)]],
                            BeforeValidator(lambda v: v if isinstance(v, list) else [v])] = Field(
        default_factory=list,
        description="decimals the key says it kept in its intermediates (e.g. 5 for 'I used 5 DP'); "
                    "the checker then forgives only the drift that rounding produces")
    marking: Marking = Field(default_factory=dict,
                             description="the marking scheme `nnsolve grade` uses, per answer id (marks, element_marks, "
                                         "ecf, tolerance); without it each answer is worth one mark, full ECF credit")
    variants: Optional[Variants] = Field(default=None,
                                         description="how `nnsolve vary` draws variants of the problem: the givens "
                                                     "that vary and how, constraints, a seed (docs/variants.md)")

    @model_validator(mode="wrap")
    @classmethod
    def _variants_name_givens(cls, data, handler):
        # a `variants.vary` path names a place as the file writes it: checked on the file's own data (a wrap
        # validator, so the JSON Schema of `nnsolve schema` stays the model's own)
        wrong = paths_named(data)
        if wrong:
            raise PydanticCustomError(ENTRIES, "{summary}", {"summary": "paths naming no given",
                                                             "entries": tuple(wrong)})
        return handler(data)


def solution_of(problem: Common, kind: str, conventions: list[tuple[str, str]], steps: list, *, policy=None,
                aliases: dict | None = None, groups: dict | None = None, meta: dict | None = None,
                vectors: str = "column", title: str | None = None, digits: int | None = None):
    """The Solution of a family's problem: its title, digits and source as the file gives them, the family's
    conventions followed by what the policy did (pins, rounding), in the same words for every family."""
    from ..engine.number import BEYOND_EXACT_RANGE, EXACT_DIGITS
    from ..solution import Solution

    if any(BEYOND_EXACT_RANGE in step.note for step in steps):
        conventions = list(conventions) + [("exact range", f"a rational whose numerator or denominator passes "
                                                           f"{EXACT_DIGITS:,} digits is carried to 50 significant "
                                                           "digits from there on; its steps say so")]
    shown = problem.digits if problem.digits is not None else digits if digits is not None else 4
    return Solution(problem.title if title is None else title, kind,
                    list(conventions) + (policy.statements() if policy is not None else []), steps, [],
                    dict(aliases or {}), shown,
                    problem.source.model_dump(exclude_none=True) if problem.source else None, vectors,
                    dict(groups or {}), dict(meta or {}))
