"""Max, average and global average pooling on exact numbers, channels-first like ops/conv.py.

Max pooling pads with −∞ (the frameworks: a padded cell never wins) or 0 (some keys); its backward pass
sends each window's gradient to its maximum, and which maximum when several are equal is a stated rule:
`first` (PyTorch: the first in row-major order), `all` (each tied maximum gets the whole gradient) or
`split` (shared equally). Average pooling divides by the whole window (`count_include_pad`, PyTorch's
default) or by the cells of the window that hold input values. `ceil_mode` keeps a last, partial window
when it starts inside the input or its left padding, as PyTorch does.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..engine.formula import Formula
from ..geometry import slide
from .base import Op
from .conv import window_index

REAL, PAD, BEYOND = 0, 1, 2      # what a cell of the extended input is


class Windows:
    """The windows of one pooling over (N, C, spatial…) and, per window cell, where it reads."""

    def __init__(self, shape, pool, stride, padding, ceil_mode):
        n = len(shape) - 2
        self.n = n
        self.spatial = tuple(shape[2:])
        axes = slide(self.spatial, pool, pool if stride is None else stride, padding, 1, ceil_mode=ceil_mode,
                     setting="pool")
        self.pool, self.stride = tuple(a.kernel for a in axes), tuple(a.stride for a in axes)
        self.out = tuple(a.output for a in axes)
        self.pads = pads = tuple(a.before for a in axes)
        # the extended input holds the padding and, with ceil_mode, the cells past it (never read)
        self.extent = tuple(a.covered for a in axes)
        kind = np.full(self.extent, BEYOND, dtype=np.int8)
        kind[tuple(slice(0, min(size + 2 * p, e)) for size, p, e in zip(self.spatial, pads, self.extent))] = PAD
        kind[tuple(slice(p, min(p + size, e)) for size, p, e in zip(self.spatial, pads, self.extent))] = REAL
        self.index = window_index(axes, self.out)
        self.taps = int(np.prod(self.pool))
        self.cell_kind = kind[self.index].reshape(self.out + (self.taps,))     # out…, taps
        # where each cell of each window sits in the input (−1: not an input cell)
        flat = np.full(self.extent, -1, dtype=np.int64)
        flat[tuple(slice(p, min(p + size, e)) for size, p, e in zip(self.spatial, pads, self.extent))] = \
            np.arange(int(np.prod(self.spatial))).reshape(self.spatial)[
                tuple(slice(0, min(size, e - p)) for size, p, e in zip(self.spatial, pads, self.extent))]
        self.source = flat[self.index].reshape(self.out + (self.taps,))

    def cells(self, x):
        """x's values window by window: (N, C, out…, taps); padded cells read as Fraction 0."""
        ext = np.empty(x.shape[:2] + self.extent, dtype=object)
        ext.reshape(-1)[:] = [Fraction(0)] * ext.size
        region = tuple(slice(p, min(p + size, e)) for size, p, e in zip(self.spatial, self.pads, self.extent))
        keep = tuple(slice(0, min(size, e - p)) for size, p, e in zip(self.spatial, self.pads, self.extent))
        ext[(slice(None), slice(None)) + region] = x[(slice(None), slice(None)) + keep]
        return ext[(slice(None), slice(None)) + self.index].reshape(x.shape[:2] + self.out + (self.taps,))

    def scatter(self, x_shape, per_cell):
        """Add per-window-cell gradients (N, C, out…, taps) back onto the input cells they came from."""
        n_c = x_shape[0] * x_shape[1]
        grad = np.empty(n_c * int(np.prod(self.spatial)), dtype=object)
        grad[:] = [Fraction(0)] * grad.size
        src = self.source.reshape(-1)
        values = per_cell.reshape(n_c, -1)
        plane = int(np.prod(self.spatial))
        for row in range(n_c):
            for cell, v in zip(src.tolist(), values[row].tolist()):
                if cell >= 0 and v != 0:
                    grad[row * plane + cell] = grad[row * plane + cell] + v
        return grad.reshape(x_shape)


def _batch(x, batched):
    return x if batched else x[None]


def _unbatch(x, batched):
    return x if batched else x[0]


def _max_choice(values: list, allowed: list[bool], ties: str) -> tuple[object, list]:
    """The window's maximum and each cell's share of its gradient."""
    best = None
    for v, ok in zip(values, allowed):
        if ok and (best is None or v > best):
            best = v
    winners = [i for i, (v, ok) in enumerate(zip(values, allowed)) if ok and v == best]
    shares = [Fraction(0)] * len(values)
    if ties == "first":
        shares[winners[0]] = Fraction(1)
    else:
        for i in winners:
            shares[i] = Fraction(1) if ties == "all" else Fraction(1, len(winners))
    return best, shares


class MaxPool(Op):
    name = "max_pool"

    def _routing(self, x, pool, stride, padding, pad_value, ties, ceil_mode):
        win = Windows(x.shape, pool, stride, padding, ceil_mode)
        cells = win.cells(x)
        readable = win.cell_kind == REAL if pad_value == "-inf" else win.cell_kind != BEYOND
        allowed = readable.reshape(-1, win.taps).tolist()
        rows = cells.reshape(-1, win.taps)
        out = np.empty(rows.shape[0], dtype=object)
        shares = np.empty(rows.shape, dtype=object)
        per_window = len(allowed)
        for r in range(rows.shape[0]):
            out[r], shares[r] = _max_choice(rows[r].tolist(), allowed[r % per_window], ties)
        return win, out.reshape(cells.shape[:-1]), shares.reshape(cells.shape)

    def forward(self, x, *, pool, stride=None, padding=0, pad_value="-inf", ties="first", ceil_mode=False,
                batched=False):
        _, out, _ = self._routing(_batch(x, batched), pool, stride, padding, pad_value, ties, ceil_mode)
        return _unbatch(out, batched)

    def vjp(self, index, grad, out, x, *, pool, stride=None, padding=0, pad_value="-inf", ties="first",
            ceil_mode=False, batched=False):
        xb = _batch(x, batched)
        win, _, shares = self._routing(xb, pool, stride, padding, pad_value, ties, ceil_mode)
        per_cell = shares * _batch(grad, batched)[..., None]
        return _unbatch(win.scatter(xb.shape, per_cell), batched)

    def formula(self, x_id, *, pool, **_):
        return Formula(r"\operatorname{maxpool}_{%s}({0})" % _size(pool, r" \times "),
                       f"maxpool{_size(pool)}({{0}})", (x_id,))

    def vjp_formula(self, index, grad_id, out_id, x_id, **_):
        return Formula(r"\operatorname{route}_{\max}({0})", "route_to_max({0})", (grad_id,))

    def note(self, *, pool, stride=None, padding=0, pad_value="-inf", ties="first", ceil_mode=False,
             batched=False):
        tie_rule = {"first": "the first maximum in row-major order (PyTorch)", "all": "every tied maximum",
                    "split": "tied maxima share it equally"}[ties]
        fill = "−∞" if pad_value == "-inf" else "0"
        pad = f", padding {padding} with {fill}" if padding not in (0, (0, 0)) else ""
        ceil = ", ceil mode" if ceil_mode else ""
        return (f"pool {pool}, stride {stride if stride is not None else pool}{pad}{ceil}; gradient goes to "
                f"{tie_rule}")


class AvgPool(Op):
    name = "avg_pool"

    @staticmethod
    def _weights(win, count_include_pad):
        """Each cell's weight in its window's mean: 1/divisor for counted cells, 0 for the rest."""
        kind = win.cell_kind.reshape(-1, win.taps)
        counted = kind != BEYOND if count_include_pad else kind == REAL
        weights = np.empty(kind.shape, dtype=object)
        for r in range(kind.shape[0]):
            c = int(counted[r].sum())
            averaged = kind[r] == REAL
            weights[r] = [Fraction(1, c) if averaged[i] else Fraction(0) for i in range(win.taps)]
        return weights.reshape(win.cell_kind.shape)

    def forward(self, x, *, pool, stride=None, padding=0, count_include_pad=True, ceil_mode=False, batched=False):
        xb = _batch(x, batched)
        win = Windows(xb.shape, pool, stride, padding, ceil_mode)
        products = win.cells(xb) * self._weights(win, count_include_pad)
        return _unbatch(_sum_last(products), batched)

    def vjp(self, index, grad, out, x, *, pool, stride=None, padding=0, count_include_pad=True, ceil_mode=False,
            batched=False):
        xb = _batch(x, batched)
        win = Windows(xb.shape, pool, stride, padding, ceil_mode)
        per_cell = self._weights(win, count_include_pad) * _batch(grad, batched)[..., None]
        return _unbatch(win.scatter(xb.shape, per_cell), batched)

    def formula(self, x_id, *, pool, **_):
        return Formula(r"\operatorname{avgpool}_{%s}({0})" % _size(pool, r" \times "),
                       f"avgpool{_size(pool)}({{0}})", (x_id,))

    def vjp_formula(self, index, grad_id, out_id, x_id, **_):
        return Formula(r"\operatorname{spread}_{\text{mean}}({0})", "spread_evenly({0})", (grad_id,))

    def note(self, *, pool, stride=None, padding=0, count_include_pad=True, ceil_mode=False, batched=False):
        pad = (f", padding {padding} ({'counted' if count_include_pad else 'not counted'} in the divisor)"
               if padding not in (0, (0, 0)) else "")
        return f"pool {pool}, stride {stride if stride is not None else pool}{pad}{', ceil mode' if ceil_mode else ''}"


class GlobalAvgPool(Op):
    """The mean of each channel over all positions: (C, spatial…) → (C,), (N, C, spatial…) → (N, C)."""

    name = "global_avg_pool"

    def forward(self, x, *, batched=False):
        xb = _batch(x, batched)
        cells = xb.reshape(xb.shape[:2] + (-1,))
        return _unbatch(_sum_last(cells) * Fraction(1, cells.shape[-1]), batched)

    def vjp(self, index, grad, out, x, *, batched=False):
        xb = _batch(x, batched)
        count = int(np.prod(xb.shape[2:]))
        spread = _batch(grad, batched).reshape(xb.shape[:2] + (1,) * (xb.ndim - 2)) * Fraction(1, count)
        return _unbatch(np.broadcast_to(spread, xb.shape).copy(), batched)

    def formula(self, x_id, **_):
        return Formula(r"\operatorname{GAP}({0})", "GAP({0})", (x_id,))

    def vjp_formula(self, index, grad_id, out_id, x_id, **_):
        return Formula(r"{0} / (H W)", "{0}/(H·W)", (grad_id,))

    def note(self, **_):
        return "the mean of each channel over all positions"


def _sum_last(a):
    out = np.empty(a.shape[:-1], dtype=object)
    flat = a.reshape(-1, a.shape[-1])
    out.reshape(-1)[:] = [sum(row, Fraction(0)) for row in flat.tolist()]
    return out


def _size(pool, times: str = "×") -> str:
    sides = pool if isinstance(pool, (list, tuple)) else (pool, pool)
    return times.join(str(p) for p in sides)


MAX_POOL = MaxPool()
AVG_POOL = AvgPool()
GLOBAL_AVG_POOL = GlobalAvgPool()


# -- each entry as the values it is made of (for a worked solution of a small layer) ---------------------
def pool_windows(x, *, pool, stride=None, padding=0, ceil_mode=False, batched=False, pad_value="-inf",
                 count_include_pad=True, average=False):
    """{index: (values, divisor)}: each output entry's window, the cells the maximum is taken over (a cell
    padded with −∞ left out, one padded with 0 as 0) or the cells the mean counts (padded ones as 0) and the
    divisor of the mean (1 for a maximum)."""
    xb = _batch(x, batched)
    win = Windows(xb.shape, pool, stride, padding, ceil_mode)
    cells = win.cells(xb)
    kind = win.cell_kind
    out = {}
    for n in range(xb.shape[0]):
        for c in range(xb.shape[1]):
            for pos in np.ndindex(*win.out):
                kinds = kind[pos].tolist()
                if average:
                    keep = [k != BEYOND if count_include_pad else k == REAL for k in kinds]
                else:
                    keep = [k == REAL if pad_value == "-inf" else k != BEYOND for k in kinds]
                values = [v for v, ok in zip(cells[(n, c) + pos].tolist(), keep) if ok]
                out[((n,) if batched else ()) + (c,) + pos] = (values, len(values) if average else 1)
    return out


def pool_gradient_sums(op, grad, x, **params):
    """{input index: [((∂L/∂z, share), index of that ∂L/∂z)]}: what each input cell collects from the windows
    that read it (a share of 1 is written alone); a zero gradient, and a cell that collects nothing, are left
    out."""
    batched = params.get("batched", False)
    xb, gb = _batch(x, batched), _batch(grad, batched)
    settings = {k: params[k] for k in ("pool", "stride", "padding", "ceil_mode") if k in params}
    win = Windows(xb.shape, **settings)
    if isinstance(op, MaxPool):
        _, _, shares = op._routing(xb, params["pool"], params.get("stride"), params.get("padding", 0),
                                   params.get("pad_value", "-inf"), params.get("ties", "first"),
                                   params.get("ceil_mode", False))
    else:
        shares = np.broadcast_to(AvgPool._weights(win, params.get("count_include_pad", True)),
                                 xb.shape[:2] + win.cell_kind.shape)
    source = win.source
    out: dict[tuple, list] = {}
    for n in range(xb.shape[0]):
        for c in range(xb.shape[1]):
            for pos in np.ndindex(*win.out):
                g = gb[(n, c) + pos]
                for tap, cell in enumerate(source[pos].tolist()):
                    share = shares[(n, c) + pos + (tap,)]
                    if cell < 0 or share == 0 or g == 0:
                        continue
                    at = ((n,) if batched else ()) + (c,) + np.unravel_index(cell, win.spatial)
                    term = (g,) if share == 1 else (g, share)
                    out.setdefault(tuple(int(i) for i in at), []).append((term, ((n,) if batched else ()) + (c,) + pos))
    return out
