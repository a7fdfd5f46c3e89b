"""A plain-Python marker for the sample problem (examples/grading/problem.yaml), written from the network's
definition with Fractions — nothing of nnsolve's numbers — to mark a synthetic class independently.

Network: u1 = W1ᵀx + b1, h1 = ReLU(u1), y = W2ᵀh1 + b2, L = ½(y − t)², ∂L/∂W2 = h1 (y − t), W2' = W2 − η ∂L/∂W2.
Rules: a number is right when within half a unit of the last decimal it writes of the exact value (a fraction must
equal it); an answer is carried forward (ECF) when an answer it is computed from differs, as written, from the
exact value and it is right against the value the student's own earlier answers give."""
from __future__ import annotations

from fractions import Fraction as F

X = [F("1.5"), F("0.7")]
W1 = [[F("0.5"), F("-0.3")], [F("0.2"), F("0.8")]]      # [in][out]
B1 = [F("0.1"), F("0.1")]
W2 = [F("1.2"), F("-0.7")]                              # the 2×1 column, flattened
B2 = F("0.3")
T = F(1)
LR = F("0.1")


def h1_exact():
    return [max(F(0), sum(W1[i][j] * X[i] for i in range(2)) + B1[j]) for j in range(2)]


def y_of(h1):
    return sum(w * h for w, h in zip(W2, h1)) + B2


def loss_of(y):
    return (y - T) ** 2 / 2


def dw2_of(h1, y):
    return [h * (y - T) for h in h1]


def w2_new_of(dw2):
    return [w - LR * d for w, d in zip(W2, dw2)]


def exact() -> dict:
    h1 = h1_exact()
    y = y_of(h1)
    return {"h1": h1, "y": [y], "loss": [loss_of(y)], "dL/dW2": dw2_of(h1, y), "W2(1)": w2_new_of(dw2_of(h1, y))}


# what each answer is computed from, and how
UPSTREAM = {"y": (["h1"], lambda a: [y_of(a["h1"])]),
            "loss": (["y"], lambda a: [loss_of(a["y"][0])]),
            "dL/dW2": (["h1", "y"], lambda a: dw2_of(a["h1"], a["y"][0])),
            "W2(1)": (["dL/dW2"], lambda a: w2_new_of(a["dL/dW2"]))}


def numbers(text: str) -> list[tuple[F, int | None]]:
    """Each number of a cell with the decimals it writes (None: exact)."""
    out = []
    for part in text.replace("[", " ").replace("]", " ").split(","):
        part = part.strip()
        if "/" in part:
            a, b = part.split("/")
            out.append((F(int(a), int(b)), None))
        else:
            out.append((F(part), len(part.partition(".")[2]) if "." in part else None))
    return out


def default_close(written, value) -> bool:
    return all(abs(n - v) <= (F(1, 2) * F(10) ** -d if d is not None else 0) for (n, d), v in zip(written, value))


def named_close(tolerance: dict, written, value) -> bool:
    (name, bound), = tolerance.items()
    bound = F(str(bound))
    for (n, _), v in zip(written, value):
        off = abs(n - v)
        if name == "decimals":
            ok = off <= F(1, 2) * F(10) ** -int(bound)
        elif name == "figures":
            e = 0
            while F(10) ** e > abs(v):
                e -= 1
            while F(10) ** (e + 1) <= abs(v):
                e += 1
            ok = off <= F(1, 2) * F(10) ** (e - int(bound) + 1)
        elif name == "absolute":
            ok = off <= bound
        else:
            ok = off <= bound * abs(v)
        if not ok:
            return False
    return True


def mark(student: dict, scheme: dict) -> dict:
    """answer id → (marks, ecf flag) for a student whose cells all read (cells given as text)."""
    right = exact()
    given = {a: numbers(t) for a, t in student.items()}
    as_written = {a: [n for n, _ in v] for a, v in given.items()}
    out = {}
    for answer, written in given.items():
        rule = scheme.get(answer, {})
        tolerance = rule.get("tolerance")
        close = (lambda w, v: named_close(tolerance, w, v)) if tolerance else default_close
        ecf = F(str(rule.get("ecf", 1)))
        per_element = "element_marks" in rule
        worth = [F(str(rule["element_marks"]))] * len(written) if per_element else [F(str(rule.get("marks", 1)))]
        parts = [[n] for n in written] if per_element else [written]
        values = [[v] for v in right[answer]] if per_element else [right[answer]]
        carried = None
        if answer in UPSTREAM:
            sources, compute = UPSTREAM[answer]
            if any(as_written[s] != right[s] for s in sources if s in as_written):
                carried = compute({**{k: v for k, v in right.items()}, **as_written})
        carried_parts = ([[c] for c in carried] if per_element else [carried]) if carried else [None] * len(parts)
        total, flagged = F(0), False
        for part, value, again, w in zip(parts, values, carried_parts, worth):
            if close(part, value):
                total += w
            elif again is not None and close(part, again):
                total += w * ecf
                flagged = True
        out[answer] = (total, flagged)
    return out


# -- a general reference marker, for the networks of the slip and ECF-cap tests --------------------------------------

def mark_against(right: dict, upstream: dict, student: dict, scheme: dict, hand_rounded=None,
                 degenerate=None) -> dict:
    """As `mark`, for any network given by its right values (answer → flat list), what each answer is computed from
    (answer → (sources, values from the student's own answers)), and two optional rules:
    `hand_rounded(places)` → the right values with every intermediate rounded to `places` decimals (an answer that
    equals it, at the decimals it writes, is right); `degenerate(written)` → the answers whose ECF is capped at the
    scheme's `ecf_degenerate` (default ½) given the student's numbers as written."""
    given = {a: numbers(t) for a, t in student.items()}
    as_written = {a: [n for n, _ in v] for a, v in given.items()}
    capped = degenerate(as_written) if degenerate else set()
    out = {}
    for answer, written in given.items():
        rule = scheme.get(answer, {})
        ecf = F(str(rule.get("ecf", 1)))
        if answer in capped:
            ecf = min(ecf, F(str(rule.get("ecf_degenerate", "0.5"))))
        places = {d for _, d in written}
        rounded = hand_rounded(places.pop())[answer] if hand_rounded and len(places) == 1 and None not in places \
            else None
        carried = None
        if answer in upstream:
            sources, compute = upstream[answer]
            if any(as_written[s] != right[s] for s in sources if s in as_written):
                carried = compute({**right, **as_written})
        if default_close(written, right[answer]) or (rounded is not None and default_close(written, rounded)):
            out[answer] = (F(str(rule.get("marks", 1))), False)
        elif carried is not None and default_close(written, carried):
            out[answer] = (F(str(rule.get("marks", 1))) * ecf, True)
        else:
            out[answer] = (F(0), False)
    return out


def relu(v):
    return [max(F(0), a) for a in v]


def half_up(value: F, places: int) -> F:
    """Rounded to `places` decimals, halves away from zero (as a person rounds)."""
    scaled = abs(value) * 10 ** places
    whole = int(scaled) + (1 if scaled - int(scaled) >= F(1, 2) else 0)
    return F(whole if value >= 0 else -whole, 10 ** places)


class TwoLayer:
    """u1 = W1ᵀx + b1, h1 = ReLU(u1), y = W2ᵀh1 + b2 (one output), L = ½(y − t)², one SGD step of W1:
    δ1 = W2 (y − t) ⊙ ReLU'(u1), ∂L/∂W1 = x δ1ᵀ ([in][out]), W1' = W1 − η ∂L/∂W1. Each slip is its arithmetic
    done by hand: `transposed` uses W1ᵀ wherever W1 is, `no_bias` takes every b as 0, `no_derivative` leaves
    ReLU' out of δ1, `no_half` drops the ½ (so ∂L/∂y = 2(y − t)), `sign` adds the step, `places` rounds every
    intermediate to that many decimals."""

    ANSWERS = ["u1", "h1", "y", "loss", "dL/dW2", "dL/dW1", "W1(1)"]

    def __init__(self, x, W1, b1, W2, b2, t, lr):
        self.x, self.W1, self.b1, self.W2, self.b2, self.t, self.lr = x, W1, b1, W2, b2, t, lr

    def solve(self, transposed=False, no_bias=False, no_derivative=False, no_half=False, sign=False,
              places=None) -> dict:
        r = (lambda v: half_up(v, places)) if places is not None else (lambda v: v)
        W1 = [list(row) for row in zip(*self.W1)] if transposed else self.W1
        b1 = [F(0)] * 2 if no_bias else self.b1
        b2 = F(0) if no_bias else self.b2
        n = len(self.x)
        u1 = [r(sum(r(W1[i][j] * self.x[i]) for i in range(n)) + b1[j]) for j in range(2)]
        h1 = relu(u1)
        y = r(sum(r(w * h) for w, h in zip(self.W2, h1)) + b2)
        error = r(y - self.t)
        loss = r(error ** 2 if no_half else error ** 2 / 2)
        dy = r(2 * error) if no_half else error
        dW2 = [r(h * dy) for h in h1]
        delta = [r(r(w * dy) * (1 if no_derivative or u > 0 else 0)) for w, u in zip(self.W2, u1)]
        dW1 = [[r(self.x[i] * delta[j]) for j in range(2)] for i in range(n)]
        step = [[r(self.lr * dW1[i][j]) for j in range(2)] for i in range(n)]
        W1_new = [[r(W1[i][j] + step[i][j] if sign else W1[i][j] - step[i][j]) for j in range(2)] for i in range(n)]
        return {"u1": u1, "h1": h1, "y": [y], "loss": [loss], "dL/dW2": dW2, "dL/dW1": _flat(dW1),
                "W1(1)": _flat(W1_new)}

    def upstream(self) -> dict:
        """Each answer from the student's own earlier answers (the problem's other numbers as given)."""
        def delta(a):
            return [w * (a["y"][0] - self.t) * (1 if u > 0 else 0) for w, u in zip(self.W2, a["u1"])]
        return {"h1": (["u1"], lambda a: relu(a["u1"])),
                "y": (["h1"], lambda a: [sum(w * h for w, h in zip(self.W2, a["h1"])) + self.b2]),
                "loss": (["y"], lambda a: [(a["y"][0] - self.t) ** 2 / 2]),
                "dL/dW2": (["h1", "y"], lambda a: [h * (a["y"][0] - self.t) for h in a["h1"]]),
                "dL/dW1": (["u1", "y"], lambda a: _flat([[xi * d for d in delta(a)] for xi in self.x])),
                "W1(1)": (["dL/dW1"], lambda a: [w - self.lr * g for w, g in zip(_flat(self.W1), a["dL/dW1"])])}

    # what each answer is computed from, all the way back (the answers among them)
    BEFORE = {"u1": set(), "h1": {"u1"}, "y": {"u1", "h1"}, "loss": {"u1", "h1", "y"},
              "dL/dW2": {"u1", "h1", "y"}, "dL/dW1": {"u1", "h1", "y"}, "W1(1)": {"u1", "h1", "y", "dL/dW1"}}

    def degenerate(self, written: dict) -> set:
        """As `zero_carried`, with h1 computed from the student's u1 when h1 is not given."""
        values = dict(written)
        if "h1" not in values and "u1" in values:
            values["h1"] = relu(values["u1"])
        return zero_carried(self.BEFORE, self.solve(), values, written, squares=("dL/dW1", "W1(1)"))


def zero_carried(before: dict, right: dict, values: dict, written: dict, squares: tuple = ()) -> set:
    """The answers the student got wrong that come after (or are) a value of theirs — written, or computed from what
    they wrote — that is 0 where the true value is not (a unit switched off, a zero gradient), or an answer they
    wrote that is 1 in every element, or (`squares`: the 2×2 answers) the identity, where the true one is not."""
    zeroed = {a for a, v in values.items() if any(w == 0 and r != 0 for w, r in zip(v, right[a]))}
    wrong = {a for a, v in written.items() if v != right[a]}
    ones = {a for a in wrong if all(w == 1 for w in written[a]) and not all(r == 1 for r in right[a])}
    identity = [1, 0, 0, 1]
    ones |= {a for a in wrong & set(squares) if written[a] == identity and right[a] != identity}
    convenient = zeroed | {a for a in ones if a not in zeroed}
    return {a for a in written if a in wrong and convenient & ((before[a] - {a}) | ({a} & zeroed))}


# the sample problem's answers, each with the answers it is computed from, all the way back
SAMPLE_BEFORE = {"h1": set(), "y": {"h1"}, "loss": {"h1", "y"}, "dL/dW2": {"h1", "y"},
                 "W2(1)": {"h1", "y", "dL/dW2"}}


def _flat(rows):
    return [v for row in rows for v in row]


def decimal_text(value: F) -> str:
    """A terminating fraction written out exactly as a decimal: 0.9, -0.216, 0."""
    if value.denominator == 1:
        return str(value.numerator)
    places = 0
    while (value * 10 ** places).denominator != 1:
        places += 1
    scaled = abs(value.numerator * 10 ** places // value.denominator)
    digits = str(scaled).rjust(places + 1, "0")
    return ("-" if value < 0 else "") + digits[:-places] + "." + digits[-places:]


def cells(values: dict, shapes: dict, text=decimal_text) -> dict:
    """A student's cells from flat values: shapes gives each answer's rows × columns (None: a vector or a number)."""
    out = {}
    for answer, flat in values.items():
        shape = shapes.get(answer)
        if shape is None:
            out[answer] = text(flat[0]) if len(flat) == 1 else "[" + ", ".join(map(text, flat)) + "]"
        else:
            rows, cols = shape
            out[answer] = "[" + ", ".join("[" + ", ".join(text(flat[i * cols + j]) for j in range(cols)) + "]"
                                          for i in range(rows)) + "]"
    return out
