"""What a worked solution of a small conv_network writes out besides each tensor: every entry of a conv or
pooling layer's output as its sum of products (z₁[0][0][0] = 1·1 + 2·0 + 0·0 + 1·(−1) + 0.5 = 0.5), the
same for the gradients of its kernel, bias and input, and the names of each tensor's leading axes (a grid
per channel). Only tensors of at most EXPANDED_ENTRIES entries, each a sum of at most EXPANDED_TERMS terms,
are written out: past that the sums are longer than the tensor is worth reading. The sums are data on the
steps (Step.expansion); the printers only lay them out."""
from __future__ import annotations

import re
from fractions import Fraction
from math import prod

import numpy as np

from ...ops.conv import CONV, conv_gradient_sums, conv_sums
from ...ops.pool import AVG_POOL, MAX_POOL, pool_gradient_sums, pool_windows
from ...solution import Expansion

EXPANDED_ENTRIES = 36         # a 6×6 map, or two 3×3 maps …
EXPANDED_TERMS = 32           # a 3×3 kernel over 3 channels and its bias: 28
# at most this many window reads are made to write a layer out: every term is one, and a gradient's sums may
# leave out many (products with a zero gradient)
MOST_READS = 4 * EXPANDED_ENTRIES * EXPANDED_TERMS

STATEMENT = (f"each entry of a conv or pooling output, and of its kernel's, bias's and input's gradients, written "
             f"out as its sum, for tensors of at most {EXPANDED_ENTRIES} entries and sums of at most {EXPANDED_TERMS} "
             "terms; a padded cell counts as 0, a product with a zero gradient is left out")
KERNEL_ID = re.compile(r"K\d+")


def sum_expansions(value: np.ndarray, sums: dict) -> tuple[Expansion, ...]:
    """The sums as Expansions, or none when the tensor or one of its sums is too long to write out."""
    if value.size > EXPANDED_ENTRIES or any(len(terms) > EXPANDED_TERMS for terms in sums.values()):
        return ()
    return tuple(Expansion(index, "sum", tuple(tuple(t) for t in terms), value[index])
                 for index, terms in sorted(sums.items()))


def window_expansions(value: np.ndarray, windows: dict, average: bool) -> tuple[Expansion, ...]:
    if value.size > EXPANDED_ENTRIES or any(len(v) > EXPANDED_TERMS for v, _ in windows.values()):
        return ()
    return tuple(Expansion(index, "mean" if average else "max", tuple((v,) for v in values), value[index], divisor)
                 for index, (values, divisor) in sorted(windows.items()))


def window_reads(node) -> int:
    """How many (window, tap, channel) reads writing the layer's sums out takes — the same for its forward sums
    and its gradients' — so that a small kernel over a large input (whose gradient is a few sums of thousands of
    terms) is turned down before any of it is built."""
    out = node.value
    if node.op is CONV:
        kernel = node.inputs[1].value
        return out.size * prod(kernel.shape[1:])
    pool = node.params["pool"]
    return out.size * prod(pool if isinstance(pool, (list, tuple)) else [pool] * (out.ndim - (2 if node.params.get(
        "batched") else 1)))


def small(node) -> bool:
    return window_reads(node) <= MOST_READS


def layer_expansions(node) -> tuple[Expansion, ...]:
    """A conv or pooling node's own expansion (the forward sums)."""
    if node.value.size > EXPANDED_ENTRIES or not small(node):
        return ()
    values = [n.value for n in node.inputs]
    if node.op is CONV:
        return sum_expansions(node.value, conv_sums(*values, **node.params))
    if node.op in (MAX_POOL, AVG_POOL):
        params = {k: v for k, v in node.params.items() if k != "ties"}
        return window_expansions(node.value, pool_windows(values[0], **params, average=node.op is AVG_POOL),
                                 node.op is AVG_POOL)
    return ()


def gradient_expansions(node, index: int, grad_out, grad) -> tuple[Expansion, ...]:
    """The expansion of ∂L/∂(input `index`) of a conv or pooling node, from its ∂L/∂output."""
    if grad.value.size > EXPANDED_ENTRIES or not small(node):
        return ()
    values = [n.value for n in node.inputs]
    if node.op is CONV:
        return sum_expansions(grad.value, conv_gradient_sums(index, grad_out.value, values[0], values[1],
                                                              **node.params))
    # pooling: each cell's gradient is a sum of ∂L/∂z entries (times a share), written in symbols first
    routed = pool_gradient_sums(node.op, grad_out.value, values[0], **node.params)
    if any(len(terms) > EXPANDED_TERMS for terms in routed.values()):
        return ()
    return tuple(_routed(index, terms, grad.value[index], grad_out.id) for index, terms in sorted(routed.items()))


def _routed(index: tuple, terms: list, value, source: str) -> Expansion:
    """A pooled cell's gradient: the ∂L/∂z entries routed to it, as a mean when every one comes with the same
    share 1/d (average pooling's windows of one size: (∂L/∂z[a] + ∂L/∂z[b])/9), else each times its share."""
    sources = tuple((source, at) for _, at in terms)
    shares = {term[1] if len(term) > 1 else 1 for term, _ in terms}
    if len(shares) == 1:
        share = Fraction(shares.pop())
        if share.numerator == 1 and share.denominator > 1:
            return Expansion(index, "mean", tuple(term[:1] for term, _ in terms), value, share.denominator, sources)
    return Expansion(index, "sum", tuple(term for term, _ in terms), value, sources=sources)


def attach(comp, layers: list[tuple], suffixes: dict, input_notes: dict) -> None:
    """Each recorded layer (node) gets its expansion, and so does each gradient the backward pass of its pass
    (`suffixes[node.id]`) gave it alone (a quantity read by several layers sums several contributions: not
    written out); a convolution's input gradient also gets `input_notes[node.id]` (how it is padded)."""
    pinned = comp.policy.pins        # a pinned value is not the sum of its terms: it is not written out
    for node in layers:
        node.expansion = layer_expansions(node) if node.id not in pinned else ()
        suffix = suffixes[node.id]
        grad_out = comp.nodes.get(comp._gradient_id(node, suffix))
        if grad_out is None:
            continue
        ids = [n.id for n in node.inputs]
        for i, child in enumerate(node.inputs):
            grad = comp.nodes.get(comp._gradient_id(child, suffix))
            if grad is None or grad.id in pinned or \
                    grad.formula != node.op.vjp_formula(i, grad_out.id, node.id, *ids, **node.params):
                continue
            grad.expansion = gradient_expansions(node, i, grad_out, grad)
            if i == 0 and node.id in input_notes and not grad.note:
                grad.note = input_notes[node.id]


def axes_of(node_id: str, ndim: int, batched: bool, transposed_kernels: set[str]) -> tuple[str, ...]:
    """Names of the leading axes of a tensor of three or more axes (the last two are each grid's rows and
    columns): a kernel's (and its gradient's, its updates') filters and channels; an activation's samples and
    channels."""
    if ndim < 3:
        return ()
    base = re.sub(r"\(.*\)$", "", node_id.removeprefix("dL/d"))
    if KERNEL_ID.fullmatch(base):
        return ("input channel", "output channel") if base in transposed_kernels else ("filter", "channel")
    names = ("sample", "channel") if batched else ("channel",)
    return names[len(names) - (ndim - 2):] if ndim - 2 <= len(names) else ()
