"""Every limit nnsolve sets on its input and its work, in one place, and the deadline.

Exact arithmetic is for exam-sized problems. Each limit refuses, with a located message, an input that
would take minutes or gigabytes, long before it would. Someone who really needs more raises a limit in
the environment, `NNSOLVE_<NAME>=<number>` (NNSOLVE_MAX_FILE_BYTES=20000000), which is read each time
the limit is checked, so it works for the command and the Python API alike; the time limit also has
`--timeout` on each command. docs/problem-format.md §8 lists every limit (a test keeps it complete).

A limit is declared once here, with what it bounds:

    MAX_LAYERS = Limit("MAX_LAYERS", 10_000, "layers in one architecture")

and read where it is checked, `if len(layers) > MAX_LAYERS.value: … MAX_LAYERS.refusal(…)`.
This module imports nothing heavy: the CLI imports it at start-up.
"""
from __future__ import annotations

import os
import re
import signal
import threading
import time
from contextlib import contextmanager

LIMITS: dict[str, "Limit"] = {}        # name → Limit, in declaration order (the documentation's table)


class Limit:
    """One named limit (a plain class, not a dataclass: this module is imported at start-up)."""

    __slots__ = ("name", "default", "bounds", "minimum", "maximum")

    def __init__(self, name: str, default: int | float, bounds: str, minimum: int | float = 1,
                 maximum: int | float | None = None):
        self.name = name                # MAX_FILE_BYTES; raised with the environment variable NNSOLVE_MAX_FILE_BYTES
        self.default = default
        self.bounds = bounds            # what it bounds, after its number: "bytes of one problem file"
        self.minimum = minimum          # the smallest value an override may set
        self.maximum = maximum          # the largest, where more would break something else
        LIMITS[name] = self

    def __repr__(self) -> str:
        return f"Limit({self.name!r}, default {self.default!r})"

    @property
    def variable(self) -> str:
        return f"NNSOLVE_{self.name}"

    @property
    def value(self) -> int | float:
        """The default, or the environment's override; a malformed override is refused (exit code 2)."""
        text = os.environ.get(self.variable)
        return self.default if text is None or not text.strip() else self.read(text, self.variable)

    def read(self, text: str, where: str) -> int | float:
        """A value for this limit as a person wrote it (an environment variable, a command-line option):
        ASCII digits only, and not too many of them (int("³") fails, int("9" * 5000) is not a limit)."""
        seconds = isinstance(self.default, float)
        cleaned = text.strip().replace("_", "")
        pattern = r"[0-9]{1,12}(\.[0-9]{0,6})?|\.[0-9]{1,6}" if seconds else r"[0-9]{1,18}"
        value = type(self.default)(cleaned) if re.fullmatch(pattern, cleaned) else None
        if value is None or value < self.minimum or (self.maximum is not None and value > self.maximum):
            kind = "a number of seconds" if seconds else "a whole number"
            most = f" and at most {self.maximum:,}" if self.maximum is not None else ""
            raise _usage_error(where, f"expected {kind} of at least {self.minimum:g}{most}, got {text!r}")
        return value

    @property
    def shown(self) -> str:
        """The value as the documentation and the messages write it: 5,000,000; 30."""
        return f"{self.value:g}" if isinstance(self.default, float) else f"{self.value:,}"

    def refusal(self, found: str | None = None) -> str:
        """A message refusing an input over the limit, with the limit and how to raise it: "more than
        1,000 keys in one mapping (raise it with NNSOLVE_MAX_KEYS)"; or, given what was found ("the file
        is 6,000,000 bytes"), "the file is 6,000,000 bytes; limited to 5,000,000 bytes of …"."""
        if found is None:
            return f"more than {self.shown} {self.bounds} {self.hint}"
        return f"{found}; limited to {self.shown} {self.bounds} {self.hint}"

    @property
    def hint(self) -> str:
        return f"(raise it with {self.variable})"


def count_text(n: int) -> str:
    """A count as a message writes it: 1,048,576; past 100 digits its size alone, "about 10^4,500" (Python
    refuses to write an integer of more than 4,300 digits, and no reader wants one)."""
    if n < 10 ** 100:
        return f"{n:,}"
    return f"about 10^{int(n.bit_length() * 0.30103):,}"


def check_environment() -> None:
    """Refuse every malformed NNSOLVE_<NAME> at once, before any work: a limit is otherwise read only
    when it is reached, and a mistyped override should not wait for that."""
    from .problems.errors import ProblemError

    issues = []
    for limit in LIMITS.values():
        try:
            limit.value
        except ProblemError as e:
            issues += e.issues
    if issues:
        raise ProblemError(issues)


def _usage_error(where: str, message: str):
    from .problems.errors import Issue, ProblemError
    return ProblemError([Issue(where, message)])


# -- input: checked by the loader before anything is built (nnsolve/problems/loader.py) --------------
MAX_FILE_BYTES = Limit("MAX_FILE_BYTES", 5_000_000, "bytes of one problem file (or of standard input)")
MAX_VALUES = Limit("MAX_VALUES", 500_000, "values in the file (numbers, texts, lists and mappings, after YAML "
                                          "aliases are expanded)")
MAX_KEYS = Limit("MAX_KEYS", 1_000, "keys in one mapping")       # real files have about 20
# a batch's rows, a layer list, a tensor's row: a few thousand at most (a conv input is nested, rows of hundreds)
MAX_ITEMS = Limit("MAX_ITEMS", 50_000, "entries in one list")
# a problem file nests about 6 deep; past a few hundred, Python's own recursion limit would be met first
MAX_DEPTH = Limit("MAX_DEPTH", 32, "levels of nesting", maximum=200)
# at least 30: the loader reads a number of up to 30 characters without measuring it
MAX_DIGITS = Limit("MAX_DIGITS", 1_000, "significant digits in one typed number", minimum=30)
MAX_EXPONENT = Limit("MAX_EXPONENT", 1_000, "as the decimal exponent of one typed number, up or down", minimum=30)
# -- the command line --------------------------------------------------------------------------------
MAX_INPUT_AXES = Limit("MAX_INPUT_AXES", 8, "sizes in an input shape (input.shape, --input-shape)")
# -- formulas (calculus, computation_graph, formula answers; nnsolve/expr/parser.py) -------------------
MAX_FORMULA_LENGTH = Limit("MAX_FORMULA_LENGTH", 2_000, "characters in one formula")
# a chain a + a + … (two tokens a level) or a a a … (one) is walked recursively (expr/symbolic.py): about 490 levels
# meet Python's recursion limit, so this limit may be lowered, not raised
MAX_FORMULA_TOKENS = Limit("MAX_FORMULA_TOKENS", 600, "numbers, names and operators in one formula", maximum=600)
# each level is a few frames of the recursive-descent parser: past about 130, Python's recursion limit is met
MAX_FORMULA_DEPTH = Limit("MAX_FORMULA_DEPTH", 60, "levels of parentheses, signs, powers and calls inside each "
                                                   "other in one formula or Boolean expression", maximum=100)
MAX_FORMULA_EXPONENT = Limit("MAX_FORMULA_EXPONENT", 1_000, "as the size of a constant exponent in a formula "
                                                            "(x^(10^10), 9^9^9)")
MAX_POWER_BITS = Limit("MAX_POWER_BITS", 40_000, "bits of a power of constants in a formula (about 12,000 digits)")
# -- architectures: layer lists, Keras and PyTorch snippets, --input-shape (nnsolve/arch) ---------------
MAX_LAYERS = Limit("MAX_LAYERS", 10_000, "layers in one architecture (an LSTM's num_layers count)")
MAX_SIZE = Limit("MAX_SIZE", 1_000_000_000, "as any one size: a whole-number layer setting (units, filters, kernel, "
                                            "stride, …) or a size of the input (also in --input-shape)")
MAX_TENSOR_ELEMENTS = Limit("MAX_TENSOR_ELEMENTS", 1_000_000_000_000,
                            "values in one tensor of an architecture without the batch axis, and positions a "
                            "receptive field spans or steps along an axis")
MAX_SNIPPET_CHARS = Limit("MAX_SNIPPET_CHARS", 200_000, "characters in one Keras or PyTorch snippet")
# at most 99: a literal's exponent of 3 digits is refused before it is measured
MAX_SNIPPET_DIGITS = Limit("MAX_SNIPPET_DIGITS", 30, "digits in one number of a snippet (and in a float's "
                                                     "exponent)", maximum=99)
MAX_SNIPPET_MAGNITUDE = Limit("MAX_SNIPPET_MAGNITUDE", 1_000_000_000_000_000,
                              "as the size of a whole number a snippet writes or computes (n = n * n)")
MAX_SNIPPET_STEPS = Limit("MAX_SNIPPET_STEPS", 100_000, "evaluation steps (values, calls, modules, forward "
                                                        "expressions) in reading one snippet")
# the snippet's readers recurse a few frames a level (and stop cleanly at Python's recursion limit)
MAX_SNIPPET_NESTING = Limit("MAX_SNIPPET_NESTING", 100, "expressions, calls and modules of a snippet inside "
                                                        "each other", maximum=150)
MAX_SELF_NESTING = Limit("MAX_SELF_NESTING", 16, "levels of a snippet's class built inside its own construction "
                                                 "(a recursive Tree(depth - 1) that ends is read)")
# -- dense_network (nnsolve/problems/dense/consistency.py) ------------------------------------------------
MAX_DENSE_BATCH = Limit("MAX_DENSE_BATCH", 10_000, "samples in the batch of a dense network")
MAX_DENSE_WEIGHTS = Limit("MAX_DENSE_WEIGHTS", 100_000, "weights of a dense network")
MAX_DENSE_OPERATIONS = Limit("MAX_DENSE_OPERATIONS", 5_000_000, "exact operations in one forward and backward "
                                                                "pass of a dense network (samples × (3 per "
                                                                "weight + 4 per unit))")
# -- training, in every family that trains (nnsolve/training) --------------------------------------------
MAX_OPTIMIZER_STEPS = Limit("MAX_OPTIMIZER_STEPS", 1_000, "optimizer steps (optimizer.steps, descent.steps)")
MAX_RECORDED_VALUES = Limit("MAX_RECORDED_VALUES", 25_000, "numbers recorded by the updates of one training run "
                                                           "(one update is always allowed)")
MAX_DESCENT_WORK = Limit("MAX_DESCENT_WORK", 1_000_000, "units of work (about 2 µs each) in a calculus descent: an "
                                                        "iterate shown in full costs 50 × (20 + the distinct parts of "
                                                        "the function and its gradient), one carried in a long run's "
                                                        "trace 20 + the parts (and 50 for its row with trace: full)")
MAX_DESCENT_STEPS = Limit("MAX_DESCENT_STEPS", 100_000, "updates of a calculus descent (descent.steps)")
MAX_PERCEPTRON_EPOCHS = Limit("MAX_PERCEPTRON_EPOCHS", 1_000, "epochs of perceptron learning")
# -- the other families ------------------------------------------------------------------------------
MAX_CONV_ENTRIES = Limit("MAX_CONV_ENTRIES", 200_000, "numbers in one tensor of a conv_network: x, a layer's "
                                                      "output, its padded input")
MAX_WINDOW_PRODUCTS = Limit("MAX_WINDOW_PRODUCTS", 2_000_000, "products of one conv_network layer's windows "
                                                              "(multiply-accumulates, pooled reads)")
MAX_KERNEL_UNKNOWNS = Limit("MAX_KERNEL_UNKNOWNS", 200, "unknown entries of a conv_unknowns kernel and bias")
MAX_KERNEL_EQUATIONS = Limit("MAX_KERNEL_EQUATIONS", 2_000, "known outputs (equations) of a conv_unknowns problem")
MAX_KERNEL_OPERATIONS = Limit("MAX_KERNEL_OPERATIONS", 2_000_000, "exact operations of a conv_unknowns "
                                                                  "elimination (equations × (window + unknowns²))")
MAX_ATTENTION_TOKENS = Limit("MAX_ATTENTION_TOKENS", 64, "tokens (queries or keys) of an attention problem")
MAX_ATTENTION_WIDTH = Limit("MAX_ATTENTION_WIDTH", 256, "as the width of any matrix of an attention problem")
MAX_RECURRENT_STEPS = Limit("MAX_RECURRENT_STEPS", 1_000, "time steps of a recurrent sequence")
MAX_GATED_STEPS = Limit("MAX_GATED_STEPS", 50, "time steps of a gated_rnn sequence")
MAX_ENCODING_VALUES = Limit("MAX_ENCODING_VALUES", 10_000, "values of a positional encoding (positions × "
                                                           "dimensions)")
MAX_CALCULUS_VARIABLES = Limit("MAX_CALCULUS_VARIABLES", 8, "variables of a calculus function")
MAX_EXPANDED_TERMS = Limit("MAX_EXPANDED_TERMS", 20_000, "monomials a calculus polynomial may expand to (a larger "
                                                         "one is not expanded, nor its stationary points solved)")
MAX_EXPANDED_DEGREE = Limit("MAX_EXPANDED_DEGREE", 100, "as the degree of a calculus polynomial that is expanded")
MAX_BOOLEAN_INPUTS = Limit("MAX_BOOLEAN_INPUTS", 6, "inputs of a boolean_network function")
# each test point of a region (a polygon's centroid, its nudged vertices and edge midpoints) is tested against every
# polygon, exactly: an exam's region has a few polygons of a few vertices (hundreds of tests), 1,000 polygons 9,000,000
MAX_REGION_TESTS = Limit("MAX_REGION_TESTS", 100_000, "point-in-polygon tests of a region (its test points × its "
                                                      "polygons)")
# a chain a&a&… is evaluated recursively, a level per 2 characters: as for formulas, lowered but not raised
MAX_BOOLEAN_LENGTH = Limit("MAX_BOOLEAN_LENGTH", 1_000, "characters in one Boolean expression", maximum=1_000)
# counted per row of the table: what a candidate costs is its evaluation on every row (about 5 M a second)
MAX_WEIGHT_SEARCH = Limit("MAX_WEIGHT_SEARCH", 5_000_000, "row evaluations of a search from allowed_weights "
                                                          "(candidate units or hidden layers × table rows)")
MAX_HIDDEN_SEARCH = Limit("MAX_HIDDEN_SEARCH", 4, "hidden units searched from allowed_weights (hidden_units)")
MAX_INEQUALITIES = Limit("MAX_INEQUALITIES", 20_000, "inequalities of the elimination that decides linear "
                                                     "separability (beyond it: not decided)")
# 2^N is an exact integer of N bits: a million is 125 KB
MAX_DROPPABLE_UNITS = Limit("MAX_DROPPABLE_UNITS", 100_000, "droppable units whose 2^N sub-networks classics "
                                                            "counts", maximum=1_000_000)
# -- check (nnsolve/check/variants.py) ---------------------------------------------------------------------
MAX_EXPLAINING_VALUES = Limit("MAX_EXPLAINING_VALUES", 40_000, "numbers computed by the re-solves that explain "
                                                                "a wrong answer, per file (at least 8 are made)",
                              minimum=0)
# -- grade (nnsolve/grading/workers.py) ------------------------------------------------------------------
MAX_GRADE_WORKERS = Limit("MAX_GRADE_WORKERS", 16, "worker processes marking the distinct rows of a large class "
                                                   "(at most the CPUs this process may use; 1: none)")
# -- work --------------------------------------------------------------------------------------------
TIMEOUT = Limit("TIMEOUT", 30.0, "seconds of work on one problem by solve, check or summary (0: no limit)",
                minimum=0)


class DeadlineExceeded(BaseException):
    """The work took longer than its deadline. Like KeyboardInterrupt it is not an Exception: code that
    gives up on one variant (`except Exception`, `except ValueError`) must not swallow it."""

    def __init__(self, seconds: float, hint: str = "raise it with timeout="):
        self.seconds = seconds
        self.hint = hint
        super().__init__(f"stopped after {seconds:g} s, the time limit ({hint})")


@contextmanager
def deadline(seconds: float | None, hint: str = "raise it with timeout="):
    """Raise DeadlineExceeded in the body once `seconds` have passed (None or 0: no deadline).

    A real-time timer (SIGALRM) interrupts the main thread between two Python operations, so a loop
    stops wherever it is; one long operation inside C (a huge integer product) ends first, which the
    input limits keep short. Outside the main thread, or without setitimer (Windows), it does nothing.
    An inner deadline never extends an outer one, and the outer one is restored when it ends."""
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    outer_left, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    if outer_left and outer_left <= seconds:        # the outer deadline comes first: it stays in force
        yield
        return

    armed = [True]

    def stop(signum, frame):
        if armed[0]:
            raise DeadlineExceeded(seconds, hint)

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, stop)
    # the alarm repeats every 50 ms once due: an exception raised where Python swallows it (in a finalizer that
    # the garbage collector runs, say) is raised again a moment later, so the work still stops
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
    finally:
        armed[0] = False                           # an alarm now must not break off this cleanup
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)   # None: set from C
        if outer_left:
            # the outer timer was replaced; give it back what remains of it (at least a moment)
            signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.monotonic() - started), 1e-3), outer_interval)
