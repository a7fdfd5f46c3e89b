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
