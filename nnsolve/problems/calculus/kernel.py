"""The update rules of the optimizers as plain arithmetic on numbers, for the long middle of a descent whose
first updates are recorded step by step by nnsolve/optim (and whose tail is shown as rows of the trace).

Each rule here is the one its optimizer states in nnsolve/optim (same forms, same ε placement, same 0/0 = 0);
every long run checks itself against the recorded updates: the iterate this arithmetic reaches after the
recorded head must equal the recorded one, or the run stops with an internal error rather than show a number
that may be wrong. Numbers are what the arithmetic makes of them, as in the recorded updates: Fractions stay
exact (gradient descent and momentum on a polynomial, until a denominator passes the exact range), a square
root makes an mpmath float at the working precision of the caller's context (PRECISION + 15 digits).
"""
from __future__ import annotations

from fractions import Fraction

from mpmath.libmp import fone, fzero, mpf_add, mpf_div, mpf_mul, mpf_sqrt, mpf_sub

from ...engine.number import mp
from ...ops.scalar import DomainError

SHOWN_IN_FULL = 20      # a run of at most this many updates is recorded update by update; a longer one is carried
# optimizers with a rule here; the others are recorded in full, within MAX_DESCENT_WORK
SUPPORTED = {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "rprop"}


def supported(spec) -> bool:
    # previous weights give v₀ through the recorded optimizer's form: such a run is recorded update by update
    return spec.type in SUPPORTED and getattr(spec, "previous_weights", None) is None


class Rule:
    """One optimizer's state (by variable) and update; `grad_at(point)` gives ∇f elsewhere (Nesterov)."""

    def __init__(self, spec, n: int, initial: dict[str, list] | None = None):
        self.spec, self.n = spec, n
        initial = initial or {}
        self.v = _state(initial.get("v"), n)
        self.v_given = initial.get("v") is not None
        self.m = _state(initial.get("m"), n)
        self.s = _state(initial.get("s"), n)
        self.G = _state(initial.get("G"), n, spec.initial_accumulator if spec.type == "adagrad" else 0)
        self.t0 = int(initial.get("t", 0))
        self.powers = None
        self.remembered = self.delta = self.last_change = self.previous_value = None     # Rprop's state
        eps = spec.eps if spec.eps is not None else Fraction(1, 10 ** (10 if spec.type == "adagrad" else 8))
        self.eps = eps
        self.beta = spec.momentum
        self.beta1, self.beta2, self.rho = spec.beta1, spec.beta2, spec.rho
        self.rest1, self.rest2, self.rest_rho = 1 - self.beta1, 1 - self.beta2, 1 - self.rho

    def step(self, t: int, w: list, g: list, lr, grad_at, value=None) -> list:
        """The iterate after update t from w, where the gradient is g and f is `value` (irprop+ compares it)."""
        kind, form = self.spec.type, self.spec.form
        if kind == "rprop":
            return self._rprop(w, g, value)
        if kind == "sgd":
            return [wi - lr * gi for wi, gi in zip(w, g)]
        if kind == "momentum":
            b = self.beta
            if form == "sutskever":
                self.v = [b * v - lr * gi for v, gi in zip(self.v, g)]
                return [wi + v for wi, v in zip(w, self.v)]
            self.v = [b * v + ((1 - b) * gi if form == "ema" else gi) for v, gi in zip(self.v, g)]
            return [wi - lr * v for wi, v in zip(w, self.v)]
        if kind == "nesterov":
            b = self.beta
            if form in ("lookahead", "sutskever"):
                # the first update's look-ahead point is w itself (v₀ = 0 there, as nnsolve/optim takes it)
                ahead = g if t == 1 and not self.v_given else grad_at([wi + b * v for wi, v in zip(w, self.v)])
                self.v = [b * v - lr * gi for v, gi in zip(self.v, ahead)]
                return [wi + v for wi, v in zip(w, self.v)]
            self.v = [b * v + gi for v, gi in zip(self.v, g)]
            return [wi - lr * (gi + b * v) for wi, gi, v in zip(w, g, self.v)]
        if kind == "adagrad":
            self.G = [G + gi * gi for G, gi in zip(self.G, g)]
            return [wi - lr * self._ratio(gi, G, t) for wi, gi, G in zip(w, g, self.G)]
        if kind == "rmsprop":
            r, rest = self.rho, self.rest_rho
            self.s = [r * s + rest * (gi * gi) for s, gi in zip(self.s, g)]
            return [wi - lr * self._ratio(gi, s, t) for wi, gi, s in zip(w, g, self.s)]
        assert kind == "adam"
        return self._adam(t, w, g, lr)

    def _adam(self, t: int, w: list, g: list, lr) -> list:
        """Adam on mpmath's raw numbers (libmp's functions, each rounding once to the context's precision as
        mpf arithmetic does): the same operations in the same order, without an object per intermediate."""
        prec, rnd = mp.prec, "n"
        if self.powers is None:            # β₁ᵏ, β₂ᵏ with k = t₀ + t, carried from update to update
            self.m, self.s = [mp.mpf(x)._mpf_ for x in self.m], [mp.mpf(x)._mpf_ for x in self.s]   # raw from here
            self.powers = [mp.power(b, self.t0 + t)._mpf_ for b in (mp.mpf(self.beta1), mp.mpf(self.beta2))]
            self.raw = tuple(mp.mpf(x)._mpf_ for x in (self.beta1, self.beta2, self.rest1, self.rest2, self.eps))
        b1, b2, r1, r2, eps = self.raw
        if t > 1:
            self.powers = [mpf_mul(self.powers[0], b1, prec, rnd), mpf_mul(self.powers[1], b2, prec, rnd)]
        one = fone
        c1, c2 = mpf_sub(one, self.powers[0], prec, rnd), mpf_sub(one, self.powers[1], prec, rnd)
        corrected = self.spec.bias_correction
        inside, rate = self.spec.eps_inside_sqrt, mp.mpf(lr)._mpf_
        out = []
        for i, (wi, gi) in enumerate(zip(w, g)):
            gr = mp.mpf(gi)._mpf_
            m = mpf_add(mpf_mul(b1, self.m[i], prec, rnd), mpf_mul(r1, gr, prec, rnd), prec, rnd)
            s = mpf_add(mpf_mul(b2, self.s[i], prec, rnd), mpf_mul(r2, mpf_mul(gr, gr, prec, rnd), prec, rnd),
                        prec, rnd)
            self.m[i], self.s[i] = m, s
            top, size = (mpf_div(m, c1, prec, rnd), mpf_div(s, c2, prec, rnd)) if corrected else (m, s)
            bottom = mpf_sqrt(mpf_add(size, eps, prec, rnd), prec, rnd) if inside else \
                mpf_add(mpf_sqrt(size, prec, rnd), eps, prec, rnd)
            if bottom == fzero:
                if top != fzero:
                    raise DomainError(f"update {t}: division of {mp.nstr(mp.make_mpf(top), 5)} by zero; give ε > 0")
                out.append(wi)
                continue
            step = mpf_mul(rate, mpf_div(top, bottom, prec, rnd), prec, rnd)
            out.append(mp.make_mpf(mpf_sub(mp.mpf(wi)._mpf_, step, prec, rnd)))
        return out

    def _rprop(self, w: list, g: list, value) -> list:
        """Rprop in the four variants of nnsolve/optim/rprop.py: step sizes from the sign of g_prev·g, the
        gradient remembered with 0 where the sign flipped (not rprop-), and the change by variant."""
        spec, variant = self.spec, self.spec.variant
        if self.remembered is None:           # the first update: g_prev = 0, every Δ = Δ₀
            agree, self.delta = None, [spec.step_init] * len(w)
        else:
            agree = [_sign(a * b) for a, b in zip(self.remembered, g)]
            self.delta = [min(spec.eta_plus * d, spec.step_max) if a > 0 else
                          max(spec.eta_minus * d, spec.step_min) if a < 0 else d for d, a in zip(self.delta, agree)]
        kept = g if agree is None or variant == "rprop-" else [0 if a < 0 else v for v, a in zip(g, agree)]
        self.remembered = kept
        if agree is None or variant in ("rprop-", "irprop-"):
            source = kept if variant == "irprop-" else g
            change = [-_sign(v) * d for v, d in zip(source, self.delta)]
        else:                                 # rprop+ backtracks where the sign flipped; irprop+ if f rose
            back = variant == "rprop+" or value > self.previous_value
            change = [(-p if back else 0) if a < 0 else -_sign(v) * d
                      for v, d, a, p in zip(g, self.delta, agree, self.last_change)]
        self.last_change, self.previous_value = change, value
        return [wi + c for wi, c in zip(w, change)]

    def _ratio(self, top, size, t: int):
        """top / (√size + ε), or top / √(size + ε): 0/0 is 0 (no gradient yet), any other x/0 an error."""
        bottom = mp.sqrt(size + self.eps) if self.spec.eps_inside_sqrt else mp.sqrt(size) + self.eps
        if bottom:
            return top / bottom
        if not top:
            return mp.zero
        raise DomainError(f"update {t}: division of {mp.nstr(top, 5)} by zero; give ε > 0")


def _state(values, n: int, default=0) -> list:
    return list(values) if values is not None else [Fraction(default)] * n


def _sign(x) -> int:
    return (x > 0) - (x < 0)
