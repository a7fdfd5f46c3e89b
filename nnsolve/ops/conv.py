"""Convolution (1-D and 2-D, by the input's rank) and transposed convolution on exact numbers.

Tensors are channels-first: one sample is (C, L) or (C, H, W); with `batched` a leading N is added.
Kernels are in PyTorch's layout: (out, in/groups, k…) for CONV and (in, out/groups, k…) for
TRANSPOSED_CONV. Cross-correlation is the default (the deep-learning convention); `flip` applies the
kernel rotated by 180°, a true convolution.

Speed: every product here is bilinear in two tensors built from gathers (im2col), matrix products and
scatter-adds. When both tensors hold Fractions they are scaled to integers over one common denominator
each, the work is done on integers (numpy int64 when no sum can overflow, Python ints otherwise) and
the result is divided once; with an mpf anywhere the same code runs on the exact objects themselves.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ..engine.formula import Formula
from ..geometry import slide, transposed
from .base import Op

_INT64_LIMIT = 2 ** 62


# -- exact integer fast path ------------------------------------------------------------------------
def _scaled(a: np.ndarray):
    """(integers, common denominator) if every entry is a Fraction, else None."""
    flat = a.reshape(-1).tolist()
    if not all(type(v) is Fraction for v in flat):
        return None
    denom = 1
    for v in flat:
        d = v.denominator
        if denom % d:
            denom = denom * d // math.gcd(denom, d)
    ints = np.array([v.numerator * (denom // v.denominator) for v in flat] or [0], dtype=object)
    return ints[: len(flat)].reshape(a.shape), denom


def _narrow(ints: np.ndarray, bound: int) -> np.ndarray:
    return ints.astype(np.int64) if bound < _INT64_LIMIT else ints


def _largest(ints: np.ndarray) -> int:
    return max((abs(v) for v in ints.reshape(-1).tolist()), default=0)


def exact_bilinear(fn, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """fn(a, b) for an `fn` that is bilinear and uses each entry of a (and of b) at most once per output
    entry, so no sum has more than min(|a|, |b|) terms: computed on integers when it can be."""
    sa, sb = _scaled(a), _scaled(b)
    if sa is None or sb is None:
        return fn(a, b, Fraction(0))
    (ia, da), (ib, db) = sa, sb
    bound = _largest(ia) * _largest(ib) * max(1, min(ia.size, ib.size))
    out = fn(_narrow(ia, bound), _narrow(ib, bound), 0)
    denom = da * db
    result = np.empty(out.shape, dtype=object)
    result.reshape(-1)[:] = [Fraction(int(v), denom) for v in out.reshape(-1).tolist()]
    return result


def filled(shape, zero, dtype) -> np.ndarray:
    """Zeros of the arithmetic in use: int64, Python ints or exact Fractions (object arrays)."""
    if dtype != object:
        return np.zeros(shape, dtype=dtype)
    out = np.empty(shape, dtype=object)
    out.reshape(-1)[:] = [zero] * out.size
    return out


# -- geometry (the sizes themselves come from nnsolve/geometry.py) ---------------------------------
def window_index(axes, positions) -> tuple[np.ndarray, ...]:
    """Index arrays that gather, from a padded tensor's spatial axes, shape (positions…, k…)."""
    n = len(axes)
    idx = []
    for a, (axis, lo) in enumerate(zip(axes, positions)):
        shape = [1] * (2 * n)
        shape[a], shape[n + a] = lo, axis.kernel
        grid = axis.position(np.arange(lo)[:, None], np.arange(axis.kernel)[None, :]) + axis.before
        idx.append(grid.reshape(shape))
    return tuple(idx)


class Geometry:
    """Sizes of one convolution: the input (N, C, spatial…) against a kernel (O, C/g, k…). `positions`
    fixes the number of windows per axis (a transposed convolution's input size) instead of counting
    them; GeometryError (a ValueError) for settings out of range or a kernel that does not fit."""

    def __init__(self, x_shape, w_shape, stride, padding, dilation, groups, positions=None):
        n = len(w_shape) - 2
        self.n, self.groups = n, int(groups)
        self.kernel = tuple(w_shape[2:])
        self.spatial = tuple(x_shape[2:])
        axes = slide(self.spatial, self.kernel, stride, padding, dilation)
        self.stride, self.dilation = tuple(a.stride for a in axes), tuple(a.dilation for a in axes)
        self.pads = tuple((a.before, a.after) for a in axes)
        self.out = tuple(positions) if positions is not None else tuple(a.output for a in axes)
        self.index = window_index(axes, self.out)
        self.positions = int(np.prod(self.out))
        self.taps = int(np.prod(self.kernel))

    def pad(self, x, zero):
        out = filled(x.shape[:2] + tuple(s + a + b for s, (a, b) in zip(x.shape[2:], self.pads)), zero, x.dtype)
        out[(slice(None), slice(None)) + tuple(slice(a, a + s) for s, (a, _) in zip(x.shape[2:], self.pads))] = x
        return out

    def unpad(self, x):
        return x[(slice(None), slice(None)) + tuple(slice(lo, lo + s) for (lo, _), s in zip(self.pads,
                                                                                              self.spatial))]

    def columns(self, xp, c0: int, c1: int) -> np.ndarray:
        """(N·positions, channels·taps): one row per output position, the window it sees."""
        win = xp[(slice(None), slice(c0, c1)) + self.index]            # N, C, out…, k…
        n = self.n
        order = (0,) + tuple(range(2, 2 + n)) + (1,) + tuple(range(2 + n, 2 + 2 * n))
        return win.transpose(order).reshape(xp.shape[0] * self.positions, (c1 - c0) * self.taps)


def _groups(total: int, groups: int, i: int) -> tuple[int, int]:
    size = total // groups
    return i * size, (i + 1) * size


# -- the three products of a convolution ------------------------------------------------------------
def correlate(x, w, geo: Geometry):
    """z[n, o, p] = Σ_c,k x[n, c, p·s + k·d] w[o, c, k] per group."""
    def fn(xi, wi, zero):
        xp = geo.pad(xi, zero)
        o_total, cg = wi.shape[0], wi.shape[1]
        parts = []
        for g in range(geo.groups):
            c0, c1 = _groups(xp.shape[1], geo.groups, g)
            o0, o1 = _groups(o_total, geo.groups, g)
            parts.append(geo.columns(xp, c0, c1) @ wi[o0:o1].reshape(o1 - o0, cg * geo.taps).T)
        out = np.concatenate(parts, axis=1).reshape((xi.shape[0],) + geo.out + (o_total,))
        return np.moveaxis(out, -1, 1)
    return exact_bilinear(fn, x, w)


def input_gradient(grad, w, x_shape, geo: Geometry):
    """∂L/∂x: every window's share grad·w added back where the window read it (a full convolution of
    the stride-dilated gradient with the 180°-rotated kernel)."""
    def fn(gi, wi, zero):
        o_total, cg = wi.shape[0], wi.shape[1]
        padded_shape = tuple(x_shape[:2]) + tuple(s + a + b for s, (a, b) in zip(geo.spatial, geo.pads))
        dxp = filled(padded_shape, zero, gi.dtype)
        rows = np.moveaxis(gi, 1, -1).reshape(gi.shape[0] * geo.positions, o_total)
        for g in range(geo.groups):
            c0, c1 = _groups(x_shape[1], geo.groups, g)
            o0, o1 = _groups(o_total, geo.groups, g)
            share = rows[:, o0:o1] @ wi[o0:o1].reshape(o1 - o0, cg * geo.taps)
            share = share.reshape((gi.shape[0],) + geo.out + (cg,) + geo.kernel)
            n = geo.n
            order = (0, 1 + n) + tuple(range(1, 1 + n)) + tuple(range(2 + n, 2 + 2 * n))
            np.add.at(dxp, (slice(None), slice(c0, c1)) + geo.index, share.transpose(order))
        return geo.unpad(dxp)
    return exact_bilinear(fn, grad, w)


def kernel_gradient(grad, x, w_shape, geo: Geometry):
    """∂L/∂K[o, c, k] = Σ_n,p grad[n, o, p] x[n, c, p·s + k·d]: the input correlated with the gradient."""
    def fn(gi, xi, zero):
        xp = geo.pad(xi, zero)
        o_total = w_shape[0]
        rows = np.moveaxis(gi, 1, -1).reshape(gi.shape[0] * geo.positions, o_total)
        parts = []
        for g in range(geo.groups):
            c0, c1 = _groups(xp.shape[1], geo.groups, g)
            o0, o1 = _groups(o_total, geo.groups, g)
            parts.append(rows[:, o0:o1].T @ geo.columns(xp, c0, c1))
        return np.concatenate(parts, axis=0).reshape(tuple(w_shape))
    return exact_bilinear(fn, grad, x)


def channel_sums(grad, channel_axis: int = 1):
    out = np.empty(grad.shape[channel_axis], dtype=object)
    moved = np.moveaxis(grad, channel_axis, 0).reshape(grad.shape[channel_axis], -1)
    for c in range(out.size):
        total = Fraction(0)
        for v in moved[c].tolist():
            total = total + v
        out[c] = total
    return out


def _batch(x, batched):
    return x if batched else x[None]


def _unbatch(x, batched):
    return x if batched else x[0]


def _spatial_flip(w):
    return w[(slice(None), slice(None)) + (slice(None, None, -1),) * (w.ndim - 2)]


def _bias_shape(b, ndim_spatial):
    return b.reshape((1, -1) + (1,) * ndim_spatial)


def _settings_text(stride, padding, dilation, groups) -> str:
    parts = [f"stride {stride}", f"padding {padding}"]
    if dilation not in (1, (1, 1), [1, 1]):
        parts.append(f"dilation {dilation}")
    if groups != 1:
        parts.append(f"groups {groups}")
    return ", ".join(parts)


def _padded(template_latex: str, template_text: str, pad) -> tuple[str, str]:
    """`{inner}` zero-padded by `pad` (a number on every side, or per-axis (before, after) text); as is for none."""
    if pad in (None, "0"):
        return template_latex, template_text
    # `_{ 1 }` with spaces: `{1}` would read as a formula's placeholder
    text = pad.translate(_SUBSCRIPT) if pad.lstrip("-").isdigit() else "[" + pad + "]"
    return rf"\operatorname{{pad}}_{{ {pad} }}({template_latex})", f"pad{text}({template_text})"


_SUBSCRIPT = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")


class Conv(Op):
    """z = x ⋆ K + b (cross-correlation) or x ∗ K + b (`flip`: true convolution).

    Two display settings say which zero-padding the backward formulas show (a solver computes them from the
    geometry; the values do not depend on them): `full_padding`, what the gradient is padded with for ∂L/∂x
    (the kernel's extent − 1 − the padding, per side), and `padding_text`, the forward padding of x for ∂L/∂K."""

    name = "conv"

    def forward(self, x, w, b=None, *, stride=1, padding=0, dilation=1, groups=1, flip=False, batched=False,
                full_padding=None, padding_text=None):
        xb = _batch(x, batched)
        geo = Geometry(xb.shape, w.shape, stride, padding, dilation, groups)
        z = correlate(xb, _spatial_flip(w) if flip else w, geo)
        if b is not None:
            z = z + _bias_shape(b, geo.n)
        return _unbatch(z, batched)

    def vjp(self, index, grad, out, x, w, b=None, *, stride=1, padding=0, dilation=1, groups=1, flip=False,
            batched=False, full_padding=None, padding_text=None):
        xb, gb = _batch(x, batched), _batch(grad, batched)
        geo = Geometry(xb.shape, w.shape, stride, padding, dilation, groups)
        if index == 0:
            return _unbatch(input_gradient(gb, _spatial_flip(w) if flip else w, xb.shape, geo), batched)
        if index == 1:
            dk = kernel_gradient(gb, xb, w.shape, geo)
            return _spatial_flip(dk) if flip else dk
        return channel_sums(gb)

    def formula(self, x_id, w_id, b_id=None, *, flip=False, **_):
        star = ("\\ast", "∗") if flip else ("\\star", "⋆")
        latex, text, ids = "{0} %s {1}" % star[0], "{0} %s {1}" % star[1], (x_id, w_id)
        if b_id is not None:
            latex, text, ids = latex + " + {2}", text + " + {2}", ids + (b_id,)
        return Formula(latex, text, ids)

    def vjp_formula(self, index, grad_id, out_id, x_id, w_id, b_id=None, *, stride=1, flip=False, full_padding=None,
                    padding_text=None, **_):
        dilated = stride not in (1, (1, 1), [1, 1])
        steps = str(stride) if isinstance(stride, int) else ", ".join(map(str, stride))
        # the gradient with stride − 1 zeros between its entries
        g_latex = rf"\operatorname{{dilate}}_{{ {steps} }}({{0}})" if dilated else "{0}"
        g_text = f"dilate{steps.translate(_SUBSCRIPT) if steps.isdigit() else '[' + steps + ']'}({{0}})" \
            if dilated else "{0}"
        if index == 0:
            kernel = ("{1}", "{1}") if flip else (r"\operatorname{rot}_{180^\circ}({1})", "rot180({1})")
            if full_padding is None:
                return Formula(rf"{g_latex} \ast_{{\text{{full}}}} {kernel[0]}", f"full_conv({g_text}, {kernel[1]})",
                               (grad_id, w_id))
            # the full convolution written out: the gradient padded by e − 1 − p, cross-correlated with the
            # kernel rotated 180° (the kernel itself when the forward pass rotated it)
            g_latex, g_text = _padded(g_latex, g_text, full_padding)
            return Formula(rf"{g_latex} \star {kernel[0]}", f"{g_text} ⋆ {kernel[1]}", (grad_id, w_id))
        if index == 1:
            x_latex, x_text = _padded("{1}", "{1}", padding_text)
            if flip:
                return Formula(rf"\operatorname{{rot}}_{{180^\circ}}({x_latex} \star {g_latex})",
                               f"rot180({x_text} ⋆ {g_text})", (grad_id, x_id))
            if padding_text is None and not dilated:
                return Formula(r"{1} \star {0}", "{1} ⋆ {0}", (grad_id, x_id))
            return Formula(rf"{x_latex} \star {g_latex}", f"{x_text} ⋆ {g_text}", (grad_id, x_id))
        return Formula(r"\textstyle\sum_{\text{positions}} {0}", "Σ_positions {0}", (grad_id,))

    def note(self, *, stride=1, padding=0, dilation=1, groups=1, flip=False, batched=False, full_padding=None,
             padding_text=None):
        kind = "true convolution (kernel rotated 180°)" if flip else "cross-correlation (kernel not flipped)"
        return f"{kind}; {_settings_text(stride, padding, dilation, groups)}"


class TransposedConv(Op):
    """z = x ⋆ᵀ K + b: each input value spreads a scaled copy of the kernel onto the output (the
    gradient of a convolution with respect to its input); K is (in, out/groups, k…)."""

    name = "transposed_conv"

    @staticmethod
    def geometry(xb_shape, w, stride, padding, output_padding, dilation, groups):
        """The convolution this one is the transpose of: its input is our output, its windows our input
        positions (with an output_padding ≥ the stride, which PyTorch allows below the dilation, that
        convolution would count more windows than we have)."""
        axes = transposed(xb_shape[2:], w.shape[2:], stride, padding, dilation, output_padding)
        out_shape = (xb_shape[0], w.shape[1] * int(groups)) + tuple(a.output for a in axes)
        geo = Geometry(out_shape, w.shape, stride, tuple((a.before, a.after) for a in axes), dilation, groups,
                       positions=xb_shape[2:])
        return geo, out_shape

    def forward(self, x, w, b=None, *, stride=1, padding=0, output_padding=0, dilation=1, groups=1,
                batched=False):
        xb = _batch(x, batched)
        geo, out_shape = self.geometry(xb.shape, w, stride, padding, output_padding, dilation, groups)
        z = input_gradient(xb, w, out_shape, geo)
        if b is not None:
            z = z + _bias_shape(b, geo.n)
        return _unbatch(z, batched)

    def vjp(self, index, grad, out, x, w, b=None, *, stride=1, padding=0, output_padding=0, dilation=1,
            groups=1, batched=False):
        xb, gb = _batch(x, batched), _batch(grad, batched)
        geo, _ = self.geometry(xb.shape, w, stride, padding, output_padding, dilation, groups)
        if index == 0:
            return _unbatch(correlate(gb, w, geo), batched)
        if index == 1:
            return kernel_gradient(xb, gb, w.shape, geo)
        return channel_sums(gb)

    def formula(self, x_id, w_id, b_id=None, **_):
        latex, text, ids = r"{0} \star^{\top} {1}", "{0} ⋆ᵀ {1}", (x_id, w_id)
        if b_id is not None:
            latex, text, ids = latex + " + {2}", text + " + {2}", ids + (b_id,)
        return Formula(latex, text, ids)

    def vjp_formula(self, index, grad_id, out_id, x_id, w_id, b_id=None, **_):
        if index == 0:
            return Formula(r"{0} \star {1}", "{0} ⋆ {1}", (grad_id, w_id))
        if index == 1:
            return Formula(r"{0} \star {1}", "{0} ⋆ {1}", (x_id, grad_id))
        return Formula(r"\textstyle\sum_{\text{positions}} {0}", "Σ_positions {0}", (grad_id,))

    def note(self, *, stride=1, padding=0, output_padding=0, dilation=1, groups=1, batched=False):
        extra = f", output padding {output_padding}" if output_padding not in (0, (0, 0)) else ""
        return f"transposed convolution; {_settings_text(stride, padding, dilation, groups)}{extra}"


CONV = Conv()
TRANSPOSED_CONV = TransposedConv()


# -- each entry as the sum it is (for a worked solution of a small layer) -------------------------------
def _taps(geo: Geometry):
    """Per (output position, kernel tap): the padded-input index of every spatial axis."""
    full = np.broadcast_arrays(*geo.index)
    for pos in np.ndindex(*geo.out):
        for k in np.ndindex(*geo.kernel):
            yield pos, k, tuple(int(a[pos + k]) for a in full)


def _label(n: int, rest: tuple, batched: bool) -> tuple:
    return ((n,) if batched else ()) + rest


def conv_sums(x, w, b=None, *, stride=1, padding=0, dilation=1, groups=1, flip=False, batched=False, **_shown):
    """z[o][p] = Σ_c,k x_padded[c][p·s + k·d]·K[o][c][k] (+ b[o]): per output entry (sample first when
    batched) its products (input value, kernel entry), then the bias; the kernel as applied (rotated
    when `flip`) and a padded cell as 0. Returns {index: [terms]}."""
    xb = _batch(x, batched)
    geo = Geometry(xb.shape, w.shape, stride, padding, dilation, groups)
    wk, xp = (_spatial_flip(w) if flip else w), geo.pad(xb, Fraction(0))
    per_group, cg = w.shape[0] // geo.groups, w.shape[1]
    out: dict[tuple, list] = {}
    for n in range(xb.shape[0]):
        for o in range(w.shape[0]):
            c0 = (o // per_group) * cg
            for c in range(cg):                  # channel by channel, each window in row-major order
                for pos, k, at in _taps(geo):
                    out.setdefault(_label(n, (o,) + pos, batched), []).append((xp[(n, c0 + c) + at], wk[(o, c) + k]))
            if b is not None:
                for pos in np.ndindex(*geo.out):
                    out[_label(n, (o,) + pos, batched)].append((b[o],))
    return out


def conv_gradient_sums(index: int, grad, x, w, *, stride=1, padding=0, dilation=1, groups=1, flip=False,
                       batched=False, **_shown):
    """The terms of each entry of ∂L/∂x (index 0: products ∂L/∂z·K over every window that read the cell),
    ∂L/∂K (1: products x_padded·∂L/∂z over every position) or ∂L/∂b (2: the ∂L/∂z of the channel); a term
    whose ∂L/∂z is 0 is left out."""
    xb, gb = _batch(x, batched), _batch(grad, batched)
    geo = Geometry(xb.shape, w.shape, stride, padding, dilation, groups)
    wk, xp = (_spatial_flip(w) if flip else w), geo.pad(xb, Fraction(0))
    per_group, cg = w.shape[0] // geo.groups, w.shape[1]
    before = tuple(lo for lo, _ in geo.pads)
    out: dict[tuple, list] = {}
    # every kernel and bias entry is a sum, if an empty one (= 0); an input cell no window reached is not
    if index == 1:
        for o in range(w.shape[0]):
            for c in range(cg):
                for k in np.ndindex(*geo.kernel):
                    out[(o, c) + k] = []
    if index == 2:
        out.update({(o,): [] for o in range(w.shape[0])})
    for n in range(xb.shape[0]):
        for o in range(w.shape[0]):
            c0 = (o // per_group) * cg
            for pos, k, at in _taps(geo):
                g = gb[(n, o) + pos]
                if g == 0:                     # a position the loss does not reach adds nothing: left out
                    continue
                if index == 2:
                    if k == (0,) * geo.n:
                        out.setdefault((o,), []).append((g,))
                    continue
                for c in range(cg):
                    if index == 1:
                        # with `flip` the kernel applied is rotated: its gradient lands on the rotated entry
                        entry = tuple(size - 1 - t for size, t in zip(geo.kernel, k)) if flip else k
                        out[(o, c) + entry].append((xp[(n, c0 + c) + at], g))
                        continue
                    cell = tuple(a - lo for a, lo in zip(at, before))
                    if all(0 <= i < size for i, size in zip(cell, geo.spatial)):
                        out.setdefault(_label(n, (c0 + c,) + cell, batched), []).append((g, wk[(o, c) + k]))
    return out
