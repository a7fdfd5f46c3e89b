"""A sweep over small training problems of every family that trains, with extreme numbers put in: weights, inputs
and targets of 10^±300 or 0, learning rates of 10^±300, up to 1,000 updates. Each must end in a Solution or a
located ProblemError (a domain error becomes one) — never another exception — and within a time bound."""
from __future__ import annotations

import os
import time

from hypothesis import HealthCheck, given, settings, strategies as st

import nnsolve
import training.test_every_loss_in_every_family as every
from nnsolve.problems import ProblemError

EXTREMES = ["1e300", "-1e300", "1e-300", "-1e-300", "0", "1e150", "-7e299", "3e-200", "1e16", "-1e20"]
LEARNING_RATES = ["1e300", "1e-300", "1e10", "100", "0.1"]
OPTIMIZERS = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "rprop"]
LOSSES = ["mse", "half_sse", "bce", "cross_entropy", "bce_from_logits", "cross_entropy_from_logits", "gaussian_nll"]
SECONDS = float(os.environ.get("NNSOLVE_SWEEP_SECONDS", "10"))     # per example, on a shared 2-core machine
SWEEP = settings(max_examples=int(os.environ.get("NNSOLVE_SWEEP_EXAMPLES", "12")), deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])


def numeric_leaves(node, path=()):
    """Paths of every number in a problem dict (weights, inputs, targets), in a fixed order."""
    if isinstance(node, dict):
        for key in sorted(node):
            yield from numeric_leaves(node[key], path + (key,))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from numeric_leaves(item, path + (i,))
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield path


def replaced(node, path, value):
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        return {**node, head: replaced(node[head], rest, value)}
    return [replaced(item, rest, value) if i == head else item for i, item in enumerate(node)]


@st.composite
def extreme_problems(draw):
    family = draw(st.sampled_from(sorted(every.FAMILIES)))
    problem, _, _ = every.FAMILIES[family](draw(st.sampled_from(LOSSES)))
    leaves = list(numeric_leaves(problem))
    for index in draw(st.sets(st.integers(0, len(leaves) - 1), max_size=4)):
        problem = replaced(problem, leaves[index], draw(st.sampled_from(EXTREMES)))
    kind = draw(st.sampled_from(OPTIMIZERS))
    optimizer = {"type": kind, "steps": draw(st.sampled_from([1, 2, 40, 1000]))}
    if kind != "rprop":
        optimizer["lr"] = draw(st.sampled_from(LEARNING_RATES))
    return {**problem, "optimizer": optimizer}


@SWEEP
@given(extreme_problems())
def test_extreme_training_problems_end_in_a_solution_or_a_located_refusal(problem):
    start = time.perf_counter()
    try:
        nnsolve.solve(problem)
    except ProblemError as refused:
        assert refused.issues and all(issue.message for issue in refused.issues)
    assert time.perf_counter() - start < SECONDS, f"{time.perf_counter() - start:.1f} s"
