"""Drawing variants until enough are accepted: each draw is loaded and validated as a problem file would be, solved,
checked against the constraints, and keyed. What was rejected, and why, is counted for the stress report; a run
whose acceptance is hopeless stops and says so rather than drawing for ever."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from ..api import _check_asked
from ..limits import deadline
from ..ops.scalar import DomainError
from ..problems import parse_document
from ..problems.errors import Issue, ProblemError
from ..problems.loader import Document, Literal
from .constraints import Constraints, key_of, told
from .givens import Givens

DEFAULT_SEED = 1
GIVE_UP_AFTER = 10_000        # tries with nothing accepted: the constraints cannot be met (or almost never)
TRIES_PER_VARIANT = 100       # at most this many tries per variant asked for (and at least GIVE_UP_AFTER)
REFUSED = "refused by the problem's own checks"
REPEATED = "same givens as an earlier try"


@dataclass
class Variant:
    name: str                # the file's name without its suffix: problem-07, or the student's id
    givens: list             # (place, exact value) of every varied number
    key: dict                # answer id → the key's numbers as text, in the answer's shape
    solution: object = None
    data: dict | None = None


@dataclass
class Run:
    source: str
    seed: int
    asked: int
    variants: list[Variant] = field(default_factory=list)
    tries: int = 0
    rejected: dict[str, int] = field(default_factory=dict)     # reason → tries it rejected
    refusals: dict[str, int] = field(default_factory=dict)     # a refused draw's first message → how often
    labels: list[str] = field(default_factory=list)
    space: int = 0
    stopped: str = ""        # why the run stopped short, if it did
    by_student: bool = False

    @property
    def complete(self) -> bool:
        return not self.stopped


class Generator:
    """A problem with a `variants:` block, ready to draw: its draws and its compiled constraints."""

    seconds: float | None = None         # the time one try may take (None: no limit)
    hint = ""

    def __init__(self, problem):
        from ..api import load
        self.loaded = load(problem)
        model, doc = self.loaded.model, self.loaded.document
        if model.variants is None:
            raise ProblemError([Issue("variants", "the problem has no `variants:` block saying which givens vary "
                                                  "(docs/variants.md)", 1)], doc.source)
        self.block = model.variants
        self.givens = Givens(self.block, doc)
        base = self._solve(model, tell=told(self.block))
        self.constraints = Constraints(self.block, self.loaded, base)
        self.stem = Path(doc.source).stem if doc.source not in ("<text>", "<dict>", "<stdin>") else "variant"

    def _solve(self, model, tell: list[str]):
        if tell:
            model = model.model_copy(update={"answers": {**model.answers, **dict.fromkeys(tell)}})
        return self.loaded.family.solve(model, None)

    def attempt(self, choice) -> tuple[object, dict, dict | None, str | list[int]]:
        """(solution, key, data, failures): failures is the refusal's message, or the broken constraints' indices."""
        data = self.givens.data(choice)
        try:
            loaded = parse_document(Document(data, self.loaded.document.lines, self.loaded.document.source))
            solution = self._solve(loaded.model, self.constraints.tell)
        except ProblemError as e:
            return None, {}, None, e.issues[0].message if e.issues else str(e)
        except (ArithmeticError, DomainError) as e:       # log of 0, a division by 0 in this draw
            return None, {}, None, str(e)
        failures = self.constraints.failing(solution, {})
        if failures:
            return solution, {}, data, failures
        try:
            _check_asked(loaded, solution)      # every asked quantity is there, as `solve` requires
        except ProblemError as e:
            return None, {}, None, e.issues[0].message
        key = key_of(solution)
        return solution, key, data, self.constraints.failing_across(key)


def vary(problem, n: int = 10, seed: int | None = None, students: list[str] | None = None,
         keep: str = "files", max_tries: int | None = None, try_seconds: float | None = None,
         hint: str = "raise it with timeout=") -> Run:
    """Draw `n` accepted variants (or one per student id, each drawn from the seed and the id alone, so a student's
    variant does not depend on the roster). `keep`: "files" keeps each variant's data and solution (to write files
    and worked solutions), "keys" only its key. `try_seconds` bounds the problem's own solve and each try, as
    `solve` bounds one file (DeadlineExceeded past it)."""
    with deadline(try_seconds, hint):
        gen = problem if isinstance(problem, Generator) else Generator(problem)
    gen.seconds, gen.hint = try_seconds, hint
    seed = seed if seed is not None else gen.block.seed if gen.block.seed is not None else DEFAULT_SEED
    wanted = len(students) if students is not None else n
    run = Run(gen.loaded.document.source, seed, wanted, labels=gen.constraints.labels, space=gen.givens.space(),
              by_student=students is not None)
    if students is None and run.space < n:
        run.stopped = (f"the varied givens make only {run.space:,} different variants, fewer than the {n:,} asked "
                       f"for: vary more givens or widen their values")
        return run
    limit = max_tries if max_tries is not None else max(GIVE_UP_AFTER, TRIES_PER_VARIANT * wanted)
    if students is not None:
        for student in students:
            rng = random.Random(f"{seed}/{student}")
            if not _draw_one(gen, run, rng, student, keep, limit, seen=None, across=False):
                break
        return run
    rng = random.Random(seed)
    seen: set = set()         # every choice drawn: a repeat is neither solved again nor accepted twice
    width = len(str(n))
    while len(run.variants) < n:
        name = f"{gen.stem}-{len(run.variants) + 1:0{width}d}"
        if not _draw_one(gen, run, rng, name, keep, limit, seen, across=True):
            break
    return run


def _draw_one(gen: Generator, run: Run, rng: random.Random, name: str, keep: str, limit: int, seen, across: bool
              ) -> bool:
    """Draw until one variant is accepted (True), or the run must stop (False, `run.stopped` says why)."""
    across_only = [i for i, c in enumerate(gen.constraints.constraints)
                   if c.kind == "distinct_answers" and c.distinct_answers == "across"]
    while True:
        if run.tries >= limit or (run.tries >= GIVE_UP_AFTER and not run.variants):
            accepted = len(run.variants)
            run.stopped = (f"{accepted:,} of {run.asked:,} variants accepted after {run.tries:,} tries: the "
                           f"constraints are met too rarely" + (f" (most often broken: {_worst(run)})"
                                                                if run.rejected else ""))
            return False
        if seen is not None and len(seen) >= run.space:
            run.stopped = (f"{len(run.variants):,} of {run.asked:,} variants accepted after trying every one of the "
                           f"{run.space:,} different variants the varied givens can make")
            return False
        run.tries += 1
        choice = gen.givens.draw(rng)
        if seen is not None and choice in seen:
            run.rejected[REPEATED] = run.rejected.get(REPEATED, 0) + 1
            continue
        if seen is not None:
            seen.add(choice)
        with deadline(gen.seconds, gen.hint):
            solution, key, data, failures = gen.attempt(choice)
        if isinstance(failures, str):
            run.rejected[REFUSED] = run.rejected.get(REFUSED, 0) + 1
            run.refusals[failures] = run.refusals.get(failures, 0) + 1
            continue
        if not across:
            failures = [i for i in failures if i not in across_only]
        if failures:
            for i in failures:
                label = run.labels[i]
                run.rejected[label] = run.rejected.get(label, 0) + 1
            continue
        gen.constraints.accept(key)
        kept = keep == "files"
        run.variants.append(Variant(name, gen.givens.values(choice), key, solution if kept else None,
                                    _keyed(data, key) if kept else None))
        return True


def _worst(run: Run) -> str:
    reason, count = max(run.rejected.items(), key=lambda kv: kv[1])
    return f"{reason}, {count:,} times"


def _keyed(data: dict, key: dict) -> dict:
    """The variant's data with its key as `answers:`, placed after `ask:` (where authors put it)."""
    answers = {qid: _numbers(value) for qid, value in key.items()}
    out = {}
    for k, v in data.items():
        out[k] = v
        if k == "ask":
            out["answers"] = answers
    if "answers" not in out:
        out["answers"] = answers
    return out


def _numbers(value):
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    try:
        return Literal(value)
    except ValueError:
        return value
